package singularity

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
)

// TestStages checks a definition file with stages: a build stage per
// stage (without the steps for other targets), "%files from" for the
// copies, and a read-back equal to the spec's view; the platforms warn.
func TestStages(t *testing.T) {
	env := irtest.Stages()
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	def := out.Files[0].Data
	defs, err := ParseAll(def)
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	for _, d := range defs {
		s, _ := d.Get("stage")
		stages = append(stages, s)
	}
	if got := strings.Join(stages, " "); got != "build more final" {
		t.Errorf("stages %q", got)
	}
	if strings.Contains(string(def), "echo machine") {
		t.Error("a stage runs the vagrant-only step")
	}
	got, err := Effective(def)
	if err != nil {
		t.Fatalf("%v\n%s", err, def)
	}
	want := effective.Expect("singularity", effective.FromIR(env.ForTarget("singularity")))
	if diffs := effdiff.Compare("singularity", want, got); len(diffs) > 0 {
		t.Errorf("%s\n%s", effdiff.Report(diffs), def)
	}
	warned := false
	for _, d := range diags {
		if x, ok := d.Extra.(emitters.RuleExtra); ok && x.Rule == emitters.RuleSingularityPlatformsIgnored {
			warned = true
		}
	}
	if !warned {
		t.Error("no platforms warning")
	}
}
