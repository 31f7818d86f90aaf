package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUpToDateNeverStale changes one input (or an output) at a time, at
// random, often within the same second as the compile before and keeping
// its size, and checks after each compile that the output folder holds
// exactly what a fresh compile makes: the up-to-date shortcut never
// serves outputs of inputs gone.
func TestUpToDateNeverStale(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec := func(n int) string {
		return fmt.Sprintf(`variable "tag" {
  type = string
}

variable "greeting" {
  type    = string
  default = "hello"
}

environment "demo" {
  base = "debian:${var.tag}"
  env  = { GREETING = var.greeting, N = "%d" }
  file {
    source = "a.txt"
    target = "/opt/a.txt"
  }
  file {
    source = "data"
    target = "/opt/data/"
  }
  module "m" {
    source = "./modules/m.hcl"
  }
}
`, n)
	}
	write("spec.hcl", spec(0))
	write("vars.hcl", "tag = \"bookworm\"\n")
	write("a.txt", "a0\n")
	write("data/x.txt", "x0\n")
	write("modules/m.hcl", "step {\n  run = \"echo m0\"\n}\n")
	specPath := filepath.Join(dir, "spec.hcl")
	out := filepath.Join(dir, "out")
	cache := cacheDirVar + "=" + filepath.Join(dir, "cache")
	env := []string{cache, "ENVC_VAR_greeting=hello"}
	extra := []string{}
	compile := func(into string, args ...string) (int, string) {
		var stderr bytes.Buffer
		a := append([]string{"compile", specPath, "-o", into, "--var-file", filepath.Join(dir, "vars.hcl")}, extra...)
		code := run(append(a, args...), strings.NewReader(""), &bytes.Buffer{}, &stderr, env)
		return code, stderr.String()
	}
	shortcuts := 0
	for i := range 60 {
		var what string
		switch k := rng.IntN(10); k {
		case 0:
			what = "spec"
			write("spec.hcl", spec(rng.IntN(10))) // the same size
		case 1:
			what = "variable file"
			write("vars.hcl", []string{"tag = \"bookworm\"\n", "tag = \"bullseye\"\n", "tag = \"trixie\"\n"}[rng.IntN(3)])
		case 2:
			what = "copied file"
			write("a.txt", fmt.Sprintf("a%d\n", rng.IntN(10)))
		case 3:
			what = "file of a copied folder"
			write(fmt.Sprintf("data/%c.txt", 'x'+rng.IntN(3)), fmt.Sprintf("x%d\n", rng.IntN(10)))
		case 4:
			what = "module"
			write("modules/m.hcl", fmt.Sprintf("step {\n  run = \"echo m%d\"\n}\n", rng.IntN(10)))
		case 5:
			what = "ENVC_VAR_ variable"
			env = []string{cache, fmt.Sprintf("ENVC_VAR_greeting=hello%d", rng.IntN(3))}
		case 6:
			what = "flag"
			extra = [][]string{nil, {"--var", "greeting=flag"}, {"-q"}}[rng.IntN(3)]
		case 7:
			// An output put back as envc wrote it, with new times.
			what = "output touched"
			now := time.Now()
			os.Chtimes(filepath.Join(out, "demo", "Dockerfile"), now, now)
		case 8:
			// An output edited by hand, then overwritten with --force.
			what = "output edited"
			if _, err := os.Stat(out); err == nil {
				p := filepath.Join(out, "demo", "Dockerfile")
				b, _ := os.ReadFile(p)
				os.WriteFile(p, bytes.ToUpper(b), 0o644)
				if code, stderr := compile(out); code == 0 || !strings.Contains(stderr, "changed since envc wrote it") {
					t.Fatalf("step %d: an edited output was not refused (exit %d):\n%s", i, code, stderr)
				}
				if code, stderr := compile(out, "--force"); code != 0 {
					t.Fatalf("step %d: --force: exit %d\n%s", i, code, stderr)
				}
			}
		default:
			what = "nothing"
		}
		code, stderr := compile(out)
		if code != 0 {
			t.Fatalf("step %d (%s): exit %d\n%s", i, what, code, stderr)
		}
		if strings.Contains(stderr, "up to date") {
			shortcuts++
		}
		if extra := filesOutsideEnvs(t, out); len(extra) > 0 {
			t.Fatalf("step %d: the output folder holds %v beside the environments' folders: the record belongs in the cache folder", i, extra)
		}
		fresh := filepath.Join(t.TempDir(), "out")
		if code, stderr := compile(fresh); code != 0 {
			t.Fatalf("step %d: fresh compile: exit %d\n%s", i, code, stderr)
		}
		if diff := diffTrees(t, filepath.Join(out, "demo"), filepath.Join(fresh, "demo")); diff != "" {
			t.Fatalf("step %d, after changing the %s: the output folder is not what a fresh compile makes:\n%s", i, what, diff)
		}
	}
	// The shortcut is not printed under -q, which the flags step may have
	// left on: once more without it, a compile that changes nothing must
	// find the files up to date.
	t.Logf("%d compiles found the files up to date", shortcuts)
	extra = nil
	for i := range 2 {
		if code, stderr := compile(out); code != 0 || i == 1 && !strings.Contains(stderr, "up to date") {
			t.Errorf("a compile changing nothing did not find the files up to date (exit %d):\n%s", code, stderr)
		}
	}
}

