package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/docker/dockerread"
	"github.com/envc-dev/envc/emitters/readback"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/emitters/vagrant"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// hostileValues are strings special to some target: quotes of every kind,
// backslashes, backticks, command substitution, ${} and %{}, "#", "%",
// line breaks, NUL, tabs, leading dashes, unicode and long values. Each
// hides `touch CANARY` where a shell or Ruby would run it if it escaped
// its quoting.
var hostileValues = []string{
	`"; touch CANARY; echo "`,
	"`touch CANARY`",
	"$(touch CANARY)",
	"'; touch CANARY; '",
	`\"; touch CANARY; \"`,
	`'"'"'; touch CANARY #`,
	"#{`touch CANARY`}",
	"#{system('touch CANARY')}",
	`\`, `'`, `"`, "``", `\\'`,
	"${HOME}x", "$${x}", "$", "a$", "%{x}", "%%", "%s%n%d%", "100%",
	"# not a comment", "a #b", "a;b&c|d>e<f",
	"-rf", "--help", "-",
	"tab\there", "€ ü 日本 🚀", "\u00a0nbsp", "zero\u200bwidth", "bidi\u202eevil", "bom\ufeff", "join\u200d",
	"line\nbreak", "cr\rhere", "crlf\r\n", "nul\x00byte", "bell\a", "esc\x1b[0m", "nel\u0085", "ls\u2028",
	" padded ", "{{ ARG }}", "Bootstrap: docker", "%post", "%runscript\ntouch CANARY",
	"ENVC_EOF", "EOF", "*?[a]", "<<EOF",
	strings.Repeat("x'\"`$\\", 1000),
	strings.Repeat("y", 9000),
	"",
}

// carriedValues must be accepted wherever free text goes (env values,
// label values, the description, run arguments, VM settings).
var carriedValues = []string{
	`"; touch CANARY; echo "`,
	"`touch CANARY`",
	"$(touch CANARY)",
	"'; touch CANARY; '",
	`\"; touch CANARY; \"`,
	"#{`touch CANARY`}",
	"#{system('touch CANARY')}",
	"tab\there", "€ ü 日本 🚀", "-rf", "%s%n%d%", "a;b&c|d>e<f",
	strings.Repeat("x'\"`$\\", 1000),
}

// hclString returns s as an HCL quoted string whose value is s.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// compiled is one spec compiled through the whole pipeline and written to
// an output folder.
type compiled struct {
	dir   string // the spec's folder (a scratch folder)
	out   string // the environment's output folder
	env   *ir.Env
	files map[string][]byte
	diags hcl.Diagnostics
}

// compileSpec writes spec.hcl (and extra files) to a scratch folder and
// compiles it through the CLI's pipeline; with no errors it writes the
// outputs to out/.
func compileSpec(t *testing.T, spec string, extra map[string]string) *compiled {
	t.Helper()
	dir := t.TempDir()
	for name, data := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	specPath := filepath.Join(dir, "spec.hcl")
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, nil)
	out := filepath.Join(dir, "out")
	l, err := a.load(specPath, &specFlags{}, out)
	if err != nil {
		t.Fatal(err)
	}
	c := &compiled{dir: dir, diags: l.diags, files: map[string][]byte{}}
	if c.diags.HasErrors() {
		return c
	}
	ts, _ := parseTargets(nil)
	results, diags := emitAll(l.envs, ts, nil, false, emitters.DefaultMaxFileSize)
	c.diags = append(c.diags, diags...)
	if c.diags.HasErrors() {
		t.Fatalf("the compiler accepted the spec but an emitter refused it: %v\n%s", c.diags, spec)
	}
	if err := writeResults(out, dir, results); err != nil {
		t.Fatal(err)
	}
	c.env = l.envs[0]
	c.out = filepath.Join(out, c.env.Name)
	for _, f := range results[0].files {
		c.files[f.Path] = f.Data
	}
	return c
}

// errorOnLine reports whether diags hold an error whose range starts on
// line.
func errorOnLine(diags hcl.Diagnostics, line int) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil && d.Subject.Start.Line == line {
			return true
		}
	}
	return false
}

// expand is what an env value reads back as when no variable it refers to
// is set: literal text, references empty.
func expand(v string) string {
	var b strings.Builder
	for _, p := range ir.ParseWord(v) {
		b.WriteString(p.Lit)
	}
	return b.String()
}

// runSh runs script with sh in dir with an almost empty environment and
// returns its standard output.
func runSh(t *testing.T, dir, script string, args ...string) string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	cmd := exec.Command(sh, append([]string{"-c", script, "sh"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s\nscript:\n%s", err, stderr.String(), script)
	}
	return string(out)
}

// noCanary fails when a CANARY file exists in dir or below.
func noCanary(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "CANARY" {
			t.Errorf("a value ran as a command: %s exists", p)
		}
		return nil
	})
}

