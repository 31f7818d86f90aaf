package apptainercheck

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apptainer/apptainer/pkg/build/types/parser"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/singularity"
)

// TestEmittedStages emits definition files with stages (copies from a
// stage, a stage copying from an earlier one, targets Apptainer's parser
// reads specially) and reads them with Apptainer's parser: one build
// stage per stage then "final", each a docker bootstrap from its base,
// with "%files from STAGE" naming a stage before it; envc's parser agrees.
func TestEmittedStages(t *testing.T) {
	hostile := irtest.Stages()
	for _, s := range hostile.Steps {
		if c, ok := s.(*ir.CopyStep); ok {
			c.Target = "/opt/{{ x }}\n%post\nBootstrap: y" + c.Target
		}
	}
	hostile.Source = []string{"/opt/{{ x }}/env.sh"}
	for name, env := range map[string]*ir.Env{"stages": irtest.Stages(), "hostile targets": hostile} {
		t.Run(name, func(t *testing.T) {
			out, diags := emitters.EmitFor(singularity.New(), env, emitters.Options{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			data := out.Files[0].Data
			compare(t, name, data)
			defs, err := parser.All(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, st := range env.Stages {
				want = append(want, st.Name)
			}
			want = append(want, "final")
			if len(defs) != len(want) {
				t.Fatalf("Apptainer reads %d build stages, want %d", len(defs), len(want))
			}
			seen := map[string]bool{}
			for i, d := range defs {
				if d.Header["bootstrap"] != "docker" || d.Header["from"] != "debian:bookworm" || d.Header["stage"] != want[i] {
					t.Errorf("build stage %d: header %v, want stage %q", i+1, d.Header, want[i])
				}
				for _, f := range d.BuildData.Files {
					if f.Args == "" {
						continue
					}
					from, ok := strings.CutPrefix(f.Args, "from ")
					if !ok || !seen[from] {
						t.Errorf("build stage %d: %%files %s names no earlier stage", i+1, f.Args)
					}
					for _, ft := range f.Files {
						if !strings.HasPrefix(ft.Dst, singularity.StageCopyDir+"/") {
							t.Errorf("build stage %d: %%files %s puts %s at %s", i+1, f.Args, ft.Src, ft.Dst)
						}
					}
				}
				seen[want[i]] = true
			}
		})
	}
}
