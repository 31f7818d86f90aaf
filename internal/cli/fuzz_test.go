package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/txtar"
)

// maxFuzzSpec bounds the size of a fuzzed spec, so that the time one input
// takes stays small.
const maxFuzzSpec = 16 << 10

// seedSpecs returns the text of every spec in the tree: the examples, the
// golden cases and the spec.hcl of every diagnostics case.
func seedSpecs(tb testing.TB) map[string][]byte {
	tb.Helper()
	seeds := map[string][]byte{}
	var paths []string
	for _, pattern := range []string{"../../examples/*/*.hcl", "../../testdata/golden/*/spec.hcl", "../../testdata/hostile/*.hcl"} {
		m, _ := filepath.Glob(pattern)
		paths = append(paths, m...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		seeds[p] = data
	}
	cases, _ := filepath.Glob("../../testdata/diagnostics/*.txtar")
	for _, p := range cases {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "spec.hcl" {
				seeds[p] = f.Data
			}
		}
	}
	if len(seeds) < 20 {
		tb.Fatalf("found only %d seed specs", len(seeds))
	}
	return seeds
}

// fuzzSpecDir makes a spec directory holding every file the seed specs
// copy in (all non-spec files beside them), so that seeds compile.
func fuzzSpecDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, root := range []string{"../../examples", "../../testdata/golden"} {
		cases, _ := os.ReadDir(root)
		for _, c := range cases {
			base := filepath.Join(root, c.Name())
			filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(base, p)
				if d.IsDir() {
					if d.Name() == "want" {
						return filepath.SkipDir
					}
					return nil
				}
				// Specs are compiled from text; the module files they call
				// (under modules/) are files of the folder.
				isModule := strings.HasPrefix(filepath.ToSlash(rel), "modules/")
				if strings.HasSuffix(p, ".hcl") && !isModule || !d.Type().IsRegular() {
					return nil
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				dst := filepath.Join(dir, rel)
				os.MkdirAll(filepath.Dir(dst), 0o755)
				return os.WriteFile(dst, data, 0o644)
			})
		}
	}
	return dir
}

// compileText compiles spec text as the file spec.hcl in dir and emits
// every target, returning the files (keyed "<env>/<path>") and all
// diagnostics.
func compileText(dir string, src []byte) (map[string][]byte, hcl.Diagnostics, bool) {
	path := filepath.Join(dir, "spec.hcl")
	file, diags := schema.Parse(path, src)
	if diags.HasErrors() {
		return nil, diags, false
	}
	spec, moreDiags := schema.Decode(file)
	diags = append(diags, moreDiags...)
	if moreDiags.HasErrors() {
		return nil, diags, false
	}
	spec.Filename = path
	envs, moreDiags := compiler.Compile(spec, compiler.Options{Targets: targets.Names(), SpecDir: dir, OutDir: filepath.Join(dir, "out")})
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return nil, diags, false
	}
	results, moreDiags := emitAll(envs, targets.All(), nil, false, emitters.DefaultMaxFileSize)
	diags = append(diags, moreDiags...)
	files := map[string][]byte{}
	for _, r := range results {
		for _, f := range r.files {
			// A large definition is a stream, not Data.
			data, err := f.Bytes()
			if err != nil {
				panic(err)
			}
			files[r.env.Name+"/"+f.Path] = data
		}
	}
	return files, diags, true
}

// targetOnlyErrors are errors an emitter may raise for a spec the compiler
// accepted: they concern what the target needs, not a value it cannot
// carry (validate reports them too, once per target).
var targetOnlyErrors = map[string]bool{
	"No Vagrant box": true,
}

// FuzzCompile checks that no spec text makes envc panic or hang, that a
// spec the compiler accepts gets no "cannot carry" error from an emitter
// (such values must be refused at validation, at the value), and that
// compiling twice gives the same bytes.
func FuzzCompile(f *testing.F) {
	seeds := seedSpecs(f)
	names := make([]string, 0, len(seeds))
	for name := range seeds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f.Add(seeds[name])
	}
	dir := fuzzSpecDir(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > maxFuzzSpec {
			t.Skip("input too large")
		}
		files, diags, compiled := compileText(dir, src)
		if !compiled {
			return
		}
		for _, d := range diags {
			if d.Severity == hcl.DiagError && !targetOnlyErrors[d.Summary] {
				t.Fatalf("the compiler accepted the spec but an emitter refused it: %s: %s (%s)", d.Summary, d.Detail, d.Subject)
			}
		}
		again, _, _ := compileText(dir, src)
		if len(again) != len(files) {
			t.Fatalf("second compilation made %d files, first %d", len(again), len(files))
		}
		for name, data := range files {
			if !bytes.Equal(again[name], data) {
				t.Fatalf("%s differs between two compilations", name)
			}
			// The llb target writes protobuf by hand: BuildKit's own
			// generated code must read every definition back.
			if path.Base(name) == buildkit.DefinitionFile {
				if _, err := llbread.ReadBack(data); err != nil {
					t.Fatalf("%s does not read back: %v", name, err)
				}
			}
		}
	})
}

// TestFuzzSeedsCompile makes sure FuzzCompile's seeds reach the emitters:
// every example and golden spec compiles in the fuzz spec directory.
func TestFuzzSeedsCompile(t *testing.T) {
	dir := fuzzSpecDir(t)
	n := 0
	for name, src := range seedSpecs(t) {
		if strings.Contains(name, "diagnostics") {
			continue
		}
		files, diags, ok := compileText(dir, src)
		if !ok || diags.HasErrors() || len(files) == 0 {
			t.Errorf("%s does not compile in the fuzz directory: %v", name, diags)
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d compiling seeds", n)
	}
}