// needTools skips the test when a program is missing, and fails it in
// CI, which installs them all.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is required in CI", tool)
			}
			t.Skipf("%s is not installed: skipping what needs it", tool)
		}
	}
}

// readBack holds every target's output read back by its own parser.
type readBack struct {
	df      *docker.Dockerfile
	compose *docker.Service
	image   struct {
		Config struct {
			Env        []string
			Cmd        []string
			Entrypoint []string
			WorkingDir string
			Labels     map[string]string
			// Healthcheck is Docker's extension of the OCI config.
			Healthcheck *struct{ Test []string }
		} `json:"config"`
	}
	def  *singularity.Recipe
	sect map[string]string // %environment, %runscript, %post bodies
	boot *vagrant.Bootstrap
	vf   *vagrant.Vagrantfile
}

func readAll(t *testing.T, c *compiled, ruby bool) *readBack {
	t.Helper()
	var rb readBack
	var err error
	if rb.df, err = dockerread.ReadDockerfile(c.files["Dockerfile"], nil); err != nil {
		t.Fatalf("Dockerfile: %v\n%s", err, c.files["Dockerfile"])
	}
	if rb.compose, err = dockerread.ReadCompose(c.files["compose.yaml"]); err != nil {
		t.Fatalf("compose.yaml: %v\n%s", err, c.files["compose.yaml"])
	}
	if err := json.Unmarshal(c.files["image.json"], &rb.image); err != nil {
		t.Fatalf("image.json: %v", err)
	}
	if _, err := llbread.ReadBack(c.files["llb.pb"]); err != nil {
		t.Fatalf("llb.pb: %v", err)
	}
	if rb.def, err = singularity.ReadBack(c.files["Singularity.def"]); err != nil {
		t.Fatalf("Singularity.def: %v\n%s", err, c.files["Singularity.def"])
	}
	def, err := singularity.Parse(c.files["Singularity.def"])
	if err != nil {
		t.Fatal(err)
	}
	rb.sect = map[string]string{}
	for _, s := range def.Sections {
		rb.sect[s.Name] = s.Body
	}
	if rb.boot, err = vagrant.ReadBootstrap(c.files["bootstrap.sh"]); err != nil {
		t.Fatalf("bootstrap.sh: %v\n%s", err, c.files["bootstrap.sh"])
	}
	if ruby {
		if rb.vf, err = vagrant.ReadVagrantfile(filepath.Join(c.out, "Vagrantfile")); err != nil {
			t.Fatalf("Vagrantfile: %v\n%s", err, c.files["Vagrantfile"])
		}
	}
	return &rb
}

// scriptFile returns the content of the file bootstrap.sh writes to a
// path ending in suffix.
func (rb *readBack) scriptFile(t *testing.T, suffix string) string {
	t.Helper()
	for _, f := range rb.boot.Files {
		if strings.HasSuffix(f.Path, suffix) {
			return f.Content
		}
	}
	t.Fatalf("bootstrap.sh writes no *%s", suffix)
	return ""
}

// envStep returns the commands of bootstrap.sh's env steps.
func (rb *readBack) envStep() string {
	var b strings.Builder
	for _, s := range rb.boot.Steps {
		if s.Kind == "env" {
			for _, cmd := range s.Commands {
				b.WriteString(cmd.Source + "\n")
			}
		}
	}
	return b.String()
}

