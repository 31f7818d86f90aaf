package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/internal/benchdata"
)

// BenchmarkCompile runs the whole compile command (every target, outputs
// written to a temporary folder, warnings printed) on each example and
// generated spec, as a user's `envc compile SPEC -o DIR` does.
func BenchmarkCompile(b *testing.B) {
	specs, err := benchdata.All("../..")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, s := range specs {
		path := s.Filename
		if s.Dir == "." {
			// A generated spec: write it where it can be read.
			path = filepath.Join(dir, s.Filename)
			if err := os.WriteFile(path, s.Src, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(s.Name, func(b *testing.B) {
			if testing.Short() && !s.Short() {
				b.Skip("large input in -short mode")
			}
			out := filepath.Join(dir, "out-"+s.Name)
			var stderr bytes.Buffer
			if code := run([]string{"compile", path, "-o", out}, strings.NewReader(""), io.Discard, &stderr, nil); code != 0 {
				b.Fatalf("envc compile %s: exit %d\n%s", s.Name, code, stderr.String())
			}
			b.SetBytes(s.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				stderr.Reset()
				run([]string{"compile", path, "-o", out}, strings.NewReader(""), io.Discard, &stderr, nil)
			}
		})
	}
}
