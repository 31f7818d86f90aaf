package singularity

import (
	"bytes"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

// hazardous returns an environment whose values hold what a definition
// file reads specially: lines starting with "%" or "Bootstrap:", build
// arguments, carriage returns; and run steps of every form.
func hazardous() *ir.Env {
	env := irtest.Full()
	env.Name, env.SpecFile = "hazard", "{{ spec }}.hcl"
	bad := "a\n%post\nBootstrap: x\n  %files {{ arg }}\nb"
	envVars := []ir.EnvVar{
		{Name: "NL", Value: ir.Word{{Lit: bad}}},
		{Name: "REF", Value: ir.Word{{Lit: "{{x}}\n%y:"}, {Ref: "NL"}, {Lit: "{{"}, {Ref: "PATH"}, {Lit: "}}"}}},
		{Name: "EMPTY", Value: nil},
	}
	env.Steps = []ir.Step{
		&ir.InstallStep{Manager: ir.Apt, Packages: []string{"git", "{{ pkg }}"}},
		&ir.EnvStep{Vars: envVars},
		&ir.RunStep{Command: "cat <<'EOF'\n%labels\nEOF", Shell: "sh"},
		&ir.RunStep{Command: "echo {{ x }}", Shell: "sh"},
		&ir.RunStep{Command: "printf 'a\rb\\n'", Shell: "sh"},
		&ir.RunStep{Command: "echo hi | cat", Shell: "bash"},
		&ir.RunStep{Command: "cat <<EOF\nBootstrap: function\nEOF", Shell: "sh"},
		&ir.RunStep{Command: "id -un", Shell: "sh", User: "fenics", Workdir: "/home/fenics"},
		&ir.RunStep{Command: "echo \"$0\" | cat", Shell: "bash", User: "fenics"},
		&ir.RunStep{Command: "pwd", Shell: "sh", Workdir: "/w/{{ q }}"},
		&ir.CopyStep{Source: "files/%x\n{{ y }}", Target: "/t/{{ v }}\n%x", Mode: 0o755, Owner: "fenics"},
		&ir.UserStep{Name: "fenics"},
		&ir.UserStep{Name: "hazard", Home: "/home/{{ h }}", Shell: "/bin/{{ sh }}", Groups: []string{"g"}},
		&ir.WorkdirStep{Path: "/w/{{ q }}\n%d", Owner: "fenics"},
	}
	env.Workdir = "/w/{{ q }}\n%d"
	env.Run = []string{"printf", "%s\n", "a\n%runscript", "{{ z }}", "\nbootstrap: y"}
	env.Mounts = []ir.Mount{{Source: "a,b:c", Target: "/m/{{ w }}", ReadOnly: true}, {Source: "..", Target: "/plain"}}
	return env
}

type testCase struct {
	name string
	env  func() *ir.Env
}

var cases = []testCase{
	{"full", irtest.Full},
	{"minimal", irtest.Minimal},
	{"hostile", irtest.Hostile},
	{"hazardous", hazardous},
}

func emit(t *testing.T, env *ir.Env) ([]byte, hcl.Diagnostics) {
	t.Helper()
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatalf("Emit: %s", diags.Error())
	}
	if len(out.Files) != 1 || out.Files[0].Path != FileName || out.Files[0].Mode != 0o644 {
		t.Fatalf("Emit wrote %+v, want one %s with mode 0644", out.Files, FileName)
	}
	return out.Files[0].Data, diags
}

func TestEmitter(t *testing.T) {
	e := New()
	if e.Name() != "singularity" || !cmp.Equal(e.Aliases(), []string{"apptainer"}) || e.Summary() == "" {
		t.Errorf("Name %q, Aliases %q, Summary %q", e.Name(), e.Aliases(), e.Summary())
	}
}

func TestEmitDeterministic(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first, _ := emit(t, tc.env())
			second, _ := emit(t, tc.env())
			if !bytes.Equal(first, second) {
				t.Errorf("two emits differ:\n%s", cmp.Diff(string(first), string(second)))
			}
			if !strings.HasPrefix(string(first), emitters.Header("# ", tc.env())) || !strings.HasSuffix(string(first), "\n") {
				t.Errorf("output does not start with the header or end with a newline:\n%s", first)
			}
		})
	}
}