func (rb *readBack) dfLabel(key string) (string, bool) {
	for _, kv := range rb.df.Labels {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// runWrapper runs the Vagrant run wrapper, without its switch to root and
// its profile, and returns what it printed and the script it ran.
func runWrapper(t *testing.T, c *compiled, rb *readBack) (string, string) {
	t.Helper()
	wrapper := rb.scriptFile(t, "/demo-run")
	var kept []string
	inSwitch := false
	for _, line := range strings.Split(wrapper, "\n") {
		switch {
		case strings.Contains(line, "id -un"):
			inSwitch = true
		case inSwitch:
			inSwitch = line != "fi"
		case !strings.HasPrefix(line, ". /etc/profile.d/"):
			kept = append(kept, line)
		}
	}
	script := strings.Join(kept, "\n")
	return runSh(t, c.dir, script), script
}

// argvPlace is the place of an argv attribute (run, entrypoint) holding
// printf '[%s]' v: the Dockerfile instruction df, the image config field
// img and the .def's reading def (named so in failures) must be that argv,
// and %runscript and the Vagrant run wrapper must print [v].
func argvPlace(attr, df, img, def string, got func(*readBack) (df, img, def []string)) place {
	return place{
		name:    attr + " argument",
		body:    func(v string) string { return "  " + attr + " = [\"printf\", \"[%s]\", " + hclString(v) + "]\n" },
		carries: append([]string{"line\nbreak"}, carriedValues...),
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			argv := []string{"printf", "[%s]", v}
			gotDF, gotImg, gotDef := got(rb)
			if diff := cmp.Diff(argv, gotDF); diff != "" {
				t.Errorf("Dockerfile %s (-want +got):\n%s", df, diff)
			}
			if diff := cmp.Diff(argv, gotImg); diff != "" {
				t.Errorf("image.json %s (-want +got):\n%s", img, diff)
			}
			if diff := cmp.Diff(argv, gotDef); diff != "" {
				t.Errorf("%s (-want +got):\n%s", def, diff)
			}
			want := "[" + v + "]"
			if got := runSh(t, c.dir, rb.sect["runscript"]); got != want {
				t.Errorf("%%runscript printed %q, want %q", got, want)
			}
			if got, wrapper := runWrapper(t, c, rb); got != want {
				t.Errorf("wrapper printed %q, want %q\n%s", got, want, wrapper)
			}
		},
	}
}

// place is one position in a spec where a string lands.
type place struct {
	name string
	// body is the environment body with the value on its own line.
	body func(v string) string
	// line is the spec line the value is on (valueLine when 0).
	line int
	// carries lists values that must be accepted here.
	carries []string
	// file, when set, names a file the spec directory must hold.
	file func(v string) string
	// check verifies an accepted value read back by every target.
	check func(t *testing.T, v string, c *compiled, rb *readBack)
}

const specHead = "environment \"demo\" {\n  base = \"debian:bookworm\"\n"

// valueLine is the line on which every place puts the value.
const valueLine = 3

var places = []place{
	{
		name:    "env value",
		body:    func(v string) string { return "  env = { HOSTILE = " + hclString(v) + " }\n" },
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			want := expand(v)
			if diff := cmp.Diff([]docker.KeyValue{{Key: "HOSTILE", Value: want}}, rb.df.Env); diff != "" {
				t.Errorf("Dockerfile ENV (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"HOSTILE=" + want}, rb.image.Config.Env[len(rb.image.Config.Env)-1:]); diff != "" {
				t.Errorf("image.json Env (-want +got):\n%s", diff)
			}
			if len(rb.def.Env) != 1 || !cmp.Equal(rb.def.Env[0].Value, ir.ParseWord(v)) {
				t.Errorf("%%environment: %+v, want %+v", rb.def.Env, ir.ParseWord(v))
			}
			show := `printf '[%s]' "$HOSTILE"`
			wantOut := "[" + want + "]"
			for name, script := range map[string]string{
				"bootstrap.sh env step": rb.envStep(),
				"profile":               rb.scriptFile(t, ".sh"),
				"%environment":          rb.sect["environment"],
				"%post":                 rb.sect["post"],
			} {
				if got := runSh(t, c.dir, script+"\n"+show); got != wantOut {
					t.Errorf("%s printed %q, want %q", name, got, wantOut)
				}
			}
		},
	},
	{
		name: "env name",
		body: func(v string) string { return "  env = { " + hclString(v) + " = \"x\" }\n" },
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if diff := cmp.Diff([]docker.KeyValue{{Key: v, Value: "x"}}, rb.df.Env); diff != "" {
				t.Errorf("Dockerfile ENV (-want +got):\n%s", diff)
			}
		},
	},
	{
		name:    "label value",
		body:    func(v string) string { return "  labels = { note = " + hclString(v) + " }\n" },
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			checkLabel(t, "note", v, rb)
		},
	},
	{
		name:    "label key",
		body:    func(v string) string { return "  labels = { " + hclString(v) + " = \"x\" }\n" },
		carries: []string{"`id`", "$(id)", "a\"b'c", "€", "x=y", "a.b-c/d:e", "{`id`}", "a\\b"},
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			checkLabel(t, v, "x", rb)
		},
	},
	{
		name:    "description",
		body:    func(v string) string { return "  description = " + hclString(v) + "\n" },
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if v == "" {
				if _, ok := rb.dfLabel(ir.DescriptionLabel); ok {
					t.Errorf("an empty description makes a label")
				}
				return
			}
			checkLabel(t, ir.DescriptionLabel, v, rb)
		},
	},
	argvPlace("run", "CMD", "Cmd", "%runscript", func(rb *readBack) (df, img, def []string) {
		return rb.df.Cmd, rb.image.Config.Cmd, rb.def.Run
	}),
	argvPlace("entrypoint", "ENTRYPOINT", "Entrypoint", "%runscript entrypoint", func(rb *readBack) (df, img, def []string) {
		return rb.df.Entrypoint, rb.image.Config.Entrypoint, rb.def.Entrypoint
	}),
	{
		name:    "healthcheck argument",
		body:    func(v string) string { return "  healthcheck { test = [\"printf\", " + hclString(v) + "] }\n" },
		carries: append([]string{"line\nbreak"}, carriedValues...),
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			argv := []string{"printf", v}
			if rb.df.Healthcheck == nil || !slices.Equal(rb.df.Healthcheck.Test, argv) {
				t.Errorf("Dockerfile HEALTHCHECK %+v, want %q", rb.df.Healthcheck, argv)
			}
			if rb.compose.Healthcheck == nil || !slices.Equal(rb.compose.Healthcheck.Test, argv) {
				t.Errorf("compose.yaml healthcheck %+v, want %q", rb.compose.Healthcheck, argv)
			}
			if h := rb.image.Config.Healthcheck; h == nil || !slices.Equal(h.Test, append([]string{"CMD"}, argv...)) {
				t.Errorf("image.json Healthcheck %+v, want CMD %q", h, argv)
			}
			view, err := singularity.Effective(c.files["Singularity.def"])
			if err != nil {
				t.Fatal(err)
			}
			if view.Healthcheck == nil || !slices.Equal(view.Healthcheck.Test, argv) {
				t.Errorf("%%help healthcheck %+v, want %q", view.Healthcheck, argv)
			}
		},
	},
	{
		name:    "hpc bind",
		body:    func(v string) string { return "  hpc { binds = [" + hclString("/"+v) + "] }\n" },
		carries: []string{"sc ratch/it's \"$HOME\" `id` $(id) {{ X }} %post #x €"},
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			view, err := singularity.Effective(c.files["Singularity.def"])
			if err != nil {
				t.Fatal(err)
			}
			p := path.Clean("/" + v)
			if h := view.HPC; h == nil || len(h.Binds) != 1 || h.Binds[0].Source != p || h.Binds[0].Target != p {
				t.Errorf("%%help binds %+v, want %q", h, p)
			}
			if got := runSh(t, c.dir, rb.sect["runscript"]); got != "" {
				t.Errorf("%%runscript printed %q", got)
			}
		},
	},
	{
		name: "step env value",
		line: 4,
		body: func(v string) string {
			return "  step {\n    env = { HOSTILE = " + hclString(v) + " }\n    run = \"printf '[%s]' \\\"$HOSTILE\\\" > /tmp/out\"\n  }\n"
		},
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			// Every target's read-back says what the spec says, the
			// step's variable included.
			for _, r := range readback.All() {
				for _, d := range differences(t, r.Target, c.env, c.files) {
					t.Errorf("%s", d)
				}
			}
			// And sh gives the command the value itself.
			var step *ir.RunStep
			for _, s := range c.env.Steps {
				if r, ok := s.(*ir.RunStep); ok {
					step = r
				}
			}
			if step == nil || len(step.Env) != 1 {
				t.Fatalf("no run step with one variable in %s", ir.Dump(c.env))
			}
			// The line bootstrap.sh exports it with, run by sh.
			var export string
			for _, line := range strings.Split(string(c.files["bootstrap.sh"]), "\n") {
				if strings.HasPrefix(line, "export HOSTILE=") {
					export = line
				}
			}
			if got, want := runSh(t, c.dir, export+"\nprintf '[%s]' \"$HOSTILE\""), "["+expand(v)+"]"; got != want {
				t.Errorf("bootstrap.sh's %q gives %q, want %q", export, got, want)
			}
		},
	},
	{
		name: "pip venv",
		line: 5,
		body: func(v string) string {
			return "  pip {\n    packages = [\"numpy\"]\n    venv     = " + hclString("/opt/"+v) + "\n  }\n"
		},
		carries: []string{"tab\there", "\u00a0nbsp", "zero\u200bwidth", "bidi\u202eevil", "$(touch CANARY)", "a b", "€"},
		check:   everyTargetAgrees,
	},
	{
		name: "pip index_url",
		line: 5,
		body: func(v string) string {
			return "  pip {\n    packages  = [\"numpy\"]\n    index_url = " + hclString("https://pypi.example.org/"+v) + "\n  }\n"
		},
		carries: urlCarried,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			everyTargetAgrees(t, v, c, rb)
			// sh hands pip the URL as one argument, as written.
			r := managerStep(t, c.env, "pip")
			got := runSh(t, c.dir, "python3() { printf '[%s]' \"$@\"; }\n"+r.Command)
			if want := "[--index-url][https://pypi.example.org/" + v + "]"; !strings.Contains(got, want) {
				t.Errorf("pip got %q, want %q in it", got, want)
			}
		},
	},
	{
		name: "pip extra index and env",
		line: 5,
		body: func(v string) string {
			return "  pip {\n    packages         = [\"numpy\"]\n    extra_index_urls = [" + hclString("https://x.example.org/"+v) + "]\n    env = { CFLAGS = " + hclString(v) + " }\n  }\n"
		},
		carries: urlCarried,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			everyTargetAgrees(t, v, c, rb)
			r := managerStep(t, c.env, "pip")
			got := runSh(t, c.dir, "python3() { printf '[%s]' \"$@\"; }\n"+r.Command)
			if want := "[--extra-index-url][https://x.example.org/" + v + "]"; !strings.Contains(got, want) {
				t.Errorf("pip got %q, want %q in it", got, want)
			}
		},
	},
	{
		name: "pipx index_url",
		line: 5,
		body: func(v string) string {
			return "  pipx {\n    packages  = [\"black\"]\n    index_url = " + hclString("https://pypi.example.org/"+v) + "\n  }\n"
		},
		carries: urlCarried,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			everyTargetAgrees(t, v, c, rb)
			// pipx's pips read the index from the environment.
			r := managerStep(t, c.env, "pipx")
			got := runSh(t, c.dir, "pipx() { printf '[%s][%s][%s]' \"$PIP_INDEX_URL\" \"$PIPX_HOME\" \"$*\"; }\n"+r.Command)
			if want := "[https://pypi.example.org/" + v + "][/opt/pipx][install black]"; got != want {
				t.Errorf("pipx got %q, want %q", got, want)
			}
		},
	},
	{
		name: "user home",
		line: 4,
		body: func(v string) string {
			return "  user \"sim\" {\n    home  = " + hclString("/home/"+v) + "\n  }\n"
		},
		carries: []string{"zero\u200bwidth", "bidi\u202eevil", "$(touch CANARY)", "a b", "€", "{{ ARG }}"},
		check:   everyTargetAgrees,
	},
	{
		name: "user shell",
		line: 4,
		body: func(v string) string {
			return "  user \"sim\" {\n    shell = " + hclString("/bin/"+v) + "\n  }\n"
		},
		carries: []string{"zero\u200bwidth", "$(touch CANARY)", "a b", "{{ ARG }}"},
		check:   everyTargetAgrees,
	},
	{
		name: "step workdir",
		line: 4,
		body: func(v string) string {
			return "  step {\n    workdir = " + hclString("/srv/"+v) + "\n    run     = \"pwd\"\n  }\n"
		},
		carries: []string{"tab\there", "zero\u200bwidth", "bidi\u202eevil", "$(touch CANARY)", "a b", "€", "{{ ARG }}"},
		check:   everyTargetAgrees,
	},
	{
		name:    "workdir",
		body:    func(v string) string { return "  workdir = " + hclString("/srv/"+v) + "\n" },
		carries: []string{"`touch CANARY`", "$(touch CANARY)", `"; touch CANARY; echo "`, "a b", "€", "-rf", "#x", "%s"},
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			want := path.Clean("/srv/" + v)
			if rb.df.Workdir != want || rb.image.Config.WorkingDir != want || rb.def.Workdir != want {
				t.Errorf("workdir: Dockerfile %q, image.json %q, .def %q; want %q", rb.df.Workdir, rb.image.Config.WorkingDir, rb.def.Workdir, want)
			}
		},
	},
	{
		name: "file target",
		line: 4,
		body: func(v string) string {
			return "  file {\n    target = " + hclString("/opt/"+v) + "\n    source = \"data.txt\"\n  }\n"
		},
		carries: []string{"`touch CANARY`", "$(touch CANARY)", `"; touch CANARY; echo "`, "a b", "€", "-rf", "#x", "%s", "*?[a]"},
		file:    func(string) string { return "data.txt" },
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			want := path.Clean("/opt/" + v)
			var got []string
			for _, op := range rb.df.Ops {
				if op.Kind == docker.OpCopy {
					got = append(got, op.Dest)
				}
			}
			for _, s := range rb.def.Steps {
				if s.Copy != nil {
					got = append(got, s.Copy.Target)
				}
			}
			if diff := cmp.Diff([]string{want, want}, got); diff != "" {
				t.Errorf("copy targets (-want +got):\n%s", diff)
			}
		},
	},
	{
		name: "file source",
		line: 4,
		body: func(v string) string {
			return "  file {\n    source = " + hclString(v) + "\n    target = \"/opt/data\"\n  }\n"
		},
		carries: []string{"`touch CANARY`", "$(touch CANARY)", `"; touch CANARY; echo "`, "a b", "€", "-rf", "#x", "%s",
			"'; touch CANARY; '"},
		file: func(v string) string {
			if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/\x00") || len(v) > 200 {
				return ""
			}
			return v
		},
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			want := "files/" + v
			var got []string
			for _, op := range rb.df.Ops {
				if op.Kind == docker.OpCopy {
					got = append(got, op.Source)
				}
			}
			for _, s := range rb.def.Steps {
				if s.Copy != nil {
					got = append(got, s.Copy.Source)
				}
			}
			if diff := cmp.Diff([]string{want, want}, got); diff != "" {
				t.Errorf("copy sources (-want +got):\n%s", diff)
			}
			data, err := os.ReadFile(filepath.Join(c.out, "files", v))
			if err != nil || string(data) != "data\n" {
				t.Errorf("build context file: %q, %v", data, err)
			}
		},
	},
	{
		name: "mount target",
		line: 4,
		body: func(v string) string {
			return "  mount {\n    target = " + hclString("/mnt/"+v) + "\n    source = \"data\"\n  }\n"
		},
		carries: []string{"a.b_c+d,e:f@g=h-i", "ü日本"},
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			want := path.Clean("/mnt/" + v)
			if len(rb.compose.Mounts) != 1 || rb.compose.Mounts[0].Target != want {
				t.Errorf("compose volumes: %+v, want target %q", rb.compose.Mounts, want)
			}
			if diff := cmp.Diff([]string{want}, rb.def.MountTargets); diff != "" {
				t.Errorf("%%post mount targets (-want +got):\n%s", diff)
			}
			if rb.vf != nil && (len(rb.vf.SyncedFolders) != 2 || rb.vf.SyncedFolders[1].Target != want) {
				t.Errorf("synced folders: %+v, want target %q", rb.vf.SyncedFolders, want)
			}
		},
	},
	{
		name: "mount source",
		line: 4,
		body: func(v string) string {
			return "  mount {\n    source = " + hclString(v) + "\n    target = \"/data\"\n  }\n"
		},
		carries: []string{"`touch CANARY`", "$(touch CANARY)", "'; touch CANARY; '", "a b", "€", "#{`touch CANARY`}"},
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			want := c.env.Mounts[0].Source
			if len(rb.compose.Mounts) != 1 || rb.compose.Mounts[0].Source != want {
				t.Errorf("compose volumes: %+v, want source %q", rb.compose.Mounts, want)
			}
			if rb.vf != nil && (len(rb.vf.SyncedFolders) != 2 || !strings.HasSuffix(rb.vf.SyncedFolders[1].Source, strings.TrimPrefix(want, "~"))) {
				t.Errorf("synced folders: %+v, want source %q", rb.vf.SyncedFolders, want)
			}
			// The source names the same folder, seen from the output folder.
			if !filepath.IsAbs(v) && filepath.Clean(filepath.Join(c.out, want)) != filepath.Clean(filepath.Join(c.dir, v)) {
				t.Errorf("mount source %q does not lead to %q", want, v)
			}
		},
	},
	{
		name: "user",
		body: func(v string) string { return "  user = " + hclString(v) + "\n" },
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if rb.df.User != v {
				t.Errorf("USER %q, want %q", rb.df.User, v)
			}
		},
	},
	{
		name: "package",
		body: func(v string) string { return "  packages = [" + hclString(v) + "]\n" },
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if !strings.Contains(strings.Join(rb.df.Ops[0].Args, " "), v) {
				t.Errorf("the install step does not name %q: %q", v, rb.df.Ops[0].Args)
			}
		},
	},
	{
		name:    "vm box",
		body:    func(v string) string { return "  vm { box = " + hclString(v) + " }\n" },
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if rb.vf != nil && v != "" && rb.vf.Box != v {
				t.Errorf("config.vm.box = %q, want %q", rb.vf.Box, v)
			}
		},
	},
	{
		name:    "vm name",
		body:    func(v string) string { return "  vm { name = " + hclString(v) + " }\n" },
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if rb.vf == nil {
				return
			}
			for _, p := range rb.vf.Providers {
				for _, s := range p.Settings {
					if s.Name == "name" && s.Value != v {
						t.Errorf("%s name = %q, want %q", p.Name, s.Value, v)
					}
				}
			}
		},
	},
	{
		name:    "vm box_url",
		line:    4,
		body:    func(v string) string { return "  vm {\n    box_url = " + hclString(v) + "\n    box = \"b\"\n  }\n" },
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if rb.vf != nil && rb.vf.BoxURL != v {
				t.Errorf("config.vm.box_url = %q, want %q", rb.vf.BoxURL, v)
			}
		},
	},
	{
		// A target block's values reach their target alone, as literals.
		name: "target env value",
		body: func(v string) string {
			return "  target \"singularity\" { env = { HOSTILE = " + hclString(v) + " } }\n"
		},
		carries: carriedValues,
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if len(rb.df.Env) != 0 {
				t.Errorf("Dockerfile ENV holds another target's variable: %v", rb.df.Env)
			}
			if len(rb.def.Env) != 1 || !cmp.Equal(rb.def.Env[0].Value, ir.ParseWord(v)) {
				t.Errorf("%%environment: %+v, want %+v", rb.def.Env, ir.ParseWord(v))
			}
			want := "[" + expand(v) + "]"
			if got := runSh(t, c.dir, rb.sect["environment"]+"\n"+`printf '[%s]' "$HOSTILE"`); got != want {
				t.Errorf("%%environment printed %q, want %q", got, want)
			}
			everyTargetAgrees(t, v, c, rb)
		},
	},
	{
		name: "target run argument",
		body: func(v string) string {
			return "  target \"vagrant\" { run = [\"printf\", \"[%s]\", " + hclString(v) + "] }\n"
		},
		carries: append([]string{"line\nbreak"}, carriedValues...),
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if rb.image.Config.Cmd != nil || rb.sect["runscript"] != "" && strings.Contains(rb.sect["runscript"], "printf") {
				t.Errorf("another target has the vagrant target's run command: Cmd %q, %%runscript %q", rb.image.Config.Cmd, rb.sect["runscript"])
			}
			want := "[" + v + "]"
			if got, wrapper := runWrapper(t, c, rb); got != want {
				t.Errorf("wrapper printed %q, want %q\n%s", got, want, wrapper)
			}
			everyTargetAgrees(t, v, c, rb)
		},
	},
	{
		name: "target entrypoint argument",
		body: func(v string) string {
			return "  target \"llb\" { entrypoint = [\"printf\", \"[%s]\", " + hclString(v) + "] }\n"
		},
		carries: append([]string{"line\nbreak"}, carriedValues...),
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if diff := cmp.Diff([]string{"printf", "[%s]", v}, rb.image.Config.Entrypoint); diff != "" {
				t.Errorf("image.json Entrypoint (-want +got):\n%s", diff)
			}
			if rb.df.Entrypoint != nil {
				t.Errorf("the Dockerfile has the llb target's entrypoint: %q", rb.df.Entrypoint)
			}
			everyTargetAgrees(t, v, c, rb)
		},
	},
	{
		name: "target workdir",
		body: func(v string) string { return "  target \"docker\" { workdir = " + hclString("/w/"+v) + " }\n" },
		check: func(t *testing.T, v string, c *compiled, rb *readBack) {
			if rb.image.Config.WorkingDir != "" {
				t.Errorf("image.json WorkingDir is the docker target's: %q", rb.image.Config.WorkingDir)
			}
			everyTargetAgrees(t, v, c, rb)
		},
	},
}

