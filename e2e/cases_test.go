//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
)

// TestEnvironments builds every environment of every Debian-based golden
// case with the four targets and compares what it finds inside.
func TestEnvironments(t *testing.T) {
	t.Parallel()
	specs := goldenSpecs(t)
	baseEnv := baseImageEnv(t)
	for _, name := range sortedKeys(specs) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := loadSpec(t, name, specs[name])
			for _, env := range c.envs {
				if !isDebian(env) {
					out.Lock()
					fmt.Printf("e2e: %s/%s: base %s is not Debian: not built here (only the Debian archive is reachable); covered by the golden tests' parsers\n", name, env.Name, env.Base.Ref)
					out.Unlock()
					continue
				}
				t.Run(env.Name, func(t *testing.T) { buildAndProbe(t, c, env, baseEnv) })
			}
		})
	}
}

// baseImageEnv reads the base image's env from dockerd.
func baseImageEnv(t *testing.T) []string {
	r, err := run(time.Minute, "", nil, tl.docker, "image", "inspect", "--format", "{{json .Config.Env}}", baseImage)
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	if err := json.Unmarshal([]byte(r.stdout), &env); err != nil {
		t.Fatal(err)
	}
	return env
}

func buildAndProbe(t *testing.T, c *spec, env *ir.Env, baseEnv []string) {
	dir := filepath.Join(c.outDir, env.Name)
	start := time.Now()
	var (
		mu      sync.Mutex
		results = map[string]*built{}
		errs    []string
		wg      sync.WaitGroup
	)
	do := func(target string, f func() (*built, error)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := f()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", target, err))
				return
			}
			results[target] = b
		}()
	}
	do(tDocker, func() (*built, error) { return buildDocker(c, env, dir) })
	do(tLLB, func() (*built, error) { return buildLLB(c, env) })
	do(tVagrant, func() (*built, error) { return buildVagrant(c, env, dir) })
	do(tSingularity, func() (*built, error) { return buildSingularity(c, env, dir, baseEnv) })
	note, err := apptainerBuild(dir, c.name+"-"+env.Name)
	if err != nil {
		errs = append(errs, fmt.Sprintf("apptainer build: %v", err))
	}
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
	if len(results) != len(targetNames) {
		return
	}
	buildTime := time.Since(start)
	checkHealthcheck(t, env, results)

	fs := facts(env)
	vals := map[string]map[string]string{}
	for _, tn := range targetNames {
		v, err := probe(results[tn], env, fs)
		if err != nil {
			t.Fatal(err)
		}
		vals[tn] = v
	}
	// A run command whose output changes from run to run (a fortune, an
	// uptime) is compared by its exit code only.
	varies := map[string]bool{}
	if env.Run != nil || env.Entrypoint != nil {
		_, again, err := runOutput(results[tDocker], nil)
		if err != nil {
			t.Fatal(err)
		}
		if again != vals[tDocker]["run output"] {
			varies["run output"] = true
		}
	}
	diffs, known := compare(c.name+"/"+env.Name, vals, c.rules[env.Name], varies)
	// Every target agrees with docker, or compare says so; docker's
	// accounts must have the ids the spec asks for.
	diffs = append(diffs, checkAccounts(env, vals[tDocker])...)

	var b strings.Builder
	b.WriteString(table(fmt.Sprintf("e2e: probe table %s/%s", c.name, env.Name), vals, varies))
	fmt.Fprintf(&b, "  build: ")
	for _, tn := range targetNames {
		fmt.Fprintf(&b, "%s %.1fs  ", tn, results[tn].dur.Seconds())
	}
	fmt.Fprintf(&b, "(all four %.1fs, probes %.1fs)\n", buildTime.Seconds(), time.Since(start).Seconds()-buildTime.Seconds())
	fmt.Fprintf(&b, "  singularity: %s\n", note)
	for _, k := range known {
		fmt.Fprintf(&b, "  note: %s\n", k)
	}
	for _, d := range diffs {
		fmt.Fprintf(&b, "  DIFFERENCE: %s\n", d)
	}
	if len(diffs) == 0 {
		fmt.Fprintf(&b, "  %d facts: no unexplained difference across docker, llb, vagrant and singularity\n", len(vals[tDocker]))
	}
	out.Lock()
	fmt.Print(b.String())
	out.Unlock()
	for _, d := range diffs {
		t.Error(d)
	}
	if os.Getenv("ENVC_E2E_KEEP") != "1" {
		for _, tn := range targetNames {
			run(time.Minute, "", nil, tl.docker, "rmi", "-f", results[tn].image)
		}
	}
}

// checkHealthcheck demands that the images docker build and envc build
// made carry the spec's healthcheck in their config, as Docker reads it.
func checkHealthcheck(t *testing.T, env *ir.Env, results map[string]*built) {
	type health struct {
		Test                           []string
		Interval, Timeout, StartPeriod time.Duration
		Retries                        int
	}
	var want *health
	if h := env.Healthcheck; h != nil {
		want = &health{append([]string{"CMD"}, h.Test...), h.Interval, h.Timeout, h.StartPeriod, h.Retries}
	}
	for _, tn := range []string{tDocker, tLLB} {
		r, err := run(time.Minute, "", nil, tl.docker, "image", "inspect", "--format", "{{json .Config.Healthcheck}}", results[tn].image)
		if err != nil {
			t.Fatal(err)
		}
		var got *health
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%s image's Healthcheck %q: %v", tn, r.stdout, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s image's Healthcheck is %+v, want %+v", tn, got, want)
		}
	}
}
