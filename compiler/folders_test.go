package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"**", "a/b/c.txt", true},
		{"*.py", "x.py", true},
		{"*.py", "d/x.py", false},
		{"**/*.py", "x.py", true},
		{"**/*.py", "d/e/x.py", true},
		{"d/**", "d/e/x", true},
		{"d/**", "e/x", false},
		{"d/*/x", "d/e/x", true},
		{"d/*/x", "d/e/f/x", false},
		{"[a-c]?.txt", "b1.txt", true},
		{"cache", "cache", true},
		{"cache", "cache/x", false},
	} {
		if got := matchAny([]string{tc.pattern}, tc.path); got != tc.want {
			t.Errorf("%q matches %q: %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// TestFolderEntries lowers a folder copy: the entries in walk order with
// their modes, the folders that hold kept files, an excluded folder left
// out whole; a link inside the folder is refused.
func TestFolderEntries(t *testing.T) {
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{"data/a.txt": 0o644, "data/b/run.sh": 0o755, "data/b/c/deep.txt": 0o600, "data/skip/x.txt": 0o644, "data/b/empty/.keep": 0o644} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	spec := `environment "e" {
  base = "debian:bookworm"
  file {
    source  = "data"
    target  = "/opt/data/"
    exclude = ["skip", "**/.keep"]
  }
}
`
	envs := compileOK(t, spec, dir)
	c := envs[0].Steps[0].(*ir.CopyStep)
	want := []ir.FolderEntry{
		{Path: "a.txt", Mode: 0o644},
		{Path: "b", Mode: 0o755, Dir: true},
		{Path: "b/c", Mode: 0o755, Dir: true},
		{Path: "b/c/deep.txt", Mode: 0o600},
		{Path: "b/run.sh", Mode: 0o755},
	}
	if diff := cmp.Diff(want, c.Files); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if c.Target != "/opt/data" || c.Source != "files/data.envc-"+c.Source[len("files/data.envc-"):] || len(envs[0].ContextFiles) != 3 {
		t.Errorf("copy %+v, context files %v", c, envs[0].ContextFiles)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "data", "link")); err != nil {
		t.Fatal(err)
	}
	_, diags := compileIn(t, spec, dir)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "link is not a regular file") {
		t.Errorf("a link in the folder: %v", diags)
	}
}

// compileIn compiles spec text as if it were a file in dir.
func compileIn(t *testing.T, src, dir string) ([]*ir.Env, hcl.Diagnostics) {
	t.Helper()
	f, diags := schema.Parse(filepath.Join(dir, "spec.hcl"), []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	spec, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	spec.Filename = filepath.Join(dir, "spec.hcl")
	return Compile(spec, Options{SpecDir: dir})
}

func compileOK(t *testing.T, src, dir string) []*ir.Env {
	t.Helper()
	envs, diags := compileIn(t, src, dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return envs
}