func checkLabel(t *testing.T, key, value string, rb *readBack) {
	t.Helper()
	if got, ok := rb.dfLabel(key); !ok || got != value {
		t.Errorf("Dockerfile LABEL %q = %q, want %q", key, got, value)
	}
	if got := rb.image.Config.Labels[key]; got != value {
		t.Errorf("image.json label %q = %q, want %q", key, got, value)
	}
	found := false
	for _, l := range rb.def.Labels {
		if l.Key == key {
			found = true
			if l.Value != value {
				t.Errorf("%%labels %q = %q, want %q", key, l.Value, value)
			}
		}
	}
	if !found {
		t.Errorf("%%labels has no %q: %+v", key, rb.def.Labels)
	}
	var labels map[string]string
	if err := json.Unmarshal([]byte(rb.scriptFile(t, "/labels.json")), &labels); err != nil {
		t.Fatal(err)
	}
	if labels[key] != value {
		t.Errorf("labels.json %q = %q, want %q", key, labels[key], value)
	}
}

// TestHostileValues puts every hostile value in every place a spec string
// lands, compiles the spec text through the whole pipeline and checks
// that either every target reads the value back as the same text (with
// the targets' own parsers: BuildKit's Dockerfile parser, compose-go,
// the LLB and OCI decoders, the .def parser, mvdan.cc/sh, Ruby, and a
// real sh for the scripts) with no canary run, or the compiler refused it
// with an error at the value.
func TestHostileValues(t *testing.T) {
	ruby := true
	if _, err := exec.LookPath("ruby"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ruby is required in CI")
		}
		t.Log("ruby not installed: the Vagrantfile is not evaluated")
		ruby = false
	}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			carries := map[string]bool{}
			for _, v := range p.carries {
				carries[v] = true
			}
			accepted := 0
			for i, v := range append(append([]string(nil), hostileValues...), p.carries...) {
				extra := map[string]string{}
				if p.file != nil {
					if name := p.file(v); name != "" {
						extra[name] = "data\n"
					} else {
						continue
					}
				}
				spec := specHead + p.body(v) + "}\n"
				c := compileSpec(t, spec, extra)
				if c.diags.HasErrors() {
					if carries[v] {
						t.Errorf("value %d %.80q refused, but it must be carried: %.300v", i, v, c.diags)
					} else if line := p.line; !errorOnLine(c.diags, line) && !(line == 0 && errorOnLine(c.diags, valueLine)) {
						t.Errorf("value %d %.80q refused, but not at the value (line %d): %.300v", i, v, line, c.diags)
					}
					continue
				}
				accepted++
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Errorf("value %d %q accepted", i, v)
				}
				// Ruby runs only for some values: it is slow.
				rb := readAll(t, c, ruby && (carries[v] || strings.HasPrefix(p.name, "vm") || strings.HasPrefix(p.name, "mount")))
				p.check(t, v, c, rb)
				noCanary(t, c.dir)
			}
			if len(p.carries) > 0 && accepted < len(p.carries) {
				t.Errorf("only %d values accepted", accepted)
			}
		})
	}
}

