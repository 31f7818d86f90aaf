package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
	names, err := readDirNames(filepath.Dir(rel))
	if want := []string{filepath.Base(rel), trimmedName}; err != nil || !slices.Equal(names, want) {
		t.Errorf("the cache folder holds %q (%v), want %q: the record and the mark of its trim", names, err, want)
	}
}

// TestRecordsTrimmed checks that the records' folder is trimmed when a
// record is written, at most once a day: records not used for 30 days
// and temporary files over an hour old go, other files stay; and that a
// record found up to date is marked as used.
func TestRecordsTrimmed(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	records := filepath.Join(cache, "uptodate")
	env := []string{cacheDirVar + "=" + cache}
	if err := os.WriteFile(filepath.Join(dir, "spec.hcl"), []byte("environment \"demo\" {\n  base = \"debian:bookworm\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	compile := func(out string, args ...string) string {
		t.Helper()
		var stderr bytes.Buffer
		if code := run(append([]string{"compile", filepath.Join(dir, "spec.hcl"), "-o", filepath.Join(dir, out)}, args...), strings.NewReader(""), &bytes.Buffer{}, &stderr, env); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
		return stderr.String()
	}
	now := time.Now()
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	files := map[string]time.Time{
		"0123456789abcdef0123456789abcdef":       ago(31 * 24 * time.Hour),  // unused for 31 days: removed
		"00000000000000000000000000000000":       ago(29 * 24 * time.Hour),  // used 29 days ago: kept
		".0123456789abcdef0123456789abcdef.tmp7": ago(2 * time.Hour),        // a killed compile's: removed
		".00000000000000000000000000000000.tmp8": ago(time.Minute),          // maybe a live compile's: kept
		"notes.txt":                              ago(365 * 24 * time.Hour), // not envc's: kept
	}
	setFiles := func() {
		t.Helper()
		for name, mod := range files {
			p := filepath.Join(records, name)
			if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, mod, mod); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(records, 0o700); err != nil {
		t.Fatal(err)
	}
	setFiles()
	compile("out")
	rec := filepath.Base((&app{environ: env}).statePath(filepath.Join(dir, "out")))
	want := []string{".00000000000000000000000000000000.tmp8", "00000000000000000000000000000000", rec, "notes.txt", trimmedName}
	slices.Sort(want)
	if got, err := readDirNames(records); err != nil || !slices.Equal(got, want) {
		t.Errorf("after the first record: %q (%v), want %q", got, err, want)
	}

	// Trimmed less than a day ago: a record written does not trim.
	setFiles()
	compile("out2")
	if got, err := readDirNames(records); err != nil || len(got) != len(want)+3 {
		t.Errorf("a second trim the same day: the folder holds %q (%v), want the files put back and out2's record", got, err)
	}

	// A record found up to date, last written two days ago, is used now.
	p := filepath.Join(records, rec)
	old := ago(48 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	if stderr := compile("out"); !strings.Contains(stderr, "up to date") {
		t.Fatalf("the second compile into out is not up to date:\n%s", stderr)
	}
	if fi, err := os.Stat(p); err != nil || fi.ModTime().Before(now) {
		t.Errorf("the record found up to date was not marked as used: %v (%v)", fi.ModTime(), err)
	}
}

// readDirNames returns the names in folder dir, sorted.
func readDirNames(dir string) ([]string, error) {
	items, err := os.ReadDir(dir)
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name()
	}
	return names, err
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
