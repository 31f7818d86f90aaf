package compiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/google/go-cmp/cmp"
)

// writeFiles writes files (path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// stepText describes the steps as one line each: run commands, package
// lists, copies and env steps.
func stepText(steps []ir.Step) []string {
	var out []string
	for _, s := range steps {
		switch s := s.(type) {
		case *ir.RunStep:
			out = append(out, "run "+s.Command)
		case *ir.InstallStep:
			out = append(out, "install "+strings.Join(s.Packages, " "))
		case *ir.CopyStep:
			out = append(out, "copy "+s.Source+" "+s.Target)
		case *ir.EnvStep:
			var vs []string
			for _, v := range s.Vars {
				vs = append(vs, v.Name+"="+v.Value.String())
			}
			out = append(out, "env "+strings.Join(vs, " "))
		}
	}
	return out
}

// TestModulesAndForEach checks what modules and for_each lower to: the
// module's steps at the call's place, its variables from the call (a
// default where none is given), its outputs in the blocks after the call
// (a map of them with for_each), copy sources relative to the module's
// folder, and for_each in a fixed order: maps and sets by key, lists in
// their order.
func TestModulesAndForEach(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"mods/tool.hcl": `
variable "name" {
  type = string
}
variable "prefix" {
  type    = string
  default = "/usr/local"
}
locals {
  bin = "${var.prefix}/bin/${var.name}"
}
step {
  run = "install ${local.bin}"
}
step {
  copy {
    source = "data/${var.name}.txt"
    target = "/opt/${var.name}.txt"
  }
}
module "inner" {
  source = "./inner/inner.hcl"
  what   = var.name
}
output "bin" {
  value = local.bin
}
output "inner" {
  value = module.inner.said
}
`,
		"mods/inner/inner.hcl": `
variable "what" {
  type = string
}
pip {
  for_each = toset(["b", "a"])
  packages = ["${var.what}-${each.key}"]
}
output "said" {
  value = "inner ${var.what}"
}
`,
		"mods/data/x.txt": "x",
		"mods/data/y.txt": "y",
		"mods/data/z.txt": "z",
	})
	src := `
environment "e" {
  base = "debian:bookworm"
  step {
    run = "echo before"
  }
  module "tool" {
    for_each = { y = "/opt/y", x = "/opt/x" }
    source   = "mods/tool.hcl"
    name     = each.key
    prefix   = each.value
  }
  module "one" {
    source = "./mods/tool.hcl"
    name   = "z"
  }
  step {
    for_each = ["c", "a", "b"]
    run      = "echo ${each.key} ${each.value} ${module.tool[each.value == "a" ? "x" : "y"].bin}"
  }
  step {
    env = { ONE = module.one.bin, INNER = module.one.inner }
  }
}
`
	envs, errs := compile(t, src, compiler.Options{SpecDir: dir})
	if errs != "" {
		t.Fatal(errs)
	}
	want := []string{
		"run echo before",
		"run install /opt/x/bin/x",
		"copy files/mods/data/x.txt /opt/x.txt",
		"run python3 -m pip install x-a",
		"run python3 -m pip install x-b",
		"run install /opt/y/bin/y",
		"copy files/mods/data/y.txt /opt/y.txt",
		"run python3 -m pip install y-a",
		"run python3 -m pip install y-b",
		"run install /usr/local/bin/z",
		"copy files/mods/data/z.txt /opt/z.txt",
		"run python3 -m pip install z-a",
		"run python3 -m pip install z-b",
		"run echo 0 c /opt/y/bin/y",
		"run echo 1 a /opt/x/bin/x",
		"run echo 2 b /opt/y/bin/y",
		"env ONE=/usr/local/bin/z INNER=inner z",
	}
	got := stepText(envs[0].Steps)
	// pip's own lines carry flags this test does not judge: keep the
	// command and the requirement.
	for i, s := range got {
		if strings.Contains(s, "pip install") {
			f := strings.Fields(s)
			got[i] = "run python3 -m pip install " + f[len(f)-1]
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	var calls []string
	for _, m := range envs[0].Modules {
		calls = append(calls, m.Call+" "+m.Source)
	}
	wantCalls := []string{
		`module.tool["x"] mods/tool.hcl`, `module.tool["x"].module.inner mods/inner/inner.hcl`,
		`module.tool["y"] mods/tool.hcl`, `module.tool["y"].module.inner mods/inner/inner.hcl`,
		`module.one mods/tool.hcl`, `module.one.module.inner mods/inner/inner.hcl`,
	}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("module calls (-want +got):\n%s", diff)
	}
}

// TestModuleScope checks that a module sees only its own variables and
// locals, not the caller's, and that the caller sees its outputs only
// after the call.
func TestModuleScope(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"m.hcl": `
step {
  run = "echo ${var.release}"
}
`,
		"ok.hcl": `
output "x" {
  value = "x"
}
`,
	})
	for name, c := range map[string]struct{ src, want string }{
		"caller's variable": {`
variable "release" {
  default = "bookworm"
}
environment "e" {
  base = "debian:${var.release}"
  module "m" {
    source = "m.hcl"
  }
}`, "Unsupported attribute"},
		"output before the call": {`
environment "e" {
  base = "debian:bookworm"
  step {
    run = module.m.x
  }
  module "m" {
    source = "ok.hcl"
  }
}`, "Unknown variable"},
	} {
		t.Run(name, func(t *testing.T) {
			_, errs := compile(t, c.src, compiler.Options{SpecDir: dir})
			if errs != c.want {
				t.Errorf("errors %q, want %q", errs, c.want)
			}
		})
	}
}

// A module's evaluation is part of the compilation's: its for expressions
// and function calls draw on the budgets of the spec that calls it, so
// calling a module twice cannot double what a spec may cost.
func TestModuleSharesBudget(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"grid.hcl": `
locals {
  cells = length(flatten([for i in range(200) : [for j in range(200) : j]]))
}
step {
  run = "echo ${local.cells}"
}
`,
	})
	for calls, want := range map[int]string{1: "", 2: "Too many iterations"} {
		src := "environment \"e\" {\n  base = \"debian:bookworm\"\n"
		for i := 0; i < calls; i++ {
			src += fmt.Sprintf("  module \"g%d\" {\n    source = \"grid.hcl\"\n  }\n", i)
		}
		src += "}\n"
		_, errs := compile(t, src, compiler.Options{SpecDir: dir})
		if errs != want {
			t.Errorf("%d calls: errors %q, want %q", calls, errs, want)
		}
	}
}
