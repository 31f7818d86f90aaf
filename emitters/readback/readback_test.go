package readback

import (
	"testing"

	"github.com/envc-dev/envc/emitters/targets"
)

// TestEveryTargetHasAReader checks that the two registries list the same
// targets, in the same order.
func TestEveryTargetHasAReader(t *testing.T) {
	writers, readers := targets.All(), All()
	if len(writers) != len(readers) {
		t.Fatalf("%d targets, %d readers", len(writers), len(readers))
	}
	for i, w := range writers {
		if readers[i].Target != w.Name() || readers[i].Read == nil {
			t.Errorf("target %d: %s writes, %q reads", i, w.Name(), readers[i].Target)
		}
		if r, ok := Lookup(w.Name()); !ok || r.Target != w.Name() {
			t.Errorf("Lookup(%q) = %q, %t", w.Name(), r.Target, ok)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup found a reader for an unknown target")
	}
}
