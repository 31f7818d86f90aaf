package singularity

import (
	"errors"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"mvdan.cc/sh/v3/syntax"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *Definition
	}{
		{
			name: "comments before the header, every standard section",
			src: `# a comment
  # an indented comment
Bootstrap: docker
From: ubuntu:22.04 # trailing comment
Stage: build

%arguments
VERSION=1
%setup
touch "${APPTAINER_ROOTFS}/x"
%files
a.txt /opt/a.txt
"with space.txt" "/opt/with space.txt"
# a comment line
only-src
%labels
Author me
Empty
  Version   1.0 beta  
# not a label
%environment
export A=1
%post -c /bin/bash
echo one
%test
true
%runscript
exec "$@"
%startscript
exec sleep 1
%help
Some help.
%pre
echo pre
`,
			want: &Definition{
				Header:    []HeaderField{{"bootstrap", "docker"}, {"from", "ubuntu:22.04"}, {"stage", "build"}},
				Arguments: Script{Body: "VERSION=1\n"},
				Setup:     Script{Body: "touch \"${APPTAINER_ROOTFS}/x\"\n"},
				Files: []FilesSection{{Files: []FileTransfer{
					{Src: "a.txt", Dst: "/opt/a.txt"}, {Src: "with space.txt", Dst: "/opt/with space.txt"}, {Src: "only-src"},
				}}},
				Labels:      []Label{{"Author", "me"}, {"Empty", ""}, {"Version", "1.0 beta"}},
				Environment: Script{Body: "export A=1\n"},
				Post:        Script{Args: "-c /bin/bash", Body: "echo one\n"},
				Test:        Script{Body: "true\n"},
				Runscript:   Script{Body: "exec \"$@\"\n"},
				Startscript: Script{Body: "exec sleep 1\n"},
				Help:        Script{Body: "Some help.\n"},
				Pre:         Script{Body: "echo pre\n"},
			},
		},
		{
			name: "repeated sections append; files from a stage; apps",
			src: `Bootstrap: docker
From: alpine
%post
echo 1
%files from build
/src/a /dst/a
%post
echo 2
%files from build
/src/b
%files
host.txt
%appinstall foo
make
%apprun foo
exec foo "$@"
%applabels foo
K V
%appfiles foo
x.txt
%apphelp bar
Bar help.
%appenv bar
export B=1
%apptest bar
true
%appstart bar
exec bar
`,
			want: &Definition{
				Header: []HeaderField{{"bootstrap", "docker"}, {"from", "alpine"}},
				Post:   Script{Body: "echo 1\necho 2\n"},
				Files: []FilesSection{
					{Args: "from build", Stage: "build", Files: []FileTransfer{{Src: "/src/a", Dst: "/dst/a"}, {Src: "/src/b"}}},
					{Files: []FileTransfer{{Src: "host.txt"}}},
				},
				Apps: []*App{
					{Name: "foo", Install: Script{Body: "make\n"}, Run: Script{Body: "exec foo \"$@\"\n"}, Labels: []Label{{"K", "V"}}, Files: []FileTransfer{{Src: "x.txt"}}},
					{Name: "bar", Help: Script{Body: "Bar help.\n"}, Env: Script{Body: "export B=1\n"}, Test: Script{Body: "true\n"}, Start: Script{Body: "exec bar\n"}},
				},
			},
		},
		{
			name: "header continuation, numbered keyword, CRLF lines",
			src:  "Bootstrap: yum\r\nOSVersion: 9\r\nMirrorURL: http://x/\\\r\n  os/\r\nOtherURL1: http://y/\r\nInclude: dnf\r\n%post\r\necho hi\r\n",
			want: &Definition{
				Header: []HeaderField{{"bootstrap", "yum"}, {"osversion", "9"}, {"mirrorurl", "http://x/os/"}, {"otherurl1", "http://y/"}, {"include", "dnf"}},
				Post:   Script{Body: "echo hi\n"},
			},
		},
		{
			name: "a file that starts with a section is trimmed like Apptainer's",
			src:  "  %runscript\necho hi\n\n\n",
			want: &Definition{Runscript: Script{Body: "echo hi"}},
		},
		{
			name: "an indented % word starts a section",
			src:  "Bootstrap: docker\nFrom: x\n%post\nprintf '\n  %s\n'\n",
			want: nil, // "%s" is not a section: Apptainer fails
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.src))
			if tt.want == nil {
				if !errors.Is(err, ErrInvalidSection) {
					t.Fatalf("Parse succeeded or failed otherwise (%v); want an invalid section error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Definition{}, "Sections"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSections(t *testing.T) {
	src := "Bootstrap: docker\nFrom: x\n%post\necho 1\n\n%appinstall app one\nmake\n%files from build # note\na b\n"
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Section{
		{Name: "post", Body: "echo 1\n\n"},
		{Name: "appinstall", App: "app", Args: "one", Body: "make\n"},
		{Name: "files", Args: "from build # note", Body: "a b\n"},
	}
	if diff := cmp.Diff(want, d.Sections); diff != "" {
		t.Errorf("Sections (-want +got):\n%s", diff)
	}
	if got := d.Files[0].Stage; got != "build" {
		t.Errorf("Stage = %q, want %q", got, "build")
	}
	if v, ok := d.Get("from"); !ok || v != "x" {
		t.Errorf(`Get("from") = %q, %v`, v, ok)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown section", "Bootstrap: docker\nFrom: x\n%bogus\n%other x\n", "invalid section(s) specified: bogus, other"},
		{"app section without a name", "Bootstrap: docker\n%apprun\n", "invalid section(s) specified: apprun"},
		{"header line without a colon", "Bootstrap docker\n%post\n", "failed to parse deffile header: header key Bootstrap docker had no val"},
		{"unknown header keyword", "Bootstrap: docker\nImage: x\n", "failed to parse deffile header: invalid header keyword found: image"},
		{"empty", "# only a comment\n\n", "empty definition file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseAll(t *testing.T) {
	src := `# leading comment
Bootstrap: docker
From: golang:1.22
Stage: build
%post
go build -o /app .

bootstrap: docker
From: alpine
%files from build
/app /usr/local/bin/app
`
	defs, err := ParseAll([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]HeaderField
	for _, d := range defs {
		got = append(got, d.Header)
	}
	want := [][]HeaderField{
		{{"bootstrap", "docker"}, {"from", "golang:1.22"}, {"stage", "build"}},
		{{"bootstrap", "docker"}, {"from", "alpine"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stage headers (-want +got):\n%s", diff)
	}
	if got := defs[1].Files[0].Stage; got != "build" {
		t.Errorf("second stage copies from %q, want build", got)
	}
	if _, err := ParseAll([]byte("# nothing\n")); err == nil {
		t.Error("ParseAll accepted a file without stages")
	}
}

func TestBuildArgs(t *testing.T) {
	src := "From: {{ base }}\n# {{ commented }}\necho x # {{ commented_too }}\n#!{{ shebang_is_not_a_comment }}\nv={{v2}}{{ v3 }}\n{ {x} }\n"
	want := []string{"base", "shebang_is_not_a_comment", "v2", "v3"}
	if diff := cmp.Diff(want, BuildArgs([]byte(src))); diff != "" {
		t.Errorf("BuildArgs (-want +got):\n%s", diff)
	}
}

func TestWord(t *testing.T) {
	for _, s := range []string{"plain", "a\n%post\nb", "x{{ y }}z", "{{{{", "\nBootstrap: docker", "\n", "", "it's\n  %s\r\n"} {
		w := word(s)
		if h := textHazard(w); h != "" {
			t.Errorf("word(%q) = %s: %s", s, w, h)
		}
		f, err := parseScript("x " + w)
		if err != nil {
			t.Fatalf("word(%q) = %s does not parse: %v", s, w, err)
		}
		got, err := shell.ReadLiteral(f.Stmts[0].Cmd.(*syntax.CallExpr).Args[1])
		if err != nil || got != s {
			t.Errorf("word(%q) = %s reads back as %q (%v)", s, w, got, err)
		}
		if strings.Count(w, "\n") != strings.Count(s, "\n") {
			t.Errorf("word(%q) = %s has extra lines", s, w)
		}
	}
}
