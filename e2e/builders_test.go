//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envc-dev/envc/internal/citest"
)

// buildersSpec has two environments, built at once on one builder; the
// second is built on the first, so that they share its steps.
const buildersSpec = `environment "greeter" {
  base  = "debian:bookworm"
  env   = { GREETING = "hello from %[1]s" }
  file {
    source = "motd"
    target = "/etc/motd.envc"
  }
  setup   = ["echo \"$GREETING\" > /etc/greeting"]
  user    = "greeter"
  workdir = "/home/greeter/work"
  run     = ["sh", "-c", "cat /etc/greeting /etc/motd.envc; id -un; pwd"]
}

environment "shouter" {
  from  = environment.greeter
  setup = ["tr a-z A-Z < /etc/greeting > /etc/shout"]
  run   = ["cat", "/etc/shout"]
}
`

// noBuildKit leaves BUILDKIT_HOST out of a command's environment: the
// builder is then Docker Engine's own, at DOCKER_HOST, as for a user
// who has Docker and nothing else.
var noBuildKit = []string{"BUILDKIT_HOST="}

// TestBuilders builds through the builders users have: Docker Engine's own
// (the default when DOCKER_HOST is set and BUILDKIT_HOST is not: images go
// straight into the Engine's store), a buildkitd in a container of that
// Engine (docker-container://NAME, started by builders.sh: results loaded
// through the Engine API), and runs the CI example's GitHub Actions
// workflow as written on Docker Engine.
func TestBuilders(t *testing.T) {
	container := os.Getenv("ENVC_E2E_BUILDKIT_CONTAINER")
	if container == "" {
		t.Fatal("ENVC_E2E_BUILDKIT_CONTAINER is not set: run.sh starts a buildkitd in a container (e2e/builders.sh) and names it there")
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		tag  string // the images' tag
	}{
		{"docker-engine", noBuildKit, nil, "latest"},
		{"docker-engine-dockerfile", noBuildKit, []string{"-t", "docker", "-e", "greeter", "--tag", "greeter:dockerfile"}, "dockerfile"},
		{"docker-container", nil, []string{"--addr", "docker-container://" + container, "--load"}, "latest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer acquire()()
			dir := filepath.Dir(writeSpec(t, "builders-"+tc.name, fmt.Sprintf(buildersSpec, tc.name)))
			if err := os.WriteFile(filepath.Join(dir, "motd"), []byte("built by "+tc.name+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			// Images of an earlier case must not pass for this one's.
			run(time.Minute, "", nil, tl.docker, "rmi", "-f", "greeter:"+tc.tag, "shouter:"+tc.tag)
			args := append([]string{tl.envc, "build", "spec.hcl", "--progress", "plain"}, tc.args...)
			r, err := run(15*time.Minute, dir, tc.env, args...)
			if err != nil {
				t.Fatal(err)
			}
			envs := []string{"greeter", "shouter"}
			if strings.Contains(strings.Join(tc.args, " "), "-e greeter") {
				envs = envs[:1]
			}
			for _, env := range envs {
				if !strings.Contains(r.stderr, "loaded environment \""+env+"\" into Docker Engine") {
					t.Errorf("no line saying %s was loaded:\n%s", env, tail(r.stderr, 2000))
				}
			}
			if len(envs) == 2 && (!strings.Contains(r.stderr, "[greeter] ") || !strings.Contains(r.stderr, "[shouter] ")) {
				t.Errorf("one progress display should name each environment's steps:\n%s", tail(r.stderr, 2000))
			}
			out, err := run(2*time.Minute, "", nil, tl.docker, "run", "--rm", "greeter:"+tc.tag)
			want := "hello from " + tc.name + "\nbuilt by " + tc.name + "\ngreeter\n/home/greeter/work\n"
			if err != nil || out.stdout != want {
				t.Errorf("greeter:%s ran %q, %v; want %q", tc.tag, out.stdout, err, want)
			}
			if len(envs) == 2 {
				out, err = run(2*time.Minute, "", nil, tl.docker, "run", "--rm", "shouter:"+tc.tag)
				if want := strings.ToUpper("hello from "+tc.name) + "\n"; err != nil || out.stdout != want {
					t.Errorf("shouter:%s ran %q, %v; want %q", tc.tag, out.stdout, err, want)
				}
			}
			fmt.Printf("e2e: envc build (%s) %s -> %s loaded into dockerd and run (%.1fs)\n", tc.name, strings.Join(tc.args, " "), strings.Join(envs, ", "), r.dur.Seconds())
		})
	}
	t.Run("ci-workflow", testCIWorkflow)
}

// testCIWorkflow runs the steps of examples/ci/github-workflow.yml in a
// copy of the example, as a runner runs them: the builds on Docker
// Engine's own builder (the runner has Docker, and no BUILDKIT_HOST), the
// image run, the SIF made.
func testCIWorkflow(t *testing.T) {
	defer acquire()()
	w, err := citest.ReadWorkflow("../examples/ci/github-workflow.yml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tl.work, "ci-example")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"env.hcl", "analyse.py"} {
		data, err := os.ReadFile(filepath.Join("../examples/ci", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The repository as committed: the outputs compiled under env/.
	if _, err := run(time.Minute, dir, nil, tl.envc, "compile", "env.hcl", "-o", "env", "-q"); err != nil {
		t.Fatal(err)
	}
	// envc and the 20.10 docker client first on PATH, as the "Install
	// envc" step and the runner give them.
	bin := filepath.Join(tl.work, "ci-bin")
	os.MkdirAll(bin, 0o755)
	os.Symlink(tl.docker, filepath.Join(bin, "docker"))
	env := []string{"PATH=" + filepath.Dir(tl.envc) + ":" + bin + ":" + os.Getenv("PATH"), "BUILDKIT_HOST=", "GITHUB_PATH=" + filepath.Join(tl.work, "github-path")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "BUILDKIT_HOST=") {
			env = append(env, kv)
		}
	}
	run(time.Minute, "", nil, tl.docker, "rmi", "-f", "analysis:latest")
	ran := 0
	for _, s := range w.Jobs["envc"].Steps {
		switch s.Title() {
		case "actions/checkout@v4", "actions/setup-go@v5", "Install envc":
			// The copy above, the suite's Go, the suite's envc.
			continue
		case "Install mksquashfs":
			if _, err := exec.LookPath("mksquashfs"); err != nil {
				t.Fatalf("the SIF step needs mksquashfs (squashfs-tools): %v", err)
			}
			continue
		case "actions/upload-artifact@v4":
			if st, err := os.Stat(filepath.Join(dir, s.With["path"])); err != nil || st.Size() == 0 {
				t.Errorf("the artifact %s was not made: %v", s.With["path"], err)
			}
			continue
		}
		if s.Run == "" {
			t.Errorf("step %q is an action this test does not know", s.Title())
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		start := time.Now()
		code, out, err := citest.Run(ctx, s.Run, dir, env, realExec)
		cancel()
		if err != nil || code != 0 {
			t.Fatalf("step %q: exit %d, %v\n%s", s.Title(), code, err, tail(out, 3000))
		}
		if s.Title() == "Image" && !strings.Contains(out, "analysis ready on Python 3.") {
			t.Errorf("step Image: the image did not run the analysis:\n%s", tail(out, 2000))
		}
		ran++
		fmt.Printf("e2e: ci workflow step %q passed (%.1fs)\n", s.Title(), time.Since(start).Seconds())
	}
	if ran < 5 {
		t.Errorf("only %d steps of the workflow ran", ran)
	}
}

// realExec runs a command of a workflow step as a program on PATH.
func realExec(ctx context.Context, args []string, dir string, env []string, stdout, stderr io.Writer) (int, error) {
	path := args[0]
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok && !strings.Contains(path, "/") {
			for _, d := range filepath.SplitList(p) {
				if st, err := os.Stat(filepath.Join(d, path)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
					path = filepath.Join(d, path)
					break
				}
			}
		}
	}
	cmd := exec.CommandContext(ctx, path, args[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, stdout, stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), nil
	}
	return 0, err
}