// wantRecipe is what ReadBack must find for env.
func wantRecipe(env *ir.Env) *Recipe {
	r := &Recipe{Bootstrap: "docker", From: env.Base.Ref, Workdir: env.Workdir, Run: env.Run}
	for _, l := range env.Labels {
		r.Labels = append(r.Labels, Label{Key: l.Key, Value: l.Value})
	}
	vars := func(vs []ir.EnvVar) []EnvVar {
		var out []EnvVar
		for _, v := range vs {
			out = append(out, EnvVar{Name: v.Name, Value: v.Value})
		}
		return out
	}
	r.Env = vars(env.RunEnv())
	staged := map[string]bool{}
	for _, s := range env.Steps {
		switch s := s.(type) {
		case *ir.InstallStep:
			r.Steps = append(r.Steps, Step{Kind: "install"})
		case *ir.CopyStep:
			top, _, _ := strings.Cut(s.Source, "/")
			if !staged[top] {
				staged[top] = true
				r.Files = append(r.Files, FileTransfer{Src: top, Dst: StageDir + "/" + top})
			}
			r.Steps = append(r.Steps, Step{Kind: "copy", Copy: &Copy{Source: s.Source, Target: s.Target, Mode: s.Mode, Owner: s.Owner}})
		case *ir.EnvStep:
			r.Steps = append(r.Steps, Step{Kind: "env", Env: vars(s.Vars)})
		case *ir.RunStep:
			sh := s.Shell
			if sh == "" {
				sh = "sh"
			}
			r.Steps = append(r.Steps, Step{Kind: "run", Run: &Run{Command: s.Command, Shell: sh, User: s.User, Workdir: s.Workdir}})
		case *ir.UserStep:
			r.Steps = append(r.Steps, Step{Kind: "user"})
		case *ir.WorkdirStep:
			r.Steps = append(r.Steps, Step{Kind: "workdir"})
		}
	}
	for _, m := range env.Mounts {
		r.MountTargets = append(r.MountTargets, m.Target)
	}
	return r
}

func TestReadBack(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env()
			data, _ := emit(t, env)
			got, err := ReadBack(data)
			if err != nil {
				t.Fatalf("ReadBack: %v\n%s", err, data)
			}
			opts := cmp.Options{cmpopts.IgnoreFields(Step{}, "Script"), cmpopts.IgnoreFields(Recipe{}, "Help"), cmpopts.EquateEmpty()}
			if diff := cmp.Diff(wantRecipe(env), got, opts); diff != "" {
				t.Errorf("ReadBack (-want +got):\n%s\n%s", diff, data)
			}
			if args := BuildArgs(data); len(args) > 0 {
				t.Errorf("the file uses build arguments %q", args)
			}
		})
	}
}

