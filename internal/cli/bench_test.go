package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters/docker/dockerread"
	"github.com/envc-dev/envc/internal/benchdata"
)

// asShipped makes the docker target check what envc itself checks (the
// tests turn its full read-back on), until the function returned is
// called.
func asShipped() func() {
	dockerread.FullSelfCheck(false)
	return func() { dockerread.FullSelfCheck(true) }
}

// BenchmarkCompile runs the whole compile command (every target, outputs
// written to a temporary folder, warnings printed) on each example and
// generated spec, as a user's `envc compile SPEC -o DIR` does. The
// folder holds the outputs, but there is no record of the compile before
// (statePath): each compile runs in full.
func BenchmarkCompile(b *testing.B) {
	defer asShipped()()
	specs, err := benchdata.All("../..")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	env := []string{cacheDirVar + "=" + filepath.Join(dir, "cache")}
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
			if code := run([]string{"compile", path, "-o", out}, strings.NewReader(""), io.Discard, &stderr, env); code != 0 {
				b.Fatalf("envc compile %s: exit %d\n%s", s.Name, code, stderr.String())
			}
			b.SetBytes(s.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				os.Remove((&app{environ: env}).statePath(out))
				b.StartTimer()
				stderr.Reset()
				run([]string{"compile", path, "-o", out}, strings.NewReader(""), io.Discard, &stderr, env)
			}
		})
	}
}

// BenchmarkCompileLarge runs the compile command on the large recipe the
// three ways scripts/bench.sh's goals time it: every target into a fresh
// folder, the docker target alone into a fresh folder, and every target
// again into a folder already holding the same outputs: with the record
// of the compile before (unchanged: the files are found up to date), and
// without (unchanged-full: it compiles and finds each file unchanged).
func BenchmarkCompileLarge(b *testing.B) {
	if testing.Short() {
		b.Skip("large input in -short mode")
	}
	defer asShipped()()
	var large benchdata.Spec
	for _, s := range benchdata.Generated() {
		if s.Name == "large" {
			large = s
		}
	}
	dir := b.TempDir()
	path := filepath.Join(dir, large.Filename)
	if err := os.WriteFile(path, large.Src, 0o644); err != nil {
		b.Fatal(err)
	}
	env := []string{cacheDirVar + "=" + filepath.Join(dir, "cache")}
	compile := func(b *testing.B, out string, extra ...string) {
		var stderr bytes.Buffer
		args := append([]string{"compile", path, "-o", out}, extra...)
		if code := run(args, strings.NewReader(""), io.Discard, &stderr, env); code != 0 {
			b.Fatalf("envc %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
	}
	fresh := func(extra ...string) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(large.Size())
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				out := filepath.Join(dir, "fresh", strings.Repeat("x", i%2+1))
				b.StopTimer()
				if err := os.RemoveAll(out); err != nil {
					b.Fatal(err)
				}
				os.Remove((&app{environ: env}).statePath(out))
				b.StartTimer()
				compile(b, out, extra...)
			}
		}
	}
	b.Run("all", fresh())
	b.Run("docker", fresh("-t", "docker"))
	b.Run("unchanged", func(b *testing.B) {
		out := filepath.Join(dir, "unchanged")
		compile(b, out)
		b.SetBytes(large.Size())
		b.ReportAllocs()
		for b.Loop() {
			compile(b, out)
		}
	})
	b.Run("unchanged-full", func(b *testing.B) {
		out := filepath.Join(dir, "unchanged")
		compile(b, out)
		b.SetBytes(large.Size())
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			os.Remove((&app{environ: env}).statePath(out))
			b.StartTimer()
			compile(b, out)
		}
	})
}
