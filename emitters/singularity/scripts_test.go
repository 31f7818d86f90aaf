package singularity

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// TestShellcheck runs shellcheck on %post, %environment and %runscript,
// each extracted as a script with "#!/bin/sh" prepended.
func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck)")
	}
	for _, tc := range cases {
		data, _ := emit(t, tc.env())
		d, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct{ name, body string }{{"post", d.Post.Body}, {"environment", d.Environment.Body}, {"runscript", d.Runscript.Body}} {
			t.Run(tc.name+"/"+s.name, func(t *testing.T) {
				// SC2016 (info) notes "$" or a backquote in single quotes:
				// exactly what quoting a literal must produce. Every other
				// code, at every severity, fails the test.
				cmd := exec.Command(sc, "--shell=sh", "--exclude=SC2016", "-")
				cmd.Stdin = strings.NewReader("#!/bin/sh\n" + s.body)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("shellcheck: %v\n%s\nscript:\n%s", err, out, s.body)
				}
			})
		}
	}
}

// runSh runs script with sh in dir, with args as "$@", and returns its
// standard output.
func runSh(t *testing.T, dir, script string, args ...string) string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	cmd := exec.Command(sh, append([]string{"-c", script, "sh"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s\nscript:\n%s", err, stderr.String(), script)
	}
	return string(out)
}

func noCanary(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
		t.Errorf("a command hidden in a value ran: %s/CANARY exists", dir)
	}
}

// TestRealShell runs the env steps of %post, and %environment with
// %runscript, under a real sh: every value must print exactly, and no
// command hidden in a value may run.
func TestRealShell(t *testing.T) {
	for _, tc := range []testCase{{"hostile", irtest.Hostile}, {"hazardous", hazardous}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := tc.env()
			// The working directory must exist on this machine.
			env.Workdir = filepath.Join(dir, "work dir'$(touch CANARY)")
			if err := os.Mkdir(env.Workdir, 0o755); err != nil {
				t.Fatal(err)
			}
			env.Run = append([]string{"printf", `%s\000`}, env.Run[2:]...)
			data, _ := emit(t, env)
			r, err := ReadBack(data)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			lookup := map[string]string{"PATH": os.Getenv("PATH")}
			var names, want []string
			for _, v := range env.RunEnv() {
				lookup[v.Name] = v.Value.Expand(func(n string) string { return lookup[n] })
				names = append(names, `"$`+v.Name+`"`)
				want = append(want, lookup[v.Name])
			}
			printVars := "\nprintf '%s\\000' " + strings.Join(names, " ") + "\n"
			wantVars := strings.Join(want, "\x00") + "\x00"

			// %post: the prologue and the env steps.
			post := postPrologue + "\n"
			for _, s := range r.Steps {
				if s.Kind == "env" {
					post += s.Script + "\n"
				}
			}
			if got := runSh(t, dir, post+printVars); got != wantVars {
				t.Errorf("%%post exports print %q, want %q", got, wantVars)
			}

			// %environment, then %runscript, without and with arguments.
			if got := runSh(t, dir, d.Environment.Body+printVars); got != wantVars {
				t.Errorf("%%environment exports print %q, want %q", got, wantVars)
			}
			runscript := d.Environment.Body + d.Runscript.Body
			wantRun := strings.Join(env.Run[2:], "\x00") + "\x00"
			if got := runSh(t, dir, runscript); got != wantRun {
				t.Errorf("%%runscript prints %q, want %q", got, wantRun)
			}
			if got := runSh(t, dir, runscript, "sh", "-c", `printf '%s|' "$PWD" "$HOSTILE$NL"`); got != env.Workdir+"|"+lookup["HOSTILE"]+lookup["NL"]+"|" {
				t.Errorf("%%runscript with arguments prints %q", got)
			}
			noCanary(t, dir)
			noCanary(t, env.Workdir)
		})
	}
}

// TestRealShellRunSteps runs the hazardous environment's sh and bash run
// steps (those not run as another user) as %post would.
func TestRealShellRunSteps(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash on this machine")
	}
	env := hazardous()
	var steps []ir.Step
	for _, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok && r.User == "" && r.Workdir == "" {
			steps = append(steps, s)
		}
	}
	env.Steps = append(steps, &ir.RunStep{Command: "cd /\nx=leak", Shell: "sh"}, &ir.RunStep{Command: `printf '%s|' "$PWD" "${x-unset}"`, Shell: "sh"})
	data, _ := emit(t, env)
	d, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	post, _, _ := strings.Cut(d.Post.Body, shell.EpilogueComment)
	got := runSh(t, dir, post)
	want := "%labels\n{{ x }}\na\rb\nhi\nBootstrap: function\n" + dir + "|unset|"
	if got != want {
		t.Errorf("run steps print %q, want %q", got, want)
	}

	// A failing step stops %post; errexit is off inside a step.
	for _, failing := range []*ir.RunStep{
		{Command: "false", Shell: "sh"},
		{Command: "false | true", Shell: "bash"},
		{Command: "false\ntrue\nfalse", Shell: "sh"},
	} {
		env.Steps = []ir.Step{&ir.RunStep{Command: "false\ntrue", Shell: "sh"}, failing, &ir.RunStep{Command: "touch CANARY", Shell: "sh"}}
		data, _ = emit(t, env)
		if d, err = Parse(data); err != nil {
			t.Fatal(err)
		}
		post, _, _ = strings.Cut(d.Post.Body, shell.EpilogueComment)
		cmd := exec.Command("sh", "-c", post)
		cmd.Dir = dir
		if err := cmd.Run(); err == nil {
			t.Errorf("%%post succeeded although step %q failed", failing.Command)
		}
		noCanary(t, dir)
	}
}
