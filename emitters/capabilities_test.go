package emitters

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCapabilities checks the matrix against the rule catalogue: every
// rule is in its own cell, mappings are derived from the rules that always
// fire, and cells without such rules are native or emulated.
func TestCapabilities(t *testing.T) {
	caps, err := Capabilities()
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != len(Constructs)*len(Targets) {
		t.Fatalf("%d cells, want %d", len(caps), len(Constructs)*len(Targets))
	}
	inCell := map[string]int{}
	for _, c := range caps {
		if c.How == "" {
			t.Errorf("%s on %s: no description", c.Construct, c.Target)
		}
		if _, ok := mappingOrder[c.Mapping]; !ok {
			t.Errorf("%s on %s: mapping %q", c.Construct, c.Target, c.Mapping)
		}
		for _, r := range c.Rules {
			if r.Target != c.Target {
				t.Errorf("%s on %s holds rule %s of target %s", c.Construct, c.Target, r.Name, r.Target)
			}
			if r.Construct == c.Construct {
				inCell[r.Name]++
			}
		}
		always := c.Always()
		if len(always) == 0 && c.Mapping != Native && c.Mapping != Emulated {
			t.Errorf("%s on %s is %s, but no rule always warns about it", c.Construct, c.Target, c.Mapping)
		}
		for _, r := range always {
			if r.Mapping != c.Mapping {
				t.Errorf("%s on %s is %s, but rule %s says %s", c.Construct, c.Target, c.Mapping, r.Name, r.Mapping)
			}
		}
	}
	for _, r := range Rules() {
		if inCell[r.Name] != 1 {
			t.Errorf("rule %s is in %d cells of its construct %s, want 1", r.Name, inCell[r.Name], r.Construct)
		}
		if _, ok := mappingOrder[r.Mapping]; !ok || r.Mapping == Native {
			t.Errorf("rule %s has mapping %q", r.Name, r.Mapping)
		}
	}
	// What the acceptance names.
	got := map[string]string{}
	for _, tgt := range Targets {
		got[tgt] = LookupCapability("port", tgt).Mapping
	}
	want := map[string]string{"docker": Native, "llb": DeclaredOnly, "singularity": DeclaredOnly, "vagrant": Native}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	if m := LookupCapability("vm", "docker").Mapping; m != Unsupported {
		t.Errorf("vm on docker is %s", m)
	}
}

func TestWorseMapping(t *testing.T) {
	if WorseMapping(Native, DeclaredOnly) != DeclaredOnly || WorseMapping(Unsupported, Emulated) != Unsupported {
		t.Error("WorseMapping orders mappings wrongly")
	}
}
