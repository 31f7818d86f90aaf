package effdiff

import (
	"strings"
	"testing"

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
