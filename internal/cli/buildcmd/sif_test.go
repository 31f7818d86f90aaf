package buildcmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/envc-dev/envc/schema"
)

// The definition file a SIF carries is the one compile writes: the steps
// case has a step only for vagrant and one for every other target.
func TestSIFDeffileIsCompiles(t *testing.T) {
	path := "../../../testdata/golden/steps/spec.hcl"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := schema.Parse(filepath.Base(path), src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sp, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sp.Filename = filepath.Base(path)
	envs, diags := compiler.Compile(sp, compiler.Options{Targets: targets.Names(), SpecDir: filepath.Dir(path)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, env := range envs {
		got, diags := sifDeffile(env, emitters.DefaultPlatform)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		want, err := os.ReadFile(filepath.Join("../../../testdata/golden/steps/want", env.Name, "Singularity.def"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: the SIF's definition file is not the compiled Singularity.def:\n%s\nwant:\n%s", env.Name, got, want)
		}
	}
}