// TestCanarySpec compiles testdata/hostile/canary.hcl: an env value
// `"; touch CANARY; echo "` and a label `touch CANARY` in backquotes.
// Running bootstrap.sh's env step and profile and the .def's %post,
// %environment and %runscript under sh in a scratch folder prints the
// exact values and creates no CANARY.
func TestCanarySpec(t *testing.T) {
	src, err := os.ReadFile("../../testdata/hostile/canary.hcl")
	if err != nil {
		t.Fatal(err)
	}
	c := compileSpec(t, string(src), nil)
	if c.diags.HasErrors() {
		t.Fatalf("canary.hcl does not compile: %v", c.diags)
	}
	rb := readAll(t, c, false)
	const value = `"; touch CANARY; echo "`
	const label = "`touch CANARY`"
	show := `printf '%s\n' "$HOSTILE"`
	scratch := t.TempDir()
	env := rb.envStep()
	for name, script := range map[string]string{
		"bootstrap.sh env step": env,
		"bootstrap.sh profile":  rb.scriptFile(t, ".sh"),
		"%post":                 rb.sect["post"],
		"%environment":          rb.sect["environment"],
	} {
		if got := runSh(t, scratch, script+"\n"+show); got != value+"\n" {
			t.Errorf("%s printed %q, want %q", name, got, value+"\n")
		}
	}
	// The run command prints the label's text too.
	want := value + "\n" + label + "\n"
	if got := runSh(t, scratch, rb.sect["environment"]+"\n"+rb.sect["runscript"]); got != want {
		t.Errorf("%%runscript printed %q, want %q", got, want)
	}
	checkLabel(t, "note", label, rb)
	noCanary(t, scratch)
	noCanary(t, c.dir)
}

// urlCarried are hostile values an index URL must carry: a URL has no
// spaces, so they hide their commands without them.
var urlCarried = []string{"$(touch${IFS}CANARY)", "`touch${IFS}CANARY`", "';touch${IFS}CANARY;'", `";touch${IFS}CANARY;echo${IFS}"`,
	"a;b&c|d>e<f", "€ü日本🚀", "{{ARG}}", "${HOME}x", "#x", "%25{x}", `\"'`}

// managerStep returns env's run step of the package manager m ("pip",
// or a ManagedInstall's manager).
func managerStep(t *testing.T, env *ir.Env, m string) *ir.RunStep {
	t.Helper()
	for _, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok && (m == "pip" && r.Pip != nil || r.Managed != nil && r.Managed.Manager == m) {
			return r
		}
	}
	t.Fatalf("no %s step in %s", m, ir.Dump(env))
	return nil
}

// everyTargetAgrees checks that every target's read-back says what the
// spec says.
func everyTargetAgrees(t *testing.T, v string, c *compiled, rb *readBack) {
	t.Helper()
	for _, r := range readback.All() {
		for _, d := range differences(t, r.Target, c.env, c.files) {
			t.Errorf("value %.80q: %s", v, d)
		}
	}
}
