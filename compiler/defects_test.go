package compiler_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/schema"
)

func parse(t *testing.T, src string) *schema.Spec {
	t.Helper()
	f, diags := schema.Parse("spec.hcl", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("parse: %s", diags.Error())
	}
	spec, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatalf("decode: %s", diags.Error())
	}
	return spec
}

// TestStageErrorNoFollowOn checks that an error inside a stage is reported
// once: the copies from the stage do not add "Unknown stage".
func TestStageErrorNoFollowOn(t *testing.T) {
	src := `
environment "e" {
  base = "debian:bookworm"
  stage "build" {
    base     = "debian:bookworm"
    packages = ["bad name"]
  }
  step {
    copy {
      from   = stage.build
      source = "/out"
      target = "/opt/out"
    }
  }
  step {
    copy {
      from   = stage.build
      source = "/more"
      target = "/opt/more"
    }
  }
}
`
	_, got := compile(t, src, compiler.Options{})
	if got != "Invalid package name" {
		t.Errorf("diagnostics %q, want only the stage's own error", got)
	}
	// A stage that is really missing is still reported.
	_, got = compile(t, strings.ReplaceAll(src, "stage.build", "stage.other"), compiler.Options{})
	if !strings.Contains(got, "Unknown stage") {
		t.Errorf("diagnostics %q, want Unknown stage", got)
	}
}

// TestCopyBlockWording checks that a copy block's errors do not call it a
// file block (an empty folder: the one error a copy of a folder has).
func TestCopyBlockWording(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := `
environment "e" {
  base = "debian:bookworm"
  step {
    copy {
      source = "conf"
      target = "/etc/conf"
    }
  }
}
`
	f := parse(t, src)
	_, diags := compiler.Compile(f, compiler.Options{SpecDir: dir})
	if len(diags) != 1 || strings.Contains(diags[0].Detail, "file block") || diags[0].Summary != "Folder copies nothing" {
		t.Errorf("diagnostics %v, want one that the folder copies nothing, not naming a file block", diags)
	}
}

