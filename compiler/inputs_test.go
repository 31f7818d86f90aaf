package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/schema"
	"github.com/google/go-cmp/cmp"
)

// TestInputsRecordsEveryRead compiles a spec that reads a variable file,
// a module (which copies a file of its own), a file and a folder, and
// checks that Options.Inputs saw every file and folder of the spec's
// directory the compilation used, the files read with the sums of their
// bytes, and nothing else.
func TestInputsRecordsEveryRead(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"vars.hcl":        "tag = \"trixie\"\n",
		"modules/m.hcl":   "step {\n  copy {\n    source = \"run.sh\"\n    target = \"/usr/local/bin/run\"\n  }\n}\n",
		"modules/run.sh":  "#!/bin/sh\n",
		"a.txt":           "a\n",
		"data/x.txt":      "x\n",
		"data/sub/y.txt":  "y\n",
		"unused/skip.txt": "never read\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := `variable "tag" {
  type = string
}

environment "e" {
  base = "debian:${var.tag}"
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
`
	f, diags := schema.Parse(filepath.Join(dir, "spec.hcl"), []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	spec, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	spec.Filename = filepath.Join(dir, "spec.hcl")
	in := &Inputs{}
	if _, diags := Compile(spec, Options{SpecDir: dir, VarFiles: []string{filepath.Join(dir, "vars.hcl")}, Inputs: in}); diags.HasErrors() {
		t.Fatal(diags)
	}
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	p := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	want := []Input{
		{Path: p("a.txt"), Kind: InputStat},
		{Path: p("data"), Kind: InputDir, Sum: ListingSum([]string{"sub", "x.txt"})},
		{Path: p("data/sub"), Kind: InputDir, Sum: ListingSum([]string{"y.txt"})},
		{Path: p("data/sub/y.txt"), Kind: InputStat},
		{Path: p("data/x.txt"), Kind: InputStat},
		{Path: p("modules/m.hcl"), Kind: InputFile, Sum: sum(files["modules/m.hcl"])},
		{Path: p("modules/run.sh"), Kind: InputStat},
		{Path: p("vars.hcl"), Kind: InputFile, Sum: sum(files["vars.hcl"])},
	}
	if diff := cmp.Diff(want, in.List()); diff != "" {
		t.Errorf("recorded inputs (-want +got):\n%s", diff)
	}
	// Every file of the folder but the spec and the one it never names is
	// there: nothing read went unrecorded.
	seen := map[string]bool{}
	for _, i := range in.List() {
		seen[i.Path] = true
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !seen[path] && filepath.Base(filepath.Dir(path)) != "unused" {
			t.Errorf("%s was read but not recorded", path)
		}
		return nil
	})
}
