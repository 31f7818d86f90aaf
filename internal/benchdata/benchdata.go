package benchdata

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/internal/specgen"
	"github.com/envc-dev/envc/schema"
)

// Spec is one benchmark input.
type Spec struct {
	// Name is the benchmark's sub-name, e.g. "example-lolcow",
	// "precice-100x" or "large".
	Name string
	// Filename is the path the spec is parsed under; for a generated spec
	// it is a name inside Dir.
	Filename string
	// Dir is the spec's directory (file sources are relative to it).
	Dir string
	Src []byte
}

// Scales are the multiples of the preCICE example that the benchmarks
// measure.
var Scales = []int{1, 10, 100, 1000}

// Generated returns the generated specs: preCICE at every scale in Scales,
// then the large recipe.
func Generated() []Spec {
	var out []Spec
	for _, n := range Scales {
		name := fmt.Sprintf("precice-%dx", n)
		out = append(out, Spec{Name: name, Filename: name + ".hcl", Dir: ".", Src: specgen.Spec(specgen.Scale(n))})
	}
	return append(out, Spec{Name: "large", Filename: "large.hcl", Dir: ".", Src: specgen.Spec(specgen.Large())})
}

// Examples returns the specs under root/examples, sorted by name.
func Examples(root string) ([]Spec, error) {
	paths, err := filepath.Glob(filepath.Join(root, "examples", "*", "*.hcl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []Spec
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, Spec{Name: "example-" + filepath.Base(filepath.Dir(p)), Filename: p, Dir: filepath.Dir(p), Src: src})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no examples under %s", root)
	}
	return out, nil
}

// All returns the examples under root, then the generated specs.
func All(root string) ([]Spec, error) {
	ex, err := Examples(root)
	if err != nil {
		return nil, err
	}
	return append(ex, Generated()...), nil
}

// Decode parses and decodes s; it fails on any error.
func (s Spec) Decode() (*schema.Spec, error) {
	f, diags := schema.Parse(s.Filename, s.Src)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s", s.Name, diags.Error())
	}
	spec, diags := schema.Decode(f)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s", s.Name, diags.Error())
	}
	return spec, nil
}

// Options are the compiler options the benchmarks use for s: no variable
// values from outside, output not written to disk.
func (s Spec) Options() compiler.Options {
	return compiler.Options{SpecDir: s.Dir}
}

// Lower parses, decodes and compiles s; it fails on any error.
func (s Spec) Lower() ([]*ir.Env, error) {
	spec, err := s.Decode()
	if err != nil {
		return nil, err
	}
	envs, diags := compiler.Compile(spec, s.Options())
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s", s.Name, diags.Error())
	}
	return envs, nil
}

// Size returns the spec's size for a benchmark's SetBytes.
func (s Spec) Size() int64 { return int64(len(s.Src)) }

// Short reports whether a benchmark input is small enough for -short runs.
func (s Spec) Short() bool { return !strings.HasSuffix(s.Name, "1000x") && s.Name != "large" }

// BenchmarkEmit runs e on the IR of every example and generated spec under
// root; each emitter package's benchmark calls it.
func BenchmarkEmit(b *testing.B, root string, e emitters.Emitter) {
	specs, err := All(root)
	if err != nil {
		b.Fatal(err)
	}
	opts := emitters.Options{Platform: emitters.DefaultPlatform}
	for _, s := range specs {
		b.Run(s.Name, func(b *testing.B) {
			if testing.Short() && !s.Short() {
				b.Skip("large input in -short mode")
			}
			envs, err := s.Lower()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(s.Size())
			b.ReportAllocs()
			for b.Loop() {
				for _, env := range envs {
					if _, diags := emitters.EmitFor(e, env, opts); diags.HasErrors() {
						b.Fatal(diags)
					}
				}
			}
		})
	}
}