// TestDuplicateCopyTarget checks the one rule for two copies to one target,
// in an environment and across from: an error unless the later copy says
// overwrite = true.
func TestDuplicateCopyTarget(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.txt", "b.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyStep := func(src, extra string) string {
		return "  step {\n    copy {\n      source = \"" + src + "\"\n      target = \"/etc/app.conf\"\n" + extra + "    }\n  }\n"
	}
	for _, tc := range []struct{ name, spec, want string }{
		{"same environment", "environment \"e\" {\n  base = \"debian:bookworm\"\n" + copyStep("a.txt", "") + copyStep("b.txt", "") + "}\n", "Duplicate file target"},
		{"same environment, overwrite", "environment \"e\" {\n  base = \"debian:bookworm\"\n" + copyStep("a.txt", "") + copyStep("b.txt", "      overwrite = true\n") + "}\n", ""},
		{"across from", "environment \"p\" {\n  base = \"debian:bookworm\"\n" + copyStep("a.txt", "") + "}\nenvironment \"c\" {\n  from = environment.p\n" + copyStep("b.txt", "") + "}\n", "Duplicate file target"},
		{"across from, overwrite", "environment \"p\" {\n  base = \"debian:bookworm\"\n" + copyStep("a.txt", "") + "}\nenvironment \"c\" {\n  from = environment.p\n" + copyStep("b.txt", "      overwrite = true\n") + "}\n", ""},
		{"file block across from", "environment \"p\" {\n  base = \"debian:bookworm\"\n  file {\n    source = \"a.txt\"\n    target = \"/etc/app.conf\"\n  }\n}\nenvironment \"c\" {\n  from = environment.p\n  file {\n    source = \"b.txt\"\n    target = \"/etc/app.conf\"\n  }\n}\n", "Duplicate file target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := compile(t, tc.spec, compiler.Options{SpecDir: dir})
			if got != tc.want {
				t.Errorf("diagnostics %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDuplicateCopyTargetInFolder checks the duplicate-copy rule for a
// folder copy's files: a folder copy that writes a file an earlier copy
// wrote, or a file copy to a file an earlier folder copy wrote, is an
// error at the later copy naming the earlier one, unless the later copy
// says overwrite = true; in one environment and across from alike.
func TestDuplicateCopyTargetInFolder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"pkg/DESCRIPTION", "pkg/R/main.R", "other.txt"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyStep := func(src, dst, extra string) string {
		return "  step {\n    copy {\n      source = \"" + src + "\"\n      target = \"" + dst + "\"\n" + extra + "    }\n  }\n"
	}
	env := func(name, steps string) string {
		return "environment \"" + name + "\" {\n  base = \"debian:bookworm\"\n" + steps + "}\n"
	}
	child := func(steps string) string {
		return "environment \"c\" {\n  from = environment.p\n" + steps + "}\n"
	}
	const ow = "      overwrite = true\n"
	for _, tc := range []struct {
		name, spec string
		want       string // "" for no diagnostic, else the detail's start
	}{
		{"file, then folder", env("e", copyStep("pkg/DESCRIPTION", "/opt/pkg/DESCRIPTION", "")+copyStep("pkg", "/opt/pkg", "")),
			`The folder copied to "/opt/pkg" writes "/opt/pkg/DESCRIPTION", which another copy already writes at spec.hcl:6,`},
		{"file, then folder, overwrite", env("e", copyStep("pkg/DESCRIPTION", "/opt/pkg/DESCRIPTION", "")+copyStep("pkg", "/opt/pkg", ow)), ""},
		{"folder, then file", env("e", copyStep("pkg", "/opt/pkg", "")+copyStep("other.txt", "/opt/pkg/R/main.R", "")),
			`Another file is already copied to "/opt/pkg/R/main.R" at spec.hcl:6,`},
		{"folder, then file, overwrite", env("e", copyStep("pkg", "/opt/pkg", "")+copyStep("other.txt", "/opt/pkg/R/main.R", ow)), ""},
		{"folder, then folder above it", env("e", copyStep("pkg/R", "/opt/pkg/R", "")+copyStep("pkg", "/opt/pkg", "")),
			`The folder copied to "/opt/pkg" writes "/opt/pkg/R/main.R", which another copy already writes at spec.hcl:6,`},
		{"folder, then a file beside its files", env("e", copyStep("pkg", "/opt/pkg", "")+copyStep("other.txt", "/opt/pkg/other.txt", "")), ""},
		{"across from, folder then file", env("p", copyStep("pkg", "/opt/pkg", "")) + child(copyStep("other.txt", "/opt/pkg/DESCRIPTION", "")),
			`Another file is already copied to "/opt/pkg/DESCRIPTION" at spec.hcl:4,`},
		{"across from, file then folder", env("p", copyStep("other.txt", "/opt/pkg/DESCRIPTION", "")) + child(copyStep("pkg", "/opt/pkg", "")),
			`The folder copied to "/opt/pkg" writes "/opt/pkg/DESCRIPTION", which another copy already writes at spec.hcl:4,`},
		{"across from, overwrite", env("p", copyStep("other.txt", "/opt/pkg/DESCRIPTION", "")) + child(copyStep("pkg", "/opt/pkg", ow)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := compiler.Compile(parse(t, tc.spec), compiler.Options{SpecDir: dir})
			switch {
			case tc.want == "" && len(diags) != 0:
				t.Errorf("diagnostics %v, want none", diags)
			case tc.want == "":
			case len(diags) != 1 || diags[0].Summary != "Duplicate file target" || !strings.HasPrefix(diags[0].Detail, tc.want):
				t.Errorf("diagnostics %v, want one Duplicate file target starting %q", diags, tc.want)
			default:
				// At the later copy's target: line 12 in one environment,
				// line 15 in the child.
				want := 12
				if strings.HasPrefix(tc.name, "across") {
					want = 15
				}
				if l := diags[0].Subject.Start.Line; l != want {
					t.Errorf("reported at line %d, want %d (the later copy's target)", l, want)
				}
			}
		})
	}
}
