//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/envc-dev/envc/schema"
)

// tools are the binaries and daemons run.sh provides.
type tools struct {
	work, envc, docker, buildctl string
	// registry is the loopback registry (host:port) that serves the base
	// image as library/debian:bookworm.
	registry string
	// apptainer is the apptainer binary (ENVC_E2E_APPTAINER).
	apptainer string
	// box is the Vagrant box file for the libvirt provider
	// (ENVC_E2E_BOX); VAGRANT_HOME holds the global Vagrantfile that runs
	// every machine under QEMU.
	box string
}

var tl tools

func TestMain(m *testing.M) {
	tl = tools{
		work:      os.Getenv("ENVC_E2E_WORK"),
		envc:      os.Getenv("ENVC_E2E_ENVC"),
		docker:    os.Getenv("ENVC_E2E_DOCKER"),
		buildctl:  os.Getenv("ENVC_E2E_BUILDCTL"),
		registry:  os.Getenv("ENVC_E2E_REGISTRY"),
		apptainer: os.Getenv("ENVC_E2E_APPTAINER"),
		box:       os.Getenv("ENVC_E2E_BOX"),
	}
	if tl.work == "" || tl.envc == "" || tl.docker == "" || tl.registry == "" || tl.apptainer == "" || tl.box == "" ||
		os.Getenv("BUILDKIT_HOST") == "" || os.Getenv("DOCKER_HOST") == "" || os.Getenv("VAGRANT_HOME") == "" {
		fmt.Fprintln(os.Stderr, "e2e: run these tests through e2e/run.sh (make e2e): it starts the daemons they need")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// jobs limits the builds and provisionings that run at once (2 cores).
var jobs = make(chan struct{}, 2)

func acquire() func() {
	jobs <- struct{}{}
	return func() { <-jobs }
}

// out serialises the tables the parallel cases print.
var out sync.Mutex

// cmdResult is one finished command.
type cmdResult struct {
	stdout, stderr string
	code           int
	dur            time.Duration
}

// run runs argv with a timeout and returns its output; err is set when it
// could not run or exited non-zero.
func run(timeout time.Duration, dir string, env []string, argv ...string) (cmdResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	err := cmd.Run()
	r := cmdResult{stdout: so.String(), stderr: se.String(), dur: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	}
	if err != nil {
		return r, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, tail(se.String()+so.String(), 3000))
	}
	return r, nil
}

// waitReady waits until run.sh has prepared name (apptainer, vm): the
// tests start while Apptainer is built and the box is made.
func waitReady(name string) error {
	dir := filepath.Join(tl.work, "ready")
	for {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
		if _, err := os.Stat(filepath.Join(dir, name+".failed")); err == nil {
			return fmt.Errorf("run.sh could not prepare %s: see its output", name)
		}
		time.Sleep(time.Second)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// spec is a golden case compiled in process (for the facts to probe) and
// with the envc binary (for the files to build).
type spec struct {
	name, path, outDir string
	envs               []*ir.Env
	rules              map[string]map[string]bool // env -> rule names warned
}

func loadSpec(t *testing.T, name, path string) *spec {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := schema.Parse(filepath.Base(path), src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sp, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sp.Filename = filepath.Base(path)
	// The variables run.sh sets (ENVC_VAR_pip_index), as envc compile
	// and envc build read them.
	envs, diags := compiler.Compile(sp, compiler.Options{Targets: targets.Names(), SpecDir: filepath.Dir(path), EnvVars: compiler.VarsFromEnviron(os.Environ())})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s := &spec{name: name, path: path, envs: envs, rules: map[string]map[string]bool{}}
	for _, env := range envs {
		s.rules[env.Name] = map[string]bool{}
		for _, e := range targets.All() {
			_, diags := emitters.EmitFor(e, env, emitters.Options{Platform: emitters.DefaultPlatform})
			for _, d := range diags {
				if x, ok := d.Extra.(emitters.RuleExtra); ok {
					s.rules[env.Name][x.Rule.Name] = true
					// A user rule names the user it is raised at.
					for _, st := range env.Steps {
						if u, ok := st.(*ir.UserStep); ok && d.Subject != nil && u.Range == *d.Subject {
							s.rules[env.Name][x.Rule.Name+":"+u.Name] = true
						}
					}
				}
			}
		}
		// The env-ref rules name the variable they are raised at.
		for _, r := range emitters.UnknownRefs(env, nil) {
			s.rules[env.Name]["env-ref-run-time:"+r.Var.Name] = true
		}
	}
	s.outDir = filepath.Join(tl.work, "out", name)
	if _, err := run(time.Minute, "", nil, tl.envc, "compile", path, "-o", s.outDir); err != nil {
		t.Fatal(err)
	}
	return s
}

// goldenSpecs lists the golden cases and the example specs.
func goldenSpecs(t *testing.T) map[string]string {
	t.Helper()
	specs := map[string]string{}
	paths, _ := filepath.Glob("../testdata/golden/*/spec.hcl")
	for _, p := range paths {
		specs[filepath.Base(filepath.Dir(p))] = p
	}
	examples, _ := filepath.Glob("../examples/*/*.hcl")
	for _, p := range examples {
		specs["example-"+strings.TrimSuffix(filepath.Base(p), ".hcl")] = p
	}
	if len(specs) == 0 {
		t.Fatal("no golden cases found")
	}
	return specs
}

func isDebian(env *ir.Env) bool {
	// Debian's own image: one built on Debian (python:3.12-slim-bookworm)
	// is not served by the mirror.
	return env.Distro != nil && env.Distro.ID == "debian" && env.Base.DistroFromName
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
