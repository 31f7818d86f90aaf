package docker

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// baseEnv stands for the base image's environment in read-backs.
var baseEnv = []string{"PATH=" + emitters.DefaultPath}

// nasty holds strings that some reader of a Dockerfile or compose.yaml
// treats specially. None holds a line break or NUL (see TestCannotCarry).
var nasty = []string{
	`'`, `"`, `\`, `\\`, `a\`, `\"`, `'\''`, "`id`", "$(id)", "${X}", "$X", "$", "$$", "${", "}", "$1", "$@",
	"${PATH}", "\\${PATH}", "%", "%{y}", "%s\\n", "#", "# comment", "#{`id`}", " lead", "trail ", "  ",
	"\t", "a\tb", "a\rb", "\r", "end\r", "\ra", "€ unicode ✓", "\u00a0nbsp\u00a0", "a\u2028b", "\u0085", "-", "--flag",
	"--chown=x", "=", "a=b", "==", "<<EOF", "a <<-X", "[\"json\"]", "[", "]", "{}", "*", "?", "[a]",
	";", "&& touch CANARY", "| cat", "a'b\"c\\d`touch CANARY`$(touch CANARY)${X}%{y}#z\t\r€ ; touch CANARY",
	"\\\\\\", "\" \\", "x \\", "\\ ", "'$(touch CANARY)'", "\x7f", "\x01",
	strings.Repeat("x\\\"$ #'€", 12000),
}

