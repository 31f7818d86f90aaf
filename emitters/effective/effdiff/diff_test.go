package effdiff

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters/effective"
)

// TestCompareNamesConstruct checks that Compare names the construct and
// the target of a difference, and the step out of place.
func TestCompareNamesConstruct(t *testing.T) {
	want := effective.Expect("docker", effective.FromIR(irtest.Full()))
	if d := Compare("docker", want, want); len(d) != 0 {
		t.Fatalf("a view differs from itself: %v", d)
	}
	got := effective.Expect("docker", want)
	got.Mounts[0].ReadOnly = !got.Mounts[0].ReadOnly
	got.Labels = nil
	d := Compare("docker", want, got)
	if len(d) != 2 || d[0].Construct != "mount" || d[1].Construct != "labels" || d[0].Target != "docker" {
		t.Fatalf("differences %v", d)
	}
	if !strings.Contains(d[0].String(), "mount differs on target docker (-want +got)") {
		t.Errorf("report %q", d[0])
	}
	// Move the user step before the setup steps: each construct's own
	// steps agree, their order does not.
	got = effective.Expect("docker", want)
	var user, rest []effective.Step
	for _, s := range got.Steps {
		if _, ok := s.(effective.UserStep); ok {
			user = append(user, s)
		} else {
			rest = append(rest, s)
		}
	}
	got.Steps = append(user, rest...)
	d = Compare("docker", want, got)
	if len(d) != 1 || d[0].Construct != "packages" || !strings.Contains(d[0].Diff, "order of the steps") {
		t.Errorf("reordered steps: %v", d)
	}
}

// TestCompareMergesEnvStepsInStages checks that a stage's env step read
// back as one step per variable (a Dockerfile's ARG for each) is the
// spec's one step, as it is in the environment's own build.
func TestCompareMergesEnvStepsInStages(t *testing.T) {
	run := effective.RunStep{Command: "make", Shell: "sh"}
	cc := effective.Var{Name: "CC", Value: ir.ParseWord("gcc-12")}
	cxx := effective.Var{Name: "CXX", Value: ir.ParseWord("g++-12")}
	one := []effective.Step{effective.EnvStep{Vars: []effective.Var{cc, cxx}}, run}
	two := []effective.Step{effective.EnvStep{Vars: []effective.Var{cc}}, effective.EnvStep{Vars: []effective.Var{cxx}}, run}
	want := &effective.Env{Steps: one, Stages: []effective.Env{{Name: "build", Steps: one}}}
	got := &effective.Env{Steps: two, Stages: []effective.Env{{Name: "build", Steps: two}}}
	if d := Compare("docker", want, got); len(d) != 0 {
		t.Errorf("one env step against two of one variable each: %v", d)
	}
	// A variable of another value still differs in the stage.
	other := []effective.Step{effective.EnvStep{Vars: []effective.Var{cc, {Name: "CXX", Value: ir.ParseWord("g++-13")}}}, run}
	got = &effective.Env{Steps: one, Stages: []effective.Env{{Name: "build", Steps: other}}}
	if d := Compare("docker", want, got); len(d) != 1 || d[0].Construct != "stage" {
		t.Errorf("another value in the stage: %v", d)
	}
}
