package cli

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/internal/specgen"
)

// TestCompileLeavesUnchangedFiles compiles a spec twice: the second run
// must replace no file (a replaced file is a new inode), and a file edited
// in between must come back, with --force, as envc wrote it.
func TestCompileLeavesUnchangedFiles(t *testing.T) {
	out := t.TempDir()
	compile := func(args ...string) {
		t.Helper()
		var stderr bytes.Buffer
		argv := append([]string{"compile", "../../examples/docker-example/docker-example.hcl", "-o", out}, args...)
		if code := run(argv, strings.NewReader(""), io.Discard, &stderr, nil); code != 0 {
			t.Fatalf("envc %s: exit %d\n%s", strings.Join(argv, " "), code, stderr.String())
		}
	}
	files := func() map[string]fs.FileInfo {
		t.Helper()
		m := map[string]fs.FileInfo{}
		err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := os.Lstat(path)
			m[path] = info
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	compile()
	first := files()
	if len(first) < 5 {
		t.Fatalf("only %d files written", len(first))
	}
	temps := tempsMade.Load()
	compile()
	if n := tempsMade.Load() - temps; n != 0 {
		t.Errorf("compiling again made %d temporary files", n)
	}
	second := files()
	for path, info := range first {
		if !os.SameFile(info, second[path]) {
			t.Errorf("%s was written again although nothing changed", path)
		}
	}
	if len(second) != len(first) {
		t.Errorf("%d files after the second run, %d after the first", len(second), len(first))
	}

	var dockerfile string
	for path := range first {
		if filepath.Base(path) == "Dockerfile" {
			dockerfile = path
		}
	}
	want, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dockerfile, append(want, "# edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	compile("--force")
	if got, err := os.ReadFile(dockerfile); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the edited Dockerfile was not restored (%v)", err)
	}
}

// A large llb.pb (the large generated spec's is about 50 MB) is streamed to
// its file: the bytes are those the llb target writes in memory, the
// manifest has their hash, and compiling again leaves the file alone.
func TestCompileStreamsLargeDefinition(t *testing.T) {
	if testing.Short() {
		t.Skip("large spec in -short mode")
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "large.hcl")
	if err := os.WriteFile(spec, specgen.Spec(specgen.Large()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	if code := run([]string{"compile", spec, "-o", out, "-t", "llb"}, strings.NewReader(""), io.Discard, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	l, err := newApp(nil, io.Discard, io.Discard, nil).load(spec, &specFlags{}, out)
	if err != nil || len(l.envs) != 1 {
		t.Fatalf("load: %v, %d environments", err, len(l.envs))
	}
	mem, diags := emitters.EmitFor(buildkit.New(), l.envs[0], emitters.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Errs())
	}
	streamed, _ := emitters.EmitFor(buildkit.New(), l.envs[0], emitters.Options{Stream: true})
	if !slices.ContainsFunc(streamed.Files, func(f emitters.File) bool { return f.Stream != nil }) {
		t.Fatal("the large spec's llb.pb is not streamed")
	}
	pbPath := filepath.Join(out, l.envs[0].Name, buildkit.DefinitionFile)
	got, err := os.ReadFile(pbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range mem.Files {
		if f.Path == buildkit.DefinitionFile && !bytes.Equal(got, f.Data) {
			t.Errorf("streamed llb.pb (%d bytes) differs from the one written in memory (%d bytes)", len(got), len(f.Data))
		}
	}
	data, err := os.ReadFile(filepath.Join(out, l.envs[0].Name, ManifestName))
	manifest := parseManifest(data)
	if err != nil || manifest[buildkit.DefinitionFile].sum != hashOf(got) {
		t.Errorf("manifest hash of llb.pb = %q (%v), want %q", manifest[buildkit.DefinitionFile].sum, err, hashOf(got))
	}
	before, err := os.Stat(pbPath)
	if err != nil {
		t.Fatal(err)
	}
	temps := tempsMade.Load()
	if code := run([]string{"compile", spec, "-o", out, "-t", "llb"}, strings.NewReader(""), io.Discard, &stderr, nil); code != 0 {
		t.Fatalf("again: exit %d: %s", code, stderr.String())
	}
	// The llb.pb on disk is hashed and compared before anything is
	// written: not even a temporary file is made.
	if n := tempsMade.Load() - temps; n != 0 {
		t.Errorf("compiling again made %d temporary files", n)
	}
	after, err := os.Stat(pbPath)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("compiling again replaced the unchanged llb.pb")
	}
	noTemps := func(when string) {
		entries, _ := os.ReadDir(filepath.Dir(pbPath))
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp") {
				t.Errorf("%s: temporary file left: %s", when, e.Name())
			}
		}
	}
	noTemps("compiled again")
	// A hand-edited llb.pb is kept (compile refuses), and the definition
	// already streamed to a temporary file is removed.
	if err := os.WriteFile(pbPath, []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"compile", spec, "-o", out, "-t", "llb"}, strings.NewReader(""), io.Discard, &stderr, nil); code == 0 || !strings.Contains(stderr.String(), "changed since envc wrote it") {
		t.Errorf("compile over an edited llb.pb: exit %d, %s", code, stderr.String())
	}
	if data, _ := os.ReadFile(pbPath); string(data) != "edited" {
		t.Error("the edited llb.pb was replaced")
	}
	noTemps("refused")
}

// A compile that fails after the llb target streamed its large definition
// to a temporary file leaves nothing behind: not the file, not the folders
// made for it.
func TestFailedCompileLeavesNoTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("large spec in -short mode")
	}
	dir := t.TempDir()
	src := strings.Replace(string(specgen.Spec(specgen.Large())), `"ubuntu:22.04"`, `"alpine:3.21"`, 1)
	spec := filepath.Join(dir, "large.hcl")
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "a", "out")
	var stderr bytes.Buffer
	code := run([]string{"compile", spec, "-o", out, "-t", "llb,vagrant"}, strings.NewReader(""), io.Discard, &stderr, nil)
	if code != exitSpec || !strings.Contains(stderr.String(), "No Vagrant box") {
		t.Fatalf("exit %d, want 1 with the vagrant target's error:\n%s", code, stderr.String())
	}
	if _, err := os.Lstat(filepath.Join(dir, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the failed compile left %s (%v)", filepath.Join(dir, "a"), err)
	}
}