// nastyEnv returns an environment that carries s in every value a
// Dockerfile or compose.yaml holds.
func nastyEnv(s string) *ir.Env {
	env := irtest.Minimal()
	env.Name = "nasty"
	vars := []ir.EnvVar{
		{Name: "V", Value: ir.Word{{Lit: s}}},
		{Name: "W", Value: ir.Word{{Lit: s}, {Ref: "V"}, {Lit: s}, {Ref: "PATH"}}},
		{Name: "EMPTY", Value: nil},
	}
	owner := "sim"
	if isASCIIPrint(s) {
		owner = "u" + s
	}
	env.Steps = []ir.Step{
		&ir.EnvStep{Vars: vars},
		&ir.CopyStep{Source: "files/" + strings.NewReplacer("*", "", "?", "", "[", "", `\`, "").Replace(s) + "x", Target: "/opt/x" + s, Mode: 0o640, Owner: owner},
		&ir.UserStep{Name: "u" + s},
		&ir.WorkdirStep{Path: "/w/x" + s, Owner: "u" + s},
		&ir.RunStep{Command: s, Shell: "sh", User: "u" + s, Workdir: "/r/x" + s},
		&ir.RunStep{Command: s, Shell: "bash"},
		&ir.RunStep{Command: "echo " + s, Shell: "sh"},
	}
	env.User = "u" + s
	env.Workdir = "/w/x" + s
	env.Run = []string{s, "x" + s}
	env.Ports = []ir.Port{{Guest: 80, Host: 8080, HostIP: "127.0.0.1", Protocol: "tcp"}}
	env.Mounts = []ir.Mount{{Source: "x" + s, Target: "/m/x" + s, ReadOnly: true}, {Source: "/abs/x" + s, Target: "/n"}}
	env.Labels = []ir.KeyValue{{Key: "k" + s, Value: s}, {Key: ir.DescriptionLabel, Value: ""}}
	return env
}

type testCase struct {
	name string
	env  func() *ir.Env
}

func cases() []testCase {
	cs := []testCase{{"full", irtest.Full}, {"minimal", irtest.Minimal}, {"hostile", irtest.Hostile}}
	for i, s := range nasty {
		cs = append(cs, testCase{fmt.Sprintf("nasty%02d", i), func() *ir.Env { return nastyEnv(s) }})
	}
	return cs
}

func emit(t *testing.T, env *ir.Env) (dockerfile, compose []byte, diags hcl.Diagnostics) {
	t.Helper()
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatalf("Emit: %v", diags)
	}
	var paths []string
	for _, f := range out.Files {
		paths = append(paths, f.Path)
		if f.Mode != 0o644 {
			t.Errorf("%s has mode %o, want 644", f.Path, f.Mode)
		}
		if !bytes.HasPrefix(f.Data, []byte(emitters.Header("# ", env))) || !bytes.HasSuffix(f.Data, []byte("\n")) {
			t.Errorf("%s does not start with the header and end with a newline", f.Path)
		}
	}
	if diff := cmp.Diff([]string{DockerfileName, ComposeName}, paths); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	return out.Files[0].Data, out.Files[1].Data, diags
}

func TestEmitTwiceIdentical(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			d1, c1, _ := emit(t, tc.env())
			d2, c2, _ := emit(t, tc.env())
			if !bytes.Equal(d1, d2) || !bytes.Equal(c1, c2) {
				t.Fatal("two emissions differ")
			}
		})
	}
}

// TestReadBack reads every output back with the real parsers and compares
// it with what the IR means, value by value.
func TestReadBack(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env()
			dockerfile, compose, _ := emit(t, env)
			got, err := readDockerfile(dockerfile, baseEnv)
			if err != nil {
				t.Fatalf("ReadDockerfile: %v\n%s", err, dockerfile)
			}
			checkDockerfile(t, env, got)
			service, err := readWrittenCompose(compose)
			if err != nil {
				t.Fatalf("readWrittenCompose: %v\n%s", err, compose)
			}
			checkCompose(t, env, service)
		})
	}
}

// lookupIn returns a lookup in vars, then in baseEnv.
func lookupIn(vars []KeyValue) func(string) string {
	return func(name string) string {
		for i := len(vars) - 1; i >= 0; i-- {
			if vars[i].Key == name {
				return vars[i].Value
			}
		}
		for _, kv := range baseEnv {
			if k, v, _ := strings.Cut(kv, "="); k == name {
				return v
			}
		}
		return ""
	}
}

// checkDockerfile compares a read-back Dockerfile with the meaning of env,
// built here from the IR alone.
func checkDockerfile(t *testing.T, env *ir.Env, got *Dockerfile) {
	t.Helper()
	if got.Base != env.Base.Ref {
		t.Errorf("base %q, want %q", got.Base, env.Base.Ref)
	}
	// The build operations other than mkdir, with the fields that matter.
	type op struct {
		Kind, User, Dir string
		Args            []string
		Env             []KeyValue
		Source, Dest    string
		Chmod, Chown    string
	}
	var want []op
	var vars []KeyValue
	var mkdirs []Op
	family := env.Distro.Family
	for i, s := range env.Steps {
		if dirs := shell.CopyParents(env.Steps, i); dirs != nil {
			want = append(want, op{Kind: OpRun, User: "root", Args: append(append([]string{}, shArgs...), shell.ParentsCommand(dirs)), Env: vars})
		}
		switch s := s.(type) {
		case *ir.InstallStep:
			want = append(want, op{Kind: OpRun, User: "root", Args: append(append([]string{}, shArgs...), shell.InstallOf(s, false)), Env: vars})
		case *ir.UserStep:
			want = append(want, op{Kind: OpRun, User: "root", Args: append(append([]string{}, shArgs...), shell.EnsureUserCommand(shell.UserOf(s), family)), Env: vars})
		case *ir.RunStep:
			o := op{Kind: OpRun, User: s.User, Dir: s.Workdir, Env: vars}
			if o.User == "" {
				o.User = "root"
			}
			if o.Dir == "" {
				o.Dir = "/"
			}
			if s.Shell == "bash" {
				o.Args = append(append([]string{}, bashArgs...), s.Command)
			} else {
				o.Args = append(append([]string{}, shArgs...), s.Command)
			}
			want = append(want, o)
		case *ir.EnvStep:
			var set []KeyValue
			for _, v := range s.Vars {
				kv := KeyValue{v.Name, v.Value.Expand(lookupIn(vars))}
				set = append(set, kv)
				vars = append(append([]KeyValue{}, vars...), kv)
			}
			vars = SetAll(nil, vars)
			want = append(want, op{Kind: OpEnv, Env: set})
		case *ir.CopyStep:
			want = append(want, op{Kind: OpCopy, Source: s.Source, Dest: s.Target, Chmod: fmt.Sprintf("%03o", s.Mode), Chown: s.Owner})
		case *ir.WorkdirStep:
			owner := s.Owner
			if owner == "" {
				owner = "root"
			}
			mkdirs = append(mkdirs, Op{Kind: OpMkdir, User: owner, Path: s.Path})
		}
	}
	var have []op
	var haveMkdirs []Op
	for _, o := range got.Ops {
		switch o.Kind {
		case OpMkdir:
			haveMkdirs = append(haveMkdirs, o)
			continue
		case OpArg:
			if len(o.Env) == 1 && o.Env[0].Key == equalsArg {
				continue // the ARG that spells "=" in label keys
			}
		case OpEnv:
			if n := len(have); n > 0 && have[n-1].Kind == OpEnv {
				have[n-1].Env = append(have[n-1].Env, o.Env...)
				continue
			}
		}
		have = append(have, op{Kind: o.Kind, User: o.User, Dir: o.Dir, Args: o.Args, Env: o.Env,
			Source: o.Source, Dest: o.Dest, Chmod: o.Chmod, Chown: o.Chown})
	}
	// Only run steps state a directory, and only runs depend on the user.
	for i := range have {
		if i < len(want) && (want[i].Kind != OpRun || want[i].Dir == "") {
			have[i].Dir = ""
		}
		if have[i].Kind != OpRun {
			have[i].User = ""
		}
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("build operations (-want +got):\n%s", diff)
	}
	// Every workdir step creates its directory as its owner, in order.
	j := 0
	for _, m := range haveMkdirs {
		if j < len(mkdirs) && m.Path == mkdirs[j].Path && m.User == mkdirs[j].User {
			j++
		}
	}
	if j < len(mkdirs) {
		t.Errorf("workdir step %+v is not created as its owner; mkdirs: %+v", mkdirs[j], haveMkdirs)
	}

	wantEnv := SetAll(nil, nil)
	for _, v := range env.RunEnv() {
		wantEnv = SetAll(wantEnv, []KeyValue{{v.Name, v.Value.Expand(lookupIn(wantEnv))}})
	}
	if diff := cmp.Diff(wantEnv, got.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	wantUser := env.User
	if wantUser == "" && got.User == "root" {
		wantUser = "root"
	}
	if got.User != wantUser {
		t.Errorf("user %q, want %q", got.User, env.User)
	}
	wantDir := env.Workdir
	if wantDir == "" && got.Workdir == "/" {
		wantDir = "/"
	}
	if got.Workdir != wantDir {
		t.Errorf("workdir %q, want %q", got.Workdir, env.Workdir)
	}
	var expose, volumes []string
	for _, p := range env.Ports {
		expose = append(expose, fmt.Sprintf("%d/%s", p.Guest, p.Protocol))
	}
	for _, m := range env.Mounts {
		volumes = append(volumes, m.Target)
	}
	var labels []KeyValue
	for _, l := range env.Labels {
		labels = append(labels, KeyValue{l.Key, l.Value})
	}
	if diff := cmp.Diff(expose, got.Expose); diff != "" {
		t.Errorf("expose (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(volumes, got.Volumes); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(labels, got.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(env.Run, got.Cmd); diff != "" {
		t.Errorf("cmd (-want +got):\n%s", diff)
	}
	var health *Healthcheck
	if h := env.Healthcheck; h != nil {
		health = &Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	if diff := cmp.Diff(health, got.Healthcheck); diff != "" {
		t.Errorf("healthcheck (-want +got):\n%s", diff)
	}
}

func checkCompose(t *testing.T, env *ir.Env, got *Service) {
	t.Helper()
	want := &Service{Name: env.Name, BuildContext: ".", WorkingDir: env.Workdir}
	for _, p := range env.Ports {
		want.Ports = append(want.Ports, ComposePort{Target: uint32(p.Guest), Published: fmt.Sprint(p.Host), HostIP: p.HostIP, Protocol: p.Protocol})
	}
	for _, m := range env.Mounts {
		src := m.Source
		if strings.HasPrefix(src, "~") {
			src = "./" + src
		}
		want.Mounts = append(want.Mounts, ComposeMount{Type: "bind", Source: src, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	if h := env.Healthcheck; h != nil {
		want.Healthcheck = &Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	if g := env.GPU; g != nil {
		want.GPU = &ComposeGPU{Driver: g.Vendor, Count: g.Count, Capabilities: g.Capabilities}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compose service (-want +got):\n%s", diff)
	}
}

// TestRules checks the warnings each environment raises.
func TestRules(t *testing.T) {
	tests := []struct {
		name string
		env  *ir.Env
		want []string
	}{
		{"full", irtest.Full(), []string{"docker-vm-ignored@spec.hcl:55"}},
		{"minimal", irtest.Minimal(), nil},
		{"hostile", irtest.Hostile(), []string{"docker-vm-ignored@spec.hcl:11", "docker-gpu-compose-only@spec.hcl:12", "docker-hpc-ignored@spec.hcl:14"}},
		{"vm range only", func() *ir.Env {
			env := irtest.Minimal()
			env.VM.Range = hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: 4}}
			return env
		}(), []string{"docker-vm-ignored@spec.hcl:4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, diags := emit(t, tt.env)
			var got []string
			for _, d := range diags {
				extra, ok := d.Extra.(emitters.RuleExtra)
				if !ok || d.Severity != hcl.DiagWarning {
					t.Errorf("diagnostic without a rule: %v", d)
					continue
				}
				got = append(got, fmt.Sprintf("%s@%s:%d", extra.Rule.Name, d.Subject.Filename, d.Subject.Start.Line))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
	for _, r := range emitters.Rules() {
		if r.Target == "docker" && !strings.HasPrefix(r.Name, "docker-") {
			t.Errorf("rule %s does not start with the target's name", r.Name)
		}
	}
}

// TestCannotCarry checks the values no Dockerfile can hold: each is an
// error at its node, and nothing is emitted.
func TestCannotCarry(t *testing.T) {
	at := func(line int) hcl.Range {
		return hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 2}}
	}
	tests := []struct {
		name   string
		change func(env *ir.Env)
		want   []string // "summary@line"
	}{
		{"newline in env value", func(env *ir.Env) {
			envVars := []ir.EnvVar{{Name: "A", Value: ir.Word{{Lit: "a\nb"}}, Range: at(3)}}
			env.Steps = []ir.Step{&ir.EnvStep{Vars: envVars}}
		}, []string{"Value cannot be carried@3"}},
		{"NUL in env value", func(env *ir.Env) {
			envVars := []ir.EnvVar{{Name: "A", Value: ir.Word{{Lit: "a\x00"}}, Range: at(3)}}
			env.Steps = []ir.Step{&ir.EnvStep{Vars: envVars}}
		}, []string{"Value cannot be carried@3"}},
		{"newline in label value", func(env *ir.Env) {
			env.Labels = []ir.KeyValue{{Key: "a", Value: "x\ny", Range: at(5)}}
		}, []string{"Value cannot be carried@5"}},
		{"newline in label key", func(env *ir.Env) {
			env.Labels = []ir.KeyValue{{Key: "a\n", Value: "x", Range: at(6)}}
		}, []string{"Value cannot be carried@6"}},
		{"empty label key", func(env *ir.Env) {
			env.Labels = []ir.KeyValue{{Key: "", Value: "x", Range: at(6)}}
		}, []string{"Empty label key@6"}},
		{"invalid UTF-8 label", func(env *ir.Env) {
			env.Labels = []ir.KeyValue{{Key: "a", Value: "\xff", Range: at(7)}}
		}, []string{"Value cannot be carried@7"}},
		{"wildcard in copy source", func(env *ir.Env) {
			env.Steps = []ir.Step{&ir.CopyStep{Source: "files/a[1].txt", Target: "/a", Mode: 0o644, Range: at(8)}}
		}, []string{"File name cannot be copied@8"}},
		{"non-ASCII copy owner", func(env *ir.Env) {
			env.Steps = []ir.Step{&ir.CopyStep{Source: "files/a", Target: "/a", Mode: 0o644, Owner: "jos\u00e9", Range: at(9)}}
		}, []string{"Owner cannot be carried@9"}},
		{"newline in workdir", func(env *ir.Env) {
			env.Steps = []ir.Step{&ir.WorkdirStep{Path: "/a\nb", Range: at(10)}}
		}, []string{"Value cannot be carried@10"}},
		{"newline in run step user", func(env *ir.Env) {
			env.Steps = []ir.Step{&ir.RunStep{Command: "true", User: "a\nb", Range: at(11)}}
		}, []string{"Value cannot be carried@11"}},
		{"NUL in command", func(env *ir.Env) {
			env.Steps = []ir.Step{&ir.RunStep{Command: "a\x00", Range: at(12)}}
		}, []string{"Value cannot be carried@12"}},
		{"invalid base", func(env *ir.Env) {
			env.Base.Ref, env.Base.Range = "debian:$TAG", at(2)
		}, []string{"Invalid base image@2"}},
		{"unfoldable line", func(env *ir.Env) {
			env.Labels = []ir.KeyValue{{Key: "a", Value: strings.Repeat("#", 70000), Range: at(13)}}
		}, []string{"Value cannot be carried@1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := irtest.Minimal()
			tt.change(env)
			out, diags := emitters.EmitFor(New(), env, emitters.Options{})
			if out != nil {
				t.Errorf("Emit returned files despite errors")
			}
			var got []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					got = append(got, fmt.Sprintf("%s@%d", d.Summary, d.Subject.Start.Line))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewlinesInJSONForms checks that line breaks travel where the
// instruction has a JSON form: run steps, the run command, mount targets.
func TestNewlinesInJSONForms(t *testing.T) {
	env := irtest.Minimal()
	env.Steps = []ir.Step{
		&ir.RunStep{Command: "cat <<'EOF'\n  $HOME\nEOF\n", Shell: "sh"},
		&ir.RunStep{Command: "echo a |\ncat", Shell: "bash"},
	}
	env.Run = []string{"printf", "a\nb\n", "\n#c"}
	env.Mounts = []ir.Mount{{Source: "x\ny", Target: "/m/a\nb"}}
	dockerfile, compose, _ := emit(t, env)
	got, err := readDockerfile(dockerfile, baseEnv)
	if err != nil {
		t.Fatal(err)
	}
	checkDockerfile(t, env, got)
	service, err := readWrittenCompose(compose)
	if err != nil {
		t.Fatal(err)
	}
	checkCompose(t, env, service)
}

// TestEnvSameStepReference checks that a value referring to a variable of
// the same step sees its new value, although one ENV instruction expands
// all its values before setting any.
func TestEnvSameStepReference(t *testing.T) {
	env := irtest.Minimal()
	envVars := []ir.EnvVar{
		{Name: "A", Value: ir.ParseWord("1")},
		{Name: "B", Value: ir.ParseWord("${A}2")},
		{Name: "C", Value: ir.ParseWord("3")},
		{Name: "A", Value: ir.ParseWord("$A$C")},
		{Name: "PATH", Value: ir.ParseWord("/x:$PATH")},
	}
	env.Steps = []ir.Step{&ir.EnvStep{Vars: envVars}, &ir.RunStep{Command: "env"}}
	dockerfile, _, _ := emit(t, env)
	if n := strings.Count(string(dockerfile), "\nENV "); n != 3 {
		t.Errorf("%d ENV instructions, want 3:\n%s", n, dockerfile)
	}
	got, err := readDockerfile(dockerfile, baseEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := []KeyValue{{"A", "13"}, {"B", "12"}, {"C", "3"}, {"PATH", "/x:" + emitters.DefaultPath}}
	if diff := cmp.Diff(want, got.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got.Ops[len(got.Ops)-1].Env); diff != "" {
		t.Errorf("env of the run step (-want +got):\n%s", diff)
	}
}

// TestRunForms checks which form RUN takes.
func TestRunForms(t *testing.T) {
	tests := []struct {
		command, shell string
		want           string
	}{
		{"make install", "sh", "RUN make install"},
		{"echo \"$HOME\" 'x' `id` # c", "sh", "RUN echo \"$HOME\" 'x' `id` # c"},
		{"a\nb", "sh", `RUN ["/bin/sh", "-c", "a\nb"]`},
		{"echo x | cat", "bash", `RUN ["/bin/bash", "-eo", "pipefail", "-c", "echo x | cat"]`},
		{"echo \\", "sh", `RUN ["/bin/sh", "-c", "echo \\"]`},
		{" lead", "sh", `RUN ["/bin/sh", "-c", " lead"]`},
		{"cat <<EOF", "sh", `RUN ["/bin/sh", "-c", "cat <<EOF"]`},
		{"[ -f x ]", "sh", `RUN ["/bin/sh", "-c", "[ -f x ]"]`},
		{"--help", "sh", `RUN ["/bin/sh", "-c", "--help"]`},
		{"a\rb", "sh", `RUN ["/bin/sh", "-c", "a\rb"]`},
		{"", "sh", `RUN ["/bin/sh", "-c", ""]`},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			env := irtest.Minimal()
			env.Steps = []ir.Step{&ir.RunStep{Command: tt.command, Shell: tt.shell}}
			dockerfile, _, _ := emit(t, env)
			lines := strings.Split(strings.TrimSuffix(string(dockerfile), "\n"), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestUserAndWorkdirSwitches checks that USER and WORKDIR are written when
// they change and restored for later root steps and at run time.
func TestUserAndWorkdirSwitches(t *testing.T) {
	env := irtest.Minimal()
	env.Steps = []ir.Step{
		&ir.UserStep{Name: "sim"},
		&ir.RunStep{Command: "id", User: "sim", Workdir: "/tmp"},
		&ir.RunStep{Command: "whoami", User: "sim", Workdir: "/tmp"},
		&ir.InstallStep{Manager: ir.Apt, Packages: []string{"git"}},
		&ir.WorkdirStep{Path: "/data", Owner: "sim"},
		&ir.RunStep{Command: "pwd"},
		&ir.CopyStep{Source: "files/a", Target: "/a", Mode: 0o755, Owner: "sim"},
	}
	dockerfile, _, _ := emit(t, env)
	var got []string
	for _, line := range strings.Split(string(dockerfile), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			got = append(got, line)
		}
	}
	want := []string{
		"FROM debian:bookworm",
		"USER root",
		"RUN id -u sim >/dev/null 2>&1 || useradd -l -m sim",
		"USER sim",
		"WORKDIR /tmp",
		"RUN id",
		"RUN whoami",
		"USER root",
		"WORKDIR /", // installs run in "/", as in the other targets
		"RUN " + shell.InstallCommand(ir.Apt, []string{"git"}, shell.InstallOptions{}),
		"USER sim",
		"WORKDIR /data",
		"USER root",
		"WORKDIR /",
		"RUN pwd",
		"COPY --chmod=755 --chown=sim files/a /a",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Dockerfile (-want +got):\n%s", diff)
	}
}

// TestFold checks that lines longer than the parser's limit are folded
// into continuation lines that join back exactly.
func TestFold(t *testing.T) {
	long := strings.Repeat("ab\\\"$# €'", 20000)
	env := irtest.Minimal()
	env.Labels = []ir.KeyValue{{Key: "long", Value: long}, {Key: "short", Value: "x"}}
	env.Steps = []ir.Step{&ir.RunStep{Command: "echo '" + long + "'"}, &ir.RunStep{Command: "echo '" + long + "'\n"}}
	dockerfile, _, _ := emit(t, env)
	for i, line := range strings.Split(string(dockerfile), "\n") {
		if len(line) > maxLine {
			t.Errorf("line %d has %d bytes, more than %d", i+1, len(line), maxLine)
		}
	}
	got, err := readDockerfile(dockerfile, baseEnv)
	if err != nil {
		t.Fatal(err)
	}
	checkDockerfile(t, env, got)
	for _, tt := range []struct {
		line string
		ok   bool
	}{
		{"short", true},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("#", 100), false},
		{strings.Repeat(" ", 100), false},
		{strings.Repeat("\\", 100), false},
		{"X" + strings.Repeat("\\a", 50), true},
	} {
		folded, ok := fold(tt.line, 10)
		if ok != tt.ok {
			t.Errorf("fold(%q) ok = %v, want %v", tt.line, ok, tt.ok)
		}
		if ok && strings.ReplaceAll(folded, "\\\n", "") != tt.line {
			t.Errorf("fold(%q) does not join back: %q", tt.line, folded)
		}
	}
}

// TestNoLintWarnings runs BuildKit's Dockerfile linter (every rule,
// experimental ones included) over the instructions of every output.
func TestNoLintWarnings(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			dockerfile, _, _ := emit(t, tc.env())
			res, err := parser.Parse(bytes.NewReader(dockerfile))
			if err != nil {
				t.Fatal(err)
			}
			var warnings []string
			for _, w := range res.Warnings {
				warnings = append(warnings, w.Short)
			}
			lint := linter.New(&linter.Config{ExperimentalAll: true, Warn: func(rule, _, _, msg string, _ []parser.Range) {
				warnings = append(warnings, rule+": "+msg)
			}})
			if _, _, err := instructions.Parse(res.AST, lint); err != nil {
				t.Fatal(err)
			}
			for _, child := range res.AST.Children {
				if child.Value != strings.ToUpper(child.Value) {
					warnings = append(warnings, "instruction casing: "+child.Value)
				}
			}
			if len(warnings) > 0 {
				t.Errorf("lint warnings: %q", warnings)
			}
		})
	}
}

// TestLintCatches makes sure the lint harness above does see warnings.
func TestLintCatches(t *testing.T) {
	res, err := parser.Parse(strings.NewReader("FROM debian AS Base\nMAINTAINER me\n"))
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	lint := linter.New(&linter.Config{ExperimentalAll: true, Warn: func(rule, _, _, _ string, _ []parser.Range) {
		rules = append(rules, rule)
	}})
	if _, _, err := instructions.Parse(res.AST, lint); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"StageNameCasing", "MaintainerDeprecated"}, rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

// TestShellcheck runs shellcheck over the commands the emitter itself
// writes into RUN (install and user steps; run steps are the user's).
func TestShellcheck(t *testing.T) {
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck)")
	}
	for _, tc := range []testCase{{"full", irtest.Full}, {"hostile", irtest.Hostile}, {"alpine", func() *ir.Env {
		env := irtest.Full()
		env.Distro = &ir.Distro{ID: "alpine", Version: "3.20", Family: "alpine", Manager: ir.Apk}
		env.Steps = []ir.Step{&ir.InstallStep{Manager: ir.Apk, Packages: []string{"git", "py3-pip"}}, &ir.UserStep{Name: "fenics"}}
		return env
	}}} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env()
			dockerfile, _, _ := emit(t, env)
			got, err := readDockerfile(dockerfile, baseEnv)
			if err != nil {
				t.Fatal(err)
			}
			ours := map[string]bool{}
			for _, s := range env.Steps {
				switch s := s.(type) {
				case *ir.InstallStep:
					ours[shell.InstallOf(s, false)] = true
				case *ir.UserStep:
					ours[shell.EnsureUserCommand(shell.UserOf(s), env.Distro.Family)] = true
				}
			}
			script := "#!/bin/sh\n"
			n := 0
			for _, o := range got.Ops {
				if o.Kind == OpRun && ours[o.Args[len(o.Args)-1]] {
					script += o.Args[len(o.Args)-1] + "\n"
					n++
				}
			}
			if n != len(ours) {
				t.Fatalf("found %d of the %d generated commands", n, len(ours))
			}
			cmd := exec.Command(bin, "-s", "sh", "-")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("shellcheck: %v\n%s\n%s", err, out, script)
			}
		})
	}
}
