package ci_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/internal/citest"
	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/cli/buildcmd"
)

// repo makes a repository as the examples expect one: env.hcl and what it
// copies, and the outputs compiled and "committed" under env/, which holds
// nothing of this machine's (compile's record is in the user's cache
// folder, here a temporary one). The process runs in it (envc reads
// relative paths from there).
func repo(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	for _, f := range []string{"env.hcl", "analyse.py"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var stderr bytes.Buffer
	if code := cli.Run([]string{"compile", "env.hcl", "-o", "env", "-q"}, strings.NewReader(""), io.Discard, &stderr, nil); code != 0 {
		t.Fatalf("compile: exit %d\n%s", code, stderr.String())
	}
	// The folder is committed: nothing of this machine's compile (such as
	// its up-to-date record) may be kept beside the environment's folder.
	entries, err := os.ReadDir("env")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("env/%s: want only the environments' folders in the committed folder", e.Name())
		}
	}
	return dir
}

// inProcess runs envc in this process; envc build is run to the point
// where it connects (no builder here: a socket where nothing listens),
// which shows that its flags and the spec are accepted. docker run must
// run the image the build loads. builds records the build commands.
func inProcess(t *testing.T, builds *[]string) citest.Exec {
	return func(ctx context.Context, args []string, dir string, env []string, stdout, stderr io.Writer) (int, error) {
		switch {
		case args[0] == "envc" && len(args) > 1 && args[1] == "build":
			*builds = append(*builds, strings.Join(args, " "))
			var errb bytes.Buffer
			code := cli.Run(args[1:], strings.NewReader(""), stdout, io.MultiWriter(stderr, &errb), []string{"BUILDKIT_HOST=unix:///nonexistent/buildkitd.sock"}, buildcmd.Options()...)
			if code == 1 && strings.Contains(errb.String(), "nothing listens at unix:///nonexistent/buildkitd.sock") {
				return 0, nil
			}
			t.Errorf("%s: exit %d before connecting to a builder:\n%s", strings.Join(args, " "), code, errb.String())
			return code, nil
		case args[0] == "envc":
			// envc and envc-build, as go install ./cmd/... installs them:
			// envc runs fmt (and lock) through envc-build.
			return cli.Run(args[1:], strings.NewReader(""), stdout, stderr, env, buildcmd.Options()...), nil
		case args[0] == "docker" && strings.Join(args[1:], " ") == "run --rm analysis:latest":
			// The name envc build gives the image it loads.
			return 0, nil
		}
		t.Errorf("the example runs %q, which this test does not know", strings.Join(args, " "))
		return 127, nil
	}
}

// The workflow parses, every step is one this test accounts for, and the
// steps that need no builder run as written; the build steps get as far
// as connecting. Then a change of the spec fails the check, with a diff
// and an annotation.
func TestWorkflow(t *testing.T) {
	w, err := citest.ReadWorkflow("github-workflow.yml")
	if err != nil {
		t.Fatal(err)
	}
	job, ok := w.Jobs["envc"]
	if !ok {
		t.Fatalf("no job envc in %v", w.Jobs)
	}
	// What each step is here: "run", or why it is not run.
	steps := map[string]string{
		"actions/checkout@v4":         "the repository is the temporary folder",
		"actions/setup-go@v5":         "Go runs this test",
		"Install envc":                "envc runs in this process",
		"Install mksquashfs":          "no SIF is made here (the end-to-end suite makes it)",
		"Spec formatted":              "run",
		"Spec valid, no warning left": "run",
		"Committed files current":     "run",
		"Image":                       "run",
		"SIF":                         "run",
		"actions/upload-artifact@v4":  "no SIF is made here",
	}
	dir := repo(t)
	var builds []string
	var check citest.Step
	for _, s := range job.Steps {
		what, known := steps[s.Title()]
		if !known {
			t.Errorf("step %q is not accounted for by this test", s.Title())
			continue
		}
		delete(steps, s.Title())
		if s.Title() == "Committed files current" {
			check = s
		}
		if what != "run" {
			t.Logf("step %q: not run: %s", s.Title(), what)
			continue
		}
		code, out, err := citest.Run(context.Background(), s.Run, dir, nil, inProcess(t, &builds))
		if err != nil || code != 0 {
			t.Errorf("step %q: exit %d, %v\n%s", s.Title(), code, err, out)
		}
	}
	for title := range steps {
		t.Errorf("the workflow has no step %q any more: update this test", title)
	}
	if len(builds) != 2 || !strings.Contains(builds[1], "--format sif") {
		t.Errorf("build commands %q, want the image's and the SIF's", builds)
	}

	// The spec changes, the committed files do not: the check fails.
	spec, _ := os.ReadFile(filepath.Join(dir, "env.hcl"))
	changed := strings.Replace(string(spec), `"python3-minimal"`, `"python3-minimal", "curl"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "env.hcl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, err := citest.Run(context.Background(), check.Run, dir, nil, inProcess(t, &builds))
	if err != nil || code != 1 {
		t.Fatalf("check after a change: exit %d, %v, want 1\n%s", code, err, out)
	}
	for _, want := range []string{"::error file=env/analysis/Dockerfile,", "title=Output not up to date", "+++ b/env/analysis/Dockerfile", "curl"} {
		if !strings.Contains(out, want) {
			t.Errorf("check after a change: no %q in\n%s", want, out)
		}
	}
}

// The pre-commit hooks parse and pass on a repository in step; a spec
// not formatted fails envc-fmt, a changed spec fails envc-check.
func TestPreCommit(t *testing.T) {
	p, err := citest.ReadPreCommit("pre-commit-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := repo(t)
	var builds []string
	run := func(want map[string]int) {
		t.Helper()
		var files []string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				rel, _ := filepath.Rel(dir, path)
				files = append(files, filepath.ToSlash(rel))
			}
			return err
		})
		for _, r := range p.Repos {
			for _, h := range r.Hooks {
				var matched []string
				for _, f := range files {
					if ok, err := h.Matches(f); err != nil {
						t.Fatalf("hook %s: %v", h.ID, err)
					} else if ok {
						matched = append(matched, f)
					}
				}
				if len(matched) == 0 {
					t.Errorf("hook %s runs for no file", h.ID)
					continue
				}
				code, out, err := citest.Run(context.Background(), h.Script(matched), dir, nil, inProcess(t, &builds))
				if err != nil || code != want[h.ID] {
					t.Errorf("hook %s: exit %d, %v; want %d\n%s", h.ID, code, err, want[h.ID], out)
				}
			}
		}
	}
	run(map[string]int{"envc-fmt": 0, "envc-check": 0})

	spec, _ := os.ReadFile(filepath.Join(dir, "env.hcl"))
	messy := strings.Replace(string(spec), `  base        = "debian:bookworm"`, `base="debian:bookworm"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "env.hcl"), []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	run(map[string]int{"envc-fmt": 1, "envc-check": 0})

	changed := strings.Replace(string(spec), `"python3-minimal"`, `"python3-minimal", "curl"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "env.hcl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	run(map[string]int{"envc-fmt": 0, "envc-check": 1})
}
