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
