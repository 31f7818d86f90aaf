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

// columns lists the targets env is built with, in table order.
func columns(c *spec, env *ir.Env) []string {
	var cs []string
	sims := os.Getenv("ENVC_E2E_SIMS") == "all"
	for _, t := range allTargets {
		switch {
		case t == tVM && !vmCase(c.name, env.Name):
		case !sims && t == tSing:
			// The .def's fast check in a container: apptainer build of
			// the same .def is in the table (ENVC_E2E_SIMS=all keeps it).
		case !sims && t == tVagrant && vmCase(c.name, env.Name):
			// bootstrap.sh's fast check: the machine runs it for real.
		default:
			cs = append(cs, t)
		}
	}
	return cs
}

// buildAndProbe builds env with every target, probes each result as soon
// as it is built (a machine is destroyed right after its probes) and
// compares the facts.
func buildAndProbe(t *testing.T, c *spec, env *ir.Env, baseEnv []string) {
	dir := filepath.Join(c.outDir, env.Name)
	cols := columns(c, env)
	fs := facts(env)
	start := time.Now()
	var (
		mu     sync.Mutex
		vals   = map[string]map[string]string{}
		durs   = map[string]time.Duration{}
		notes  = map[string]string{}
		varies = map[string]bool{}
		errs   []string
		wg     sync.WaitGroup
		// failed notes the targets a known bug keeps from building.
		failed = map[string]string{}
		id     = c.name + "/" + env.Name
		// dockerBuilt is Docker's image, removed once the run output is
		// compared.
		dockerBuilt *built
	)
	defer func() {
		if dockerBuilt != nil {
			dockerBuilt.done()
		}
	}()
	// What a target block gives otherwise differs by design: the run
	// command's output, the run directory, the target's own variables.
	for _, o := range env.Overrides {
		for _, name := range []string{"run exit", "run output", "run with arguments"} {
			varies[name] = varies[name] || o.RunSet || o.EntrypointSet || o.HasEnv || o.Workdir != ""
		}
		varies["workdir"] = varies["workdir"] || o.Workdir != ""
	}
	for _, s := range env.Steps {
		if es, ok := s.(*ir.EnvStep); ok && es.Targets != nil {
			for _, v := range es.Vars {
				varies["env "+v.Name] = true
			}
		}
	}
	builders := map[string]func() (*built, error){
		tDocker:    func() (*built, error) { return buildDocker(c, env, dir) },
		tLLB:       func() (*built, error) { return buildLLB(c, env) },
		tApptainer: func() (*built, error) { return buildApptainer(c, env, dir) },
		tSIF:       func() (*built, error) { return buildSIF(c, env) },
		tVM:        func() (*built, error) { return buildVM(c, env, dir) },
		tVagrant:   func() (*built, error) { return buildVagrant(c, env, dir) },
		tSing:      func() (*built, error) { return buildSingularity(c, env, dir, baseEnv) },
	}
	for _, target := range cols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(err error) {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s: %v", target, err))
				mu.Unlock()
			}
			b, err := builders[target]()
			if kf, ok := knownFailures[id+"/"+target]; ok {
				mu.Lock()
				switch {
				case err != nil && strings.Contains(err.Error(), kf.says):
					failed[target] = fmt.Sprintf("%s does not build (KNOWN BUG, not fixed yet: %s)", target, kf.why)
					err = nil
				case err == nil:
					failed[target] = fmt.Sprintf("known failure %q no longer reproduces: remove it from knownFailures", id+"/"+target)
				}
				mu.Unlock()
				if b == nil {
					return
				}
			}
			if err != nil {
				fail(err)
				return
			}
			if target == tDocker {
				// Kept until the run output is compared (below).
				mu.Lock()
				dockerBuilt = b
				mu.Unlock()
			} else {
				defer b.done()
			}
			if target == tDocker || target == tLLB {
				if err := checkHealthcheck(env, b); err != nil {
					fail(err)
					return
				}
			}
			v, err := probe(b, env, fs)
			if err != nil {
				fail(err)
				return
			}
			// A run command whose output changes from run to run (a
			// fortune, an uptime) is compared by its exit code only.
			again := ""
			if target == tDocker && (env.Run != nil || env.Entrypoint != nil) {
				if _, again, err = runOutput(b, nil); err != nil {
					fail(err)
					return
				}
			}
			mu.Lock()
			defer mu.Unlock()
			vals[target], durs[target], notes[target] = v, b.dur, b.note
			if target == tDocker && again != v["run output"] {
				varies["run output"] = true
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
	var okCols []string
	for _, t := range cols {
		if _, ok := vals[t]; ok {
			okCols = append(okCols, t)
		}
	}
	if len(okCols)+len(failed) < len(cols) || vals[tDocker] == nil {
		return
	}
	cols = okCols
	// An output that tells the time or the machine's state (neofetch's
	// uptime and memory) can be the same in two runs in a row and still
	// change while the other targets build: where a target's output
	// differs from Docker's, Docker's image runs the command once more,
	// after every target ran; an output that changed since its first run
	// is compared by its exit code only. A command whose output is fixed
	// gives its first output again, and the difference stays.
	if !varies["run output"] && dockerBuilt != nil {
		for _, tn := range cols {
			if vals[tn]["run output"] == vals[tDocker]["run output"] {
				continue
			}
			_, later, err := runOutput(dockerBuilt, nil)
			if err != nil {
				t.Error(err)
				return
			}
			varies["run output"] = later != vals[tDocker]["run output"]
			break
		}
	}
	diffs, known := compare(id, cols, vals, c.rules[env.Name], varies)
	// Docker's accounts must have the ids the spec asks for.
	diffs = append(diffs, checkAccounts(env, vals[tDocker])...)
	// And what its pipx blocks installed, and the run command's output
	// where the case knows it.
	diffs = append(diffs, checkPipx(env, vals[tDocker])...)
	if want, ok := wantRun[id]; ok && vals[tDocker]["run output"] != want {
		diffs = append(diffs, fmt.Sprintf("run output: docker printed %q, want %q", vals[tDocker]["run output"], want))
	}
	for _, t := range sortedKeys(failed) {
		known = append(known, failed[t])
	}

	var b strings.Builder
	b.WriteString(table("e2e: probe table "+id, cols, vals, varies))
	fmt.Fprintf(&b, "  build: ")
	for _, tn := range cols {
		fmt.Fprintf(&b, "%s %.1fs  ", tn, durs[tn].Seconds())
	}
	fmt.Fprintf(&b, "(all, with the probes: %.1fs)\n", time.Since(start).Seconds())
	for _, tn := range cols {
		if notes[tn] != "" {
			fmt.Fprintf(&b, "  %s: %s\n", tn, notes[tn])
		}
	}
	for _, k := range known {
		fmt.Fprintf(&b, "  note: %s\n", k)
	}
	for _, d := range diffs {
		fmt.Fprintf(&b, "  DIFFERENCE: %s\n", d)
	}
	if len(diffs) == 0 {
		fmt.Fprintf(&b, "  %d facts: no unexplained difference across %s\n", len(vals[tDocker]), strings.Join(cols, ", "))
	}
	out.Lock()
	fmt.Print(b.String())
	out.Unlock()
	for _, d := range diffs {
		t.Error(d)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// checkHealthcheck demands that the image b is (made by docker build or
// envc build) carry the spec's healthcheck in its config, as Docker reads
// it.
func checkHealthcheck(env *ir.Env, b *built) error {
	type health struct {
		Test                           []string
		Interval, Timeout, StartPeriod time.Duration
		Retries                        int
	}
	var want *health
	if h := env.Healthcheck; h != nil {
		want = &health{append([]string{"CMD"}, h.Test...), h.Interval, h.Timeout, h.StartPeriod, h.Retries}
	}
	r, err := run(time.Minute, "", nil, tl.docker, "image", "inspect", "--format", "{{json .Config.Healthcheck}}", b.image)
	if err != nil {
		return err
	}
	var got *health
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		return fmt.Errorf("the image's Healthcheck %q: %v", r.stdout, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("the image's Healthcheck is %+v, want %+v", got, want)
	}
	return nil
}