// TestScriptsParse parses every shell section with mvdan.cc/sh.
func TestScriptsParse(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := emit(t, tc.env())
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range map[string]string{"post": d.Post.Body, "environment": d.Environment.Body, "runscript": d.Runscript.Body} {
				if err := shell.Parse(s, false); err != nil {
					t.Errorf("%%%s does not parse: %v\n%s", name, err, s)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	data, _ := emit(t, irtest.Full())
	r, err := ReadBack(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"FEniCS with a notebook server",
		"apptainer build fenics.sif Singularity.def",
		"apptainer run '--bind=../..:/home/fenics/shared' fenics.sif",
		"jupyter notebook '--ip=0.0.0.0' '--port=8000'",
		"8000/tcp (the spec publishes it as host 127.0.0.1:8000)",
		`the spec runs as "fenics"`,
		"--cleanenv",
	} {
		if !strings.Contains(r.Help, want) {
			t.Errorf("%%help lacks %q:\n%s", want, r.Help)
		}
	}
}

func TestBindFlag(t *testing.T) {
	tests := []struct {
		m    ir.Mount
		want string
	}{
		{ir.Mount{Source: "../..", Target: "/home/x"}, "--bind=../..:/home/x"},
		{ir.Mount{Source: "/data", Target: "/data", ReadOnly: true}, "--bind=/data:/data:ro"},
		{ir.Mount{Source: "a,b:c", Target: `/m"x`, ReadOnly: true}, `--mount=type=bind,"source=a,b:c","destination=/m""x",ro`},
		{ir.Mount{Source: " lead", Target: "/x"}, `--mount=type=bind,source= lead,destination=/x`},
	}
	for _, tt := range tests {
		if got := bindFlag(tt.m); got != tt.want {
			t.Errorf("bindFlag(%+v) = %s, want %s", tt.m, got, tt.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	env := irtest.Full()
	_, diags := emit(t, env)
	type warning struct {
		Rule  string
		Range hcl.Range
	}
	var got []warning
	for _, d := range diags {
		x, ok := d.Extra.(emitters.RuleExtra)
		if !ok || d.Severity != hcl.DiagWarning {
			t.Fatalf("diagnostic %q is not a rule warning", d.Summary)
		}
		got = append(got, warning{x.Rule.Name, *d.Subject})
	}
	want := []warning{
		{"singularity-port-declared", env.Ports[0].Range},
		{"singularity-mount-runtime", env.Mounts[0].Range},
		{"singularity-user-ignored", env.UserRange},
		{"singularity-vm-ignored", env.VM.Range},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	if _, diags := emit(t, irtest.Minimal()); len(diags) != 0 {
		t.Errorf("Minimal: unexpected diagnostics %s", diags.Error())
	}
	homeRef := irtest.Minimal()
	data := ir.EnvVar{Name: "DATA", Value: ir.Word{{Ref: "HOME"}, {Lit: "/data"}}, Range: env.Ports[0].Range}
	homeRef.Steps = append(homeRef.Steps, &ir.EnvStep{Vars: []ir.EnvVar{data}})
	_, diags = emit(t, homeRef)
	if len(diags) != 1 || diags[0].Extra.(emitters.RuleExtra).Rule != emitters.RuleSingularityEnvRefRunTime || *diags[0].Subject != data.Range {
		t.Errorf("a reference to HOME: want one singularity-env-ref-run-time warning at the var, got %s", diags.Error())
	}
	for _, r := range emitters.Rules() {
		if r.Target == "singularity" && !strings.HasPrefix(r.Name, "singularity-") {
			t.Errorf("rule %s does not start with the target's name", r.Name)
		}
	}
}

func TestErrors(t *testing.T) {
	rng := hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: 99, Column: 1}, End: hcl.Pos{Line: 99, Column: 5}}
	label := func(k, v string) func(*ir.Env) {
		return func(e *ir.Env) { e.Labels = []ir.KeyValue{{Key: k, Value: v, Range: rng}} }
	}
	tests := []struct {
		name   string
		modify func(*ir.Env)
		want   string
	}{
		{"label key with a space", label("a b", "v"), "Label cannot be carried"},
		{"label key with a tab", label("a\tb", "v"), "Label cannot be carried"},
		{"label key starting with #", label("#k", "v"), "Label cannot be carried"},
		{"label key starting with %", label("%k", "v"), "Label cannot be carried"},
		{"label key Bootstrap:", label("bootstrap:", "v"), "Label cannot be carried"},
		{"label value with a newline", label("k", "a\nb"), "Label cannot be carried"},
		{"label value with leading space", label("k", " v"), "Label cannot be carried"},
		{"label value with a build argument", label("k", "{{ v }}"), "Label cannot be carried"},
		{"base with a comment", func(e *ir.Env) { e.Base.Ref, e.Base.Range = "x#y", rng }, "Invalid base image"},
		{"base with a space", func(e *ir.Env) { e.Base.Ref, e.Base.Range = "x y", rng }, "Invalid base image"},
		{"context path with a quote", func(e *ir.Env) {
			e.Steps = []ir.Step{&ir.CopyStep{Source: `fi"les/x`, Target: "/x", Mode: 0o644, Range: rng}}
		}, "Context path cannot be carried"},
		{"context path with ..", func(e *ir.Env) {
			e.Steps = []ir.Step{&ir.CopyStep{Source: "files/../x", Target: "/x", Mode: 0o644, Range: rng}}
		}, "Context path cannot be carried"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := irtest.Full()
			tt.modify(env)
			_, diags := emitters.EmitFor(New(), env, emitters.Options{})
			var got []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					got = append(got, d.Summary)
					if *d.Subject != rng {
						t.Errorf("error %q at %v, want %v", d.Summary, d.Subject, rng)
					}
				}
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSections(t *testing.T) {
	data, _ := emit(t, irtest.Full())
	d, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range d.Sections {
		got = append(got, s.Name)
	}
	want := []string{"labels", "help", "files", "post", "environment", "runscript"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]HeaderField{{"bootstrap", "docker"}, {"from", "ubuntu:20.04"}}, d.Header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
}

// TestSelfCheck feeds the final check a section that Apptainer would
// split: it must report an error rather than write the file silently.
func TestSelfCheck(t *testing.T) {
	e := &emission{env: irtest.Minimal()}
	e.add("post", []string{"echo one", "  %bogus", "echo two"})
	e.selfCheck([]byte(e.header()+"\n%post\n"+e.sections[0].body), []*emission{e})
	if !e.diags.HasErrors() || e.diags[0].Summary != "Definition file does not read back" {
		t.Errorf("selfCheck diagnostics = %v, want a read-back error", e.diags)
	}
}
