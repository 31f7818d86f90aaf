package effective_test

import (
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
	"github.com/envc-dev/envc/emitters/readback"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/hashicorp/hcl/v2"
)

// needTools skips the test (fails it in CI) when a program the reader
// runs is missing.
func needTools(t *testing.T, r readback.Reader) {
	t.Helper()
	for _, tool := range r.Needs {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is required in CI", tool)
			}
			t.Skipf("%s is not installed: skipping the %s read-back", tool, r.Target)
		}
	}
}

// withoutRefused returns env less the values at the ranges of errors (a
// step, a variable, a port, a mount, a label, the VM, the run command),
// and what it left out.
func withoutRefused(env *ir.Env, diags hcl.Diagnostics) (*ir.Env, []string) {
	refused := func(rng hcl.Range) bool {
		return slices.ContainsFunc(diags, func(d *hcl.Diagnostic) bool {
			return d.Severity == hcl.DiagError && d.Subject != nil && *d.Subject == rng
		})
	}
	c := *env
	var dropped []string
	c.Steps = nil
	for _, s := range env.Steps {
		if es, ok := s.(*ir.EnvStep); ok {
			kept := &ir.EnvStep{Range: es.Range}
			for _, v := range es.Vars {
				if refused(v.Range) {
					dropped = append(dropped, "env "+v.Name)
				} else {
					kept.Vars = append(kept.Vars, v)
				}
			}
			s = kept
		}
		if refused(s.StepRange()) {
			dropped = append(dropped, "a step")
			continue
		}
		c.Steps = append(c.Steps, s)
	}
	c.Ports = slices.DeleteFunc(slices.Clone(env.Ports), func(p ir.Port) bool { return refused(p.Range) })
	c.Mounts = slices.DeleteFunc(slices.Clone(env.Mounts), func(m ir.Mount) bool { return refused(m.Range) })
	c.Labels = slices.DeleteFunc(slices.Clone(env.Labels), func(l ir.KeyValue) bool { return refused(l.Range) })
	if n := len(env.Ports) + len(env.Mounts) + len(env.Labels) - len(c.Ports) - len(c.Mounts) - len(c.Labels); n > 0 {
		dropped = append(dropped, "ports, mounts or labels")
	}
	if refused(env.VM.Range) {
		c.VM, dropped = ir.VM{}, append(dropped, "the vm block")
	}
	if refused(env.RunRange) {
		c.Run, dropped = nil, append(dropped, "the run command")
	}
	return &c, dropped
}

// TestRoundTrip emits the hand-built environments (hostile values
// included) with every target and reads them back with the target's
// reader: each view must be the spec's, less the declared differences. A
// value a target refuses (Vagrant's synced folders cannot carry quotes in
// the guest path) is left out for that target alone, and the rest still
// makes the round trip.
func TestRoundTrip(t *testing.T) {
	envs := map[string]*ir.Env{"full": irtest.Full(), "minimal": irtest.Minimal(), "hostile": irtest.Hostile(), "stages": irtest.Stages()}
	for name, env := range envs {
		for _, r := range readback.All() {
			t.Run(name+"/"+r.Target, func(t *testing.T) {
				needTools(t, r)
				env := env // this target's, less what it refuses
				em, _ := targets.Lookup(r.Target)
				opts := emitters.Options{Platform: emitters.DefaultPlatform}
				out, diags := emitters.EmitFor(em, env, opts)
				if diags.HasErrors() {
					var dropped []string
					env, dropped = withoutRefused(env, diags)
					t.Logf("%s refuses %v; left out: %v", r.Target, diags.Errs(), dropped)
					if out, diags = emitters.EmitFor(em, env, opts); diags.HasErrors() {
						t.Fatalf("%s still refuses the environment: %v", r.Target, diags)
					}
				}
				files := effective.Files{}
				for _, f := range out.Files {
					files[f.Path] = f.Data
				}
				got, err := r.Read(files, effective.ReadOptions{Name: env.Name})
				if err != nil {
					t.Fatalf("%s read-back (construct %q): %v", r.Target, effective.ErrorConstruct(err), err)
				}
				want := effective.Expect(r.Target, effective.FromIR(env.ForTarget(r.Target)))
				for _, d := range effdiff.Compare(r.Target, want, got) {
					t.Error(d)
				}
			})
		}
	}
}
