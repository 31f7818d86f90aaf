package compiler_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/google/go-cmp/cmp"
)

func compile(t *testing.T, src string, opts compiler.Options) ([]*ir.Env, string) {
	t.Helper()
	f, diags := schema.Parse("spec.hcl", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("parse: %s", diags.Error())
	}
	spec, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatalf("decode: %s", diags.Error())
	}
	envs, diags := compiler.Compile(spec, opts)
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Summary)
	}
	return envs, strings.Join(msgs, "; ")
}

const varSpec = `
variable "tag" {
  type    = string
  default = "default"
}
variable "n" {
  type    = number
  default = 1
}
environment "e" {
  base = "debian:bookworm"
  env  = { TAG = var.tag, N = tostring(var.n) }
}
`

func TestVariablePrecedence(t *testing.T) {
	dir := t.TempDir()
	varFile := filepath.Join(dir, "vars.hcl")
	if err := os.WriteFile(varFile, []byte("tag = \"file\"\nn = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    compiler.Options
		tag, n  string
		wantErr string
	}{
		{"default", compiler.Options{}, "default", "1", ""},
		{"environment", compiler.Options{EnvVars: compiler.VarsFromEnviron([]string{"ENVC_VAR_tag=env", "ENVC_VAR_n=2", "OTHER=x"})}, "env", "2", ""},
		{"file beats environment", compiler.Options{EnvVars: compiler.VarsFromEnviron([]string{"ENVC_VAR_tag=env"}), VarFiles: []string{varFile}}, "file", "3", ""},
		{"flag beats file", compiler.Options{VarFiles: []string{varFile}, Vars: []compiler.VarValue{{Name: "tag", Raw: "flag", Source: "--var"}, {Name: "n", Raw: "4", Source: "--var"}}}, "flag", "4", ""},
		{"string taken literally", compiler.Options{Vars: []compiler.VarValue{{Name: "tag", Raw: `"quoted" ${x} $$`, Source: "--var"}}}, `"quoted" ${x} $$`, "1", ""},
		{"number parsed", compiler.Options{Vars: []compiler.VarValue{{Name: "n", Raw: "many", Source: "--var"}}}, "", "", "Invalid value for variable"},
		{"undeclared", compiler.Options{Vars: []compiler.VarValue{{Name: "nope", Raw: "1", Source: "--var"}}}, "", "", "Undeclared variable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			envs, errs := compile(t, varSpec, tt.opts)
			if tt.wantErr != "" {
				if !strings.Contains(errs, tt.wantErr) {
					t.Fatalf("errors %q, want %q", errs, tt.wantErr)
				}
				return
			}
			if errs != "" {
				t.Fatalf("unexpected diagnostics: %s", errs)
			}
			got := map[string]string{}
			for _, v := range envs[0].RunEnv() {
				got[v.Name] = v.Value.String()
			}
			if diff := cmp.Diff(map[string]string{"TAG": tt.tag, "N": tt.n}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestV1StepOrder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `
environment "e" {
  base     = "debian:bookworm"
  run      = ["true"]
  workdir  = "/w/"
  user     = "u"
  setup    = ["echo 1", "echo 2"]
  env      = { Z = "z", A = "a" }
  file {
    source = "a.txt"
    target = "/opt/a.txt"
  }
  packages = ["git", "git", "vim"]
}
`
	envs, errs := compile(t, src, compiler.Options{SpecDir: dir})
	if errs != "" {
		t.Fatal(errs)
	}
	var kinds []string
	for _, s := range envs[0].Steps {
		switch s := s.(type) {
		case *ir.InstallStep:
			kinds = append(kinds, "install "+strings.Join(s.Packages, ","))
		case *ir.CopyStep:
			kinds = append(kinds, "copy "+s.Source+" "+s.Target)
		case *ir.EnvStep:
			var names []string
			for _, v := range s.Vars {
				names = append(names, v.Name)
			}
			kinds = append(kinds, "env "+strings.Join(names, ","))
		case *ir.RunStep:
			kinds = append(kinds, "run "+s.Command)
		case *ir.UserStep:
			kinds = append(kinds, "user "+s.Name)
		case *ir.WorkdirStep:
			kinds = append(kinds, "workdir "+s.Path+" "+s.Owner)
		}
	}
	want := []string{"install git,vim", "copy files/a.txt /opt/a.txt", "env Z,A", "run echo 1", "run echo 2", "user u", "workdir /w u"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("step order (-want +got):\n%s", diff)
	}
}

func TestLocalsAndFunctions(t *testing.T) {
	src := `
locals {
  b = upper(local.a)
}
locals {
  a    = join("-", ["x", "y"])
  pkgs = [for p in ["a", "b"] : "lib${p}-dev"]
}
environment "e" {
  base     = "debian:bookworm"
  packages = local.pkgs
  labels   = merge({ z = "1" }, { a = local.b })
}
`
	envs, errs := compile(t, src, compiler.Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	got := ir.Dump(envs[0])
	for _, want := range []string{`install apt ["liba-dev" "libb-dev"]`, `label "a"="X-Y"`, `label "z"="1"`} {
		if !strings.Contains(got, want) {
			t.Errorf("dump lacks %s:\n%s", want, got)
		}
	}
	// merge() yields a map: ordered by key.
	if strings.Index(got, `label "a"`) > strings.Index(got, `label "z"`) {
		t.Errorf("labels from merge() are not ordered by key:\n%s", got)
	}
}
