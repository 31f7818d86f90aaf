package cli

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	compile()
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
