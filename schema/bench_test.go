package schema_test

import (
	"testing"

	"github.com/envc-dev/envc/internal/benchdata"
	"github.com/envc-dev/envc/schema"
)

func benchSpecs(b *testing.B) []benchdata.Spec {
	b.Helper()
	specs, err := benchdata.All("..")
	if err != nil {
		b.Fatal(err)
	}
	return specs
}

// BenchmarkParse parses each example and generated spec.
func BenchmarkParse(b *testing.B) {
	for _, s := range benchSpecs(b) {
		b.Run(s.Name, func(b *testing.B) {
			if testing.Short() && !s.Short() {
				b.Skip("large input in -short mode")
			}
			b.SetBytes(s.Size())
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := schema.Parse(s.Filename, s.Src); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}

// BenchmarkDecode decodes each parsed spec into blocks and attributes.
func BenchmarkDecode(b *testing.B) {
	for _, s := range benchSpecs(b) {
		b.Run(s.Name, func(b *testing.B) {
			if testing.Short() && !s.Short() {
				b.Skip("large input in -short mode")
			}
			f, diags := schema.Parse(s.Filename, s.Src)
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			b.SetBytes(s.Size())
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := schema.Decode(f); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}
