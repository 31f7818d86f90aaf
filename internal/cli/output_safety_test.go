package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
)

// copySpec is a spec that copies notes.txt.
const copySpec = `environment "demo" {
  base = "debian:bookworm"
  file {
    source = "notes.txt"
    target = "/opt/notes.txt"
  }
}
`

// writeResults writes results into out as compile does (every target).
func writeResults(out, specDir string, results []emitted) error {
	var names []string
	for _, r := range results {
		names = append(names, r.env.Name)
	}
	tree := newTree(out)
	defer tree.close()
	if err := tree.open(names, nil); err != nil {
		return err
	}
	return writeOutputs(tree, results, writeOptions{specDir: specDir, all: true})
}

// writeLoaded runs the rest of compile (every target, written to out) on
// a spec already loaded, as compile does after the compiler.
func writeLoaded(l *loaded, specDir, out string) error {
	results, diags := emitAll(l.envs, targets.All(), nil, false, emitters.DefaultMaxFileSize)
	if diags.HasErrors() {
		return diags
	}
	return writeResults(out, specDir, results)
}

// A copied file is checked by the compiler and read later: swapping it for
// a link leading outside the spec's folder in between must not copy the
// file the link points to.
func TestCopiedFileSwappedAfterCheck(t *testing.T) {
	dir := t.TempDir()
	specDir := filepath.Join(dir, "spec")
	if err := os.MkdirAll(specDir, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(specDir, "spec.hcl")
	notes := filepath.Join(specDir, "notes.txt")
	secret := filepath.Join(dir, "secret.txt")
	for path, data := range map[string]string{spec: copySpec, notes: "notes\n", secret: "SECRET\n"} {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, swap := range []struct {
		name string
		do   func() error
	}{
		{"link outside", func() error { return os.Symlink("../secret.txt", notes) }},
		{"absolute link outside", func() error { return os.Symlink(secret, notes) }},
		{"folder", func() error { return os.Mkdir(notes, 0o755) }},
	} {
		t.Run(swap.name, func(t *testing.T) {
			if err := os.WriteFile(notes, []byte("notes\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			l, err := newApp(nil, io.Discard, io.Discard, nil).load(spec, &specFlags{}, out)
			if err != nil || l.diags.HasErrors() {
				t.Fatalf("load: %v %v", err, l.diags)
			}
			// The compiler has checked notes.txt; now it changes.
			if err := os.Remove(notes); err != nil {
				t.Fatal(err)
			}
			if err := swap.do(); err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(notes)
			err = writeLoaded(l, specDir, out)
			if got, _ := os.ReadFile(filepath.Join(out, "demo", "files", "notes.txt")); bytes.Contains(got, []byte("SECRET")) {
				t.Fatalf("the file outside the spec's folder was copied (error: %v)", err)
			}
			if err == nil {
				t.Fatal("compile wrote its outputs although the copied file changed after it was checked")
			}
			if !strings.Contains(err.Error(), "notes.txt") {
				t.Errorf("the error does not name the file: %v", err)
			}
		})
	}
}

// Copied files are streamed: copying a 64 MiB file, or finding it
// unchanged on the next compile, allocates far less than the file's size.
func TestCopiedFilesAreStreamed(t *testing.T) {
	const size = 64 << 20
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.hcl")
	if err := os.WriteFile(spec, []byte(copySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse file: no disk is used for reading it.
	f, err := os.Create(filepath.Join(dir, "notes.txt"))
	if err == nil {
		err = f.Truncate(size)
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, when := range []string{"first compile", "unchanged"} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var stderr bytes.Buffer
		code := run([]string{"compile", spec, "-o", out, "-t", "docker"}, strings.NewReader(""), io.Discard, &stderr, nil)
		runtime.ReadMemStats(&after)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", when, code, stderr.String())
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d KiB allocated", when, alloc>>10)
		if alloc > size/4 {
			t.Errorf("%s: compile allocated %d MiB for a %d MiB copied file", when, alloc>>20, size>>20)
		}
	}
	if st, err := os.Stat(filepath.Join(out, "demo", "files", "notes.txt")); err != nil || st.Size() != size {
		t.Errorf("copied file: %v", err)
	}
}