// diffTrees names the files that differ between two folders.
func diffTrees(t *testing.T, a, b string) string {
	t.Helper()
	read := func(root string) map[string]string {
		m := map[string]string{}
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				rel, _ := filepath.Rel(root, p)
				data, _ := os.ReadFile(p)
				m[rel] = string(data)
			}
			return nil
		})
		return m
	}
	ma, mb := read(a), read(b)
	var out []string
	for name, data := range ma {
		if mb[name] != data {
			out = append(out, name)
		}
	}
	for name := range mb {
		if _, ok := ma[name]; !ok {
			out = append(out, name+" (missing)")
		}
	}
	return strings.Join(out, "\n")
}

// TestUpToDateSeesEditWithTimesRestored edits an output by hand keeping
// its size, and sets its modification time back: the change time still
// tells, and compile refuses to overwrite the edit.
func TestUpToDateSeesEditWithTimesRestored(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.hcl")
	if err := os.WriteFile(spec, []byte("environment \"demo\" {\n  base = \"debian:bookworm\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	compile := func() (int, string) {
		var stderr bytes.Buffer
		code := run([]string{"compile", spec, "-o", out}, strings.NewReader(""), &bytes.Buffer{}, &stderr, []string{cacheDirVar + "=" + filepath.Join(dir, "cache")})
		return code, stderr.String()
	}
	if code, stderr := compile(); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if code, stderr := compile(); code != 0 || !strings.Contains(stderr, "up to date") {
		t.Fatalf("second compile: exit %d, want the files up to date\n%s", code, stderr)
	}
	p := filepath.Join(out, "demo", "Dockerfile")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("bookworm"), []byte("BOOKWORM"), 1)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if code, stderr := compile(); code == 0 || !strings.Contains(stderr, "changed since envc wrote it") {
		t.Fatalf("exit %d, want the edit refused\n%s", code, stderr)
	}
}

// TestStatePath checks where compile keeps its records: one per output
// folder, by its absolute path, in ENVC_CACHE_DIR or else the user's cache
// folder, made only the user may enter; none without a cache folder.
func TestStatePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cache := filepath.Join(dir, "cache")
	a := &app{environ: []string{cacheDirVar + "=" + cache}}
	rel, abs := a.statePath("out"), a.statePath(filepath.Join(dir, "x", "..", "out"))
	if rel != abs {
		t.Errorf("out and its absolute path have two records: %s, %s", rel, abs)
	}
	if filepath.Dir(rel) != filepath.Join(cache, "uptodate") {
		t.Errorf("record %s is not in %s", rel, filepath.Join(cache, "uptodate"))
	}
	if other := a.statePath("out2"); other == rel {
		t.Errorf("out and out2 share the record %s", rel)
	}

	user := filepath.Join(dir, "user")
	t.Setenv("XDG_CACHE_HOME", user)
	for _, env := range [][]string{nil, {cacheDirVar + "="}} {
		if got, want := (&app{environ: env}).statePath("out"), filepath.Join(user, "envc", "uptodate", filepath.Base(rel)); got != want {
			t.Errorf("environment %q: record %s, want %s", env, got, want)
		}
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if got := (&app{}).statePath("out"); got != "" {
		t.Errorf("without a cache folder: record %s, want none", got)
	}

	// The record and its folder are the user's alone.
	if err := os.WriteFile("spec.hcl", []byte("environment \"demo\" {\n  base = \"debian:bookworm\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"compile", "spec.hcl", "-o", "out"}, strings.NewReader(""), &bytes.Buffer{}, &stderr, a.environ); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for p, want := range map[string]fs.FileMode{rel: 0o600, filepath.Dir(rel): 0o700 | fs.ModeDir} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	items, err := os.ReadDir(filepath.Dir(rel))
	if err != nil || len(items) != 1 {
		t.Errorf("the cache folder holds %v (%v), want the record alone", items, err)
	}
}

// filesOutsideEnvs lists what the output folder out holds other than
// folders (an environment's): nothing, when a compile is done.
func filesOutsideEnvs(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range entries {
		if !e.IsDir() {
			extra = append(extra, e.Name())
		}
	}
	return extra
}
