package lockfile

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"mvdan.cc/sh/v3/syntax"
)

// The golden case's lock file is Write's output: reading it and writing
// it again gives the same bytes.
func TestRoundTripGolden(t *testing.T) {
	src, err := os.ReadFile("../testdata/golden/locked/spec.lock.hcl")
	if err != nil {
		t.Fatal(err)
	}
	f, _, diags := Read("spec.lock.hcl", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	f.Spec = "spec.hcl"
	if got := Write(f); !bytes.Equal(got, src) {
		t.Errorf("written again, the lock differs (-want +got):\n%s", cmp.Diff(string(src), string(got)))
	}
	e := f.Lookup("analysis")
	if e == nil || e.Platform("linux/amd64") == nil || e.Stage("build") == nil {
		t.Fatalf("read %+v", f)
	}
	if got := e.Platform("linux/amd64").PipAt("venv:/opt/lab").Packages["jupyterlab"]; got != "4.3.4" {
		t.Errorf("jupyterlab = %q", got)
	}
}

// Write is deterministic whatever order the lists come in, and Read
// gives back what was written.
func TestWriteDeterministic(t *testing.T) {
	mk := func(reverse bool) *File {
		p1 := &Platform{Name: "linux/amd64", Manager: "apt", Packages: map[string]string{"g++": "4:12.2.0-3", "curl": "7.88.1-10+deb12u8"},
			Dependencies: map[string]string{"libc6:i386": "2.36-9", "zlib1g": "1:1.2.13.dfsg-1"}}
		p2 := &Platform{Name: "linux/arm64", Manager: "apt", Packages: map[string]string{"curl": "7.88.1-10+deb12u8"}}
		a := &Env{Name: "a", Base: "debian:bookworm", Digest: "sha256:" + strings.Repeat("ab", 32), Platforms: []*Platform{p1, p2},
			Stages: []*Env{{Name: "s2", Base: "debian:bookworm"}, {Name: "s1", Base: "alpine:3.20"}}}
		b := &Env{Name: "b", Base: "quay.io/x/y:1 ${not} %{ref}", Box: "debian/bookworm64", BoxVersion: "12.20240905.1"}
		f := &File{Spec: "spec.hcl", Envs: []*Env{a, b}}
		if reverse {
			f.Envs = []*Env{b, a}
			a.Platforms = []*Platform{p2, p1}
			a.Stages = []*Env{a.Stages[1], a.Stages[0]}
		}
		return f
	}
	one, two := Write(mk(false)), Write(mk(true))
	if !bytes.Equal(one, two) {
		t.Fatalf("order changed the bytes:\n%s\n----\n%s", one, two)
	}
	back, _, diags := Read("x.lock.hcl", one)
	if diags.HasErrors() {
		t.Fatalf("%s\n%s", diags, one)
	}
	back.Spec = "spec.hcl"
	want := mk(false)
	want.Sort()
	opts := cmpopts.IgnoreTypes(hcl.Range{})
	if diff := cmp.Diff(want, back, opts); diff != "" {
		t.Errorf("read back differs (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"version = 2\n", "Unsupported lock file version"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n digest = \"sha256:12\"\n}\n", "Invalid digest"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n}\nenvironment \"a\" {\n base = \"x\"\n}\n", "Duplicate environment name"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n platform \"linux/amd64\" {\n  packages = { curl = \"1 ; rm\" }\n }\n}\n", "Invalid package"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n platform \"linux/amd64\" {\n  manager = \"yum\"\n }\n}\n", "Unknown package manager"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n platform \"linux/amd64\" {\n  pip \"venv:rel\" {}\n }\n}\n", "Invalid pip location"},
		{"version = 1\nenvironment \"a\" {\n}\n", "Missing required argument"},
	} {
		_, _, diags := Read("x.lock.hcl", []byte(tc.src))
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, diags, tc.want)
		}
		for _, d := range diags {
			if d.Subject == nil || d.Subject.Filename != "x.lock.hcl" || d.Subject.Start.Line == 0 {
				t.Errorf("%q: %q has no position", tc.src, d.Summary)
			}
		}
	}
}

func TestPath(t *testing.T) {
	for in, want := range map[string]string{"spec.hcl": "spec.lock.hcl", "dir/env.hcl": "dir/env.lock.hcl", "spec": "spec.lock.hcl"} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePackages(t *testing.T) {
	apt := "native\tamd64\nii \tcurl\tamd64\t7.88.1-10+deb12u8\nii \tca-certificates\tall\t20230311\nii \tlibc6\ti386\t2.36-9\nrc \told\tamd64\t1.0\n"
	want := map[string]string{"curl": "7.88.1-10+deb12u8", "ca-certificates": "20230311", "libc6:i386": "2.36-9"}
	if diff := cmp.Diff(want, ParsePackages("apt", []byte(apt))); diff != "" {
		t.Errorf("apt (-want +got):\n%s", diff)
	}
	rpm := "bash\t5.1.8-9.el9\ngpg-pubkey\t3228467c-613798eb\nperl-libs\t4:5.32.1-481.el9\n"
	want = map[string]string{"bash": "5.1.8-9.el9", "perl-libs": "4:5.32.1-481.el9"}
	if diff := cmp.Diff(want, ParsePackages("dnf", []byte(rpm))); diff != "" {
		t.Errorf("rpm (-want +got):\n%s", diff)
	}
	if got := ParsePip([]byte("Meshio\t5.3.5\nzope.interface\t7.2\n")); !cmp.Equal(got, map[string]string{"meshio": "5.3.5", "zope-interface": "7.2"}) {
		t.Errorf("pip: %v", got)
	}
}

func TestSplit(t *testing.T) {
	before := map[string]string{"libc6": "2.36-9", "zlib1g": "1"}
	after := map[string]string{"libc6": "2.36-9", "zlib1g": "2", "curl": "7", "libcurl4": "7", "ca-certificates": "2023"}
	pkgs, deps := Split(before, after, []string{"curl", "ca-certificates", "missing"})
	if diff := cmp.Diff(map[string]string{"curl": "7", "ca-certificates": "2023"}, pkgs); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"libcurl4": "7", "zlib1g": "2"}, deps); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
}

func TestNormalizePip(t *testing.T) {
	for in, want := range map[string]string{"Django": "django", "zope.interface": "zope-interface", "a__b--c": "a-b-c", "ruamel.yaml.clib": "ruamel-yaml-clib"} {
		if got := NormalizePip(in); got != want {
			t.Errorf("NormalizePip(%q) = %q, want %q", in, got, want)
		}
	}
}

// The probe commands are POSIX sh.
func TestProbesParse(t *testing.T) {
	var cmds []string
	for _, m := range []string{"apt", "dnf", "apk", "zypper"} {
		cmds = append(cmds, PackagesProbe(m))
	}
	for _, loc := range []string{"system", "user:sim", "venv:/opt/lab"} {
		cmds = append(cmds, PipProbe(loc))
	}
	for _, c := range cmds {
		if _, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(c), ""); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
}
