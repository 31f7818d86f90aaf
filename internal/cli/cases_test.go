package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
)

// goldenCase is one spec whose outputs are kept under want/.
type goldenCase struct {
	name string
	spec string // path of the spec file
	want string // folder of the expected outputs, one sub-folder per environment
}

// goldenCaseNamed returns the golden case name; the test fails when there
// is none.
func goldenCaseNamed(t *testing.T, name string) goldenCase {
	t.Helper()
	for _, c := range goldenCases(t) {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no %s golden case", name)
	return goldenCase{}
}

// goldenCases lists every example (want in testdata/golden/example-<name>)
// and every testdata/golden/<case>/spec.hcl.
func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	var cases []goldenCase
	examples, _ := filepath.Glob("../../examples/*/*.hcl")
	for _, spec := range examples {
		name := "example-" + filepath.Base(filepath.Dir(spec))
		cases = append(cases, goldenCase{name: name, spec: spec, want: filepath.Join("../../testdata/golden", name, "want")})
	}
	specs, _ := filepath.Glob("../../testdata/golden/*/spec.hcl")
	for _, spec := range specs {
		dir := filepath.Dir(spec)
		cases = append(cases, goldenCase{name: filepath.Base(dir), spec: spec, want: filepath.Join(dir, "want")})
	}
	// Corpus recipes that envc can express have a want/ folder too.
	wants, _ := filepath.Glob("../../testdata/corpus/*/want")
	for _, want := range wants {
		dir := filepath.Dir(want)
		cases = append(cases, goldenCase{name: "corpus-" + filepath.Base(dir), spec: filepath.Join(dir, "spec.hcl"), want: want})
	}
	if len(cases) < 5 {
		t.Fatalf("found only %d golden cases", len(cases))
	}
	return cases
}

// compiledCase is a golden case compiled to memory with every target, as
// if written to <spec dir>/out.
type compiledCase struct {
	envs []*ir.Env
	// files holds each environment's files: env name -> file path -> data.
	files map[string]map[string][]byte
	// warnings is the text of the diagnostics, as compile prints them.
	warnings []byte
}

// tree returns the case's files as want/ holds them: "<env>/<file>" for
// each emitted file, "<env>/ir.txt" for each environment's IR (ir.Dump),
// and "warnings.txt".
func (cc *compiledCase) tree() map[string]emitters.File {
	out := map[string]emitters.File{}
	for _, env := range cc.envs {
		for p, data := range cc.files[env.Name] {
			out[env.Name+"/"+p] = emitters.File{Path: p, Data: data, Mode: 0o644}
		}
		out[env.Name+"/ir.txt"] = emitters.File{Path: "ir.txt", Data: []byte(ir.Dump(env)), Mode: 0o644}
	}
	out["warnings.txt"] = emitters.File{Path: "warnings.txt", Data: cc.warnings, Mode: 0o644}
	return out
}

// compiledCases holds each case compiled once (spec path -> *compiledOnce),
// which every test of a golden case shares: they only read it.
var compiledCases sync.Map

type compiledOnce struct {
	once sync.Once
	cc   *compiledCase
	err  string
}

// goldenOnce returns the case compiled once for the whole test binary.
func goldenOnce(t *testing.T, c goldenCase) *compiledCase {
	t.Helper()
	v, _ := compiledCases.LoadOrStore(c.spec, &compiledOnce{})
	co := v.(*compiledOnce)
	co.once.Do(func() { co.cc, co.err = compileCase(c) })
	if co.err != "" {
		t.Fatal(co.err)
	}
	return co.cc
}

// compile compiles the case anew (TestGolden compiles twice, to check
// that the bytes do not change).
func compile(t *testing.T, c goldenCase) *compiledCase {
	t.Helper()
	cc, err := compileCase(c)
	if err != "" {
		t.Fatal(err)
	}
	return cc
}

// compileCase compiles c; err says why it could not.
func compileCase(c goldenCase) (*compiledCase, string) {
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, nil)
	l, err := a.load(c.spec, &specFlags{}, filepath.Join(filepath.Dir(c.spec), "out"))
	if err != nil {
		return nil, err.Error()
	}
	ts, _ := parseTargets(nil)
	results, diags := emitAll(l.envs, ts, nil, false, emitters.DefaultMaxFileSize)
	if diags = append(l.diags, diags...); diags.HasErrors() {
		return nil, "compiling " + c.spec + ": " + diags.Error()
	}
	cc := &compiledCase{envs: l.envs, files: map[string]map[string][]byte{}}
	for _, r := range results {
		m := map[string][]byte{}
		for _, f := range r.files {
			m[f.Path] = f.Data
		}
		cc.files[r.env.Name] = m
	}
	// Warnings are part of the contract too: those compile prints by
	// default (not those off by default, which explain shows).
	var warn bytes.Buffer
	r := &reporter{ignore: map[string]bool{}}
	printDiags(&warn, l.files, r.filter(diags), false)
	cc.warnings = []byte(strings.ReplaceAll(warn.String(), filepath.ToSlash(filepath.Dir(c.spec))+"/", ""))
	return cc, ""
}
