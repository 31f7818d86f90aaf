package effective

import (
	"testing"

	"github.com/envc-dev/envc/compiler/ir"

	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/google/go-cmp/cmp"
)

// TestDivergencesAreDeclared checks that every difference Expect forgives
// is one the capability matrix declares: a cell that is not native, on the
// same construct and target.
func TestDivergencesAreDeclared(t *testing.T) {
	for _, d := range Divergences("") {
		c := emitters.LookupCapability(d.Construct, d.Target)
		if c == nil {
			t.Errorf("%s on %s: no matrix cell", d.Construct, d.Target)
			continue
		}
		if c.Mapping == emitters.Native {
			t.Errorf("%s on %s: the matrix says native, yet the view differs (%s)", d.Construct, d.Target, d.Reason)
		}
		if d.Reason == "" {
			t.Errorf("%s on %s: no reason", d.Construct, d.Target)
		}
	}
}

// TestExpect checks what the declared differences do to the spec's view.
func TestExpect(t *testing.T) {
	spec := FromIR(irtest.Full())
	llb := Expect("llb", spec)
	for _, s := range llb.Steps {
		if _, ok := s.(EnvStep); ok {
			t.Error("llb: env steps are kept")
		}
	}
	wantEnv := []Var{{"OMP_NUM_THREADS", Literal("1")}, {"PATH", Literal("/home/fenics/.local/bin:" + emitters.DefaultPath)}}
	if diff := cmp.Diff(wantEnv, llb.RunEnv); diff != "" {
		t.Errorf("llb run env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ir.Port{{Guest: 8000, Protocol: "tcp"}}, llb.Ports); diff != "" {
		t.Errorf("llb ports (-want +got):\n%s", diff)
	}
	if llb.VM != (VM{}) || Expect("vagrant", spec).VM == (VM{}) {
		t.Error("the VM is kept for a container or dropped for Vagrant")
	}
	if got := Expect("singularity", spec); got.User != "" || got.Mounts[0].Source != "" {
		t.Errorf("singularity keeps the user or a mount's source: %+v", got)
	}
	// Expect must not touch the spec's view.
	if diff := cmp.Diff(FromIR(irtest.Full()), spec); diff != "" {
		t.Errorf("Expect changed its argument (-want +got):\n%s", diff)
	}
}
