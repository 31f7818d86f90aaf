package specgen_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/specgen"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// TestSpecs checks that generated specs compile without errors, hold the
// sizes asked for and are in canonical layout.
func TestSpecs(t *testing.T) {
	sizes := map[string]specgen.Size{"1x": specgen.Scale(1), "7x": specgen.Scale(7), "large": specgen.Large(), "empty": {}}
	for name, size := range sizes {
		t.Run(name, func(t *testing.T) {
			src := specgen.Spec(size)
			if !bytes.Equal(src, specgen.Spec(size)) {
				t.Fatal("two runs differ")
			}
			if got := hclwrite.Format(src); !bytes.Equal(got, src) {
				t.Errorf("not in canonical layout")
			}
			f, diags := schema.Parse(name+".hcl", src)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			spec, diags := schema.Decode(f)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			envs, diags := compiler.Compile(spec, compiler.Options{SpecDir: "."})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if len(envs) != 1 {
				t.Fatalf("%d environments, want 1", len(envs))
			}
			env := envs[0]
			pkgs, setup := 0, 0
			for _, st := range env.Steps {
				switch st := st.(type) {
				case *ir.InstallStep:
					pkgs += len(st.Packages)
				case *ir.RunStep:
					setup++
				}
			}
			got := fmt.Sprint(len(spec.Variables), len(spec.Locals), pkgs, len(env.RunEnv()), setup, len(env.Ports), len(env.Mounts))
			want := fmt.Sprint(size.Variables, size.Locals, size.Packages, size.Env, size.Setup, size.Ports, size.Mounts)
			if got != want {
				t.Errorf("variables, locals, packages, env, setup, ports, mounts = %s, want %s", got, want)
			}
		})
	}
}
