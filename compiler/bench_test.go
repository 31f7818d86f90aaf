package compiler_test

import (
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/internal/benchdata"
)

// BenchmarkCompile evaluates and lowers each decoded example and generated
// spec to IR.
func BenchmarkCompile(b *testing.B) {
	specs, err := benchdata.All("..")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range specs {
		b.Run(s.Name, func(b *testing.B) {
			if testing.Short() && !s.Short() {
				b.Skip("large input in -short mode")
			}
			spec, err := s.Decode()
			if err != nil {
				b.Fatal(err)
			}
			opts := s.Options()
			b.SetBytes(s.Size())
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := compiler.Compile(spec, opts); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}
