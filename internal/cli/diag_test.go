package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// The text output shows warnsPerRule warnings of a rule and counts the
// rest; --json has every one.
func TestRepeatedWarningsCounted(t *testing.T) {
	var diags hcl.Diagnostics
	for i := range warnsPerRule + 5 {
		rng := hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: i + 1, Column: 1}, End: hcl.Pos{Line: i + 1, Column: 2}}
		diags = append(diags, emitters.RuleLLBMountDeclared.Warn(rng, "the mount"))
	}
	diags = append(diags, emitters.RuleSingularityMountRuntime.Warn(hcl.Range{Filename: "spec.hcl"}, "the mount"))
	var text bytes.Buffer
	printDiags(&text, nil, diags, false)
	out := text.String()
	if got := strings.Count(out, "[llb-mount-declared]\n"); got != warnsPerRule {
		t.Errorf("%d llb-mount-declared warnings shown, want %d:\n%s", got, warnsPerRule, out)
	}
	if !strings.Contains(out, "Warning: 5 more [llb-mount-declared] warnings like the above (--json lists every one)") {
		t.Errorf("no count of the hidden warnings:\n%s", out)
	}
	if !strings.Contains(out, "[singularity-mount-runtime]") {
		t.Errorf("another rule's warning is hidden:\n%s", out)
	}
	var js bytes.Buffer
	printDiags(&js, nil, diags, true)
	var rep jsonReport
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil || rep.WarningCount != warnsPerRule+6 || len(rep.Diagnostics) != warnsPerRule+6 {
		t.Errorf("--json: %d warnings, %d diagnostics (%v), want all %d", rep.WarningCount, len(rep.Diagnostics), err, warnsPerRule+6)
	}
}

// validate reports what compile reports, though the targets leave out
// their costly files for it: the same diagnostics for every golden case
// (their details may differ: compile knows the output folder, which the
// mounts' sources are relative to).
func TestValidateReportsWhatCompileDoes(t *testing.T) {
	specs, err := filepath.Glob("../../testdata/golden/*/spec.hcl")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no golden specs (%v)", err)
	}
	for _, spec := range specs {
		var v, c bytes.Buffer
		vcode := run([]string{"validate", "--json", spec}, strings.NewReader(""), &v, io.Discard, nil)
		ccode := run([]string{"compile", "--json", spec, "-o", t.TempDir()}, strings.NewReader(""), &c, io.Discard, nil)
		var vr, cr jsonReport
		if err := json.Unmarshal(v.Bytes(), &vr); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(c.Bytes(), &cr); err != nil {
			t.Fatal(err)
		}
		if vcode == 0 && len(cr.Files) == 0 {
			t.Errorf("%s: compile --json lists no file written", spec)
		}
		cr.jsonExtra = jsonExtra{} // the files written
		for _, r := range []*jsonReport{&vr, &cr} {
			for i := range r.Diagnostics {
				r.Diagnostics[i].Detail = ""
			}
		}
		if vcode != ccode || !reflect.DeepEqual(vr, cr) || len(vr.Diagnostics) == 0 && spec == "../../testdata/golden/all-constructs/spec.hcl" {
			t.Errorf("%s: validate exit %d, compile exit %d; diagnostics differ:\nvalidate: %+v\ncompile:  %+v", spec, vcode, ccode, vr, cr)
		}
	}
}
