package singularity

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// at is a range on line n of spec.hcl.
func at(n int) hcl.Range {
	return hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: n, Column: 3, Byte: n * 10}, End: hcl.Pos{Line: n, Column: 20, Byte: n*10 + 17}}
}

// buildStage returns a stage "build" that makes /build/bin/tool (a file)
// and /build/share (a folder), with a variable, a context file and a
// step for the docker target only.
func buildStage() *ir.Env {
	base := irtest.Minimal()
	vars := []ir.EnvVar{{Name: "PREFIX", Value: ir.ParseWord("/build"), Range: at(5)}}
	dockerOnly := &ir.RunStep{Command: "echo docker-only > /build/target.txt", Shell: "sh", Range: at(9), Targets: []string{"docker"}}
	return &ir.Env{
		Name: "build", Base: base.Base, Distro: base.Distro, DeclRange: at(3),
		Steps: []ir.Step{
			&ir.EnvStep{Vars: vars, Range: at(5)},
			&ir.CopyStep{Source: "files/tool.conf", Target: "/build/etc/tool.conf", Mode: 0o644, Range: at(6)},
			&ir.RunStep{Command: `mkdir -p "$PREFIX/bin" "$PREFIX/share/doc" && echo tool > "$PREFIX/bin/tool" && echo notes > "$PREFIX/share/doc/notes.txt"`, Shell: "sh", Range: at(7)},
			dockerOnly,
		},
	}
}

// withStages returns an environment with stages whose own steps are
// steps (a user "sim" is created first, so that copies can own).
func withStages(stages []*ir.Env, steps ...ir.Step) *ir.Env {
	env := irtest.Minimal()
	env.Name, env.SpecFile = "staged", "spec.hcl"
	env.Stages = stages
	env.Steps = append([]ir.Step{&ir.UserStep{Name: "sim", UID: 1000, Range: at(20)}}, steps...)
	env.ContextFiles = []ir.ContextFile{{HostPath: "conf/tool.conf", ContextPath: "files/tool.conf"}}
	return env
}

// emitStaged emits env, demands Apptainer's stage headers for the stages
// and "final", and a read-back equal to the spec's view.
func emitStaged(t *testing.T, env *ir.Env) ([]byte, []*Definition) {
	t.Helper()
	def, _ := emit(t, env)
	defs, err := ParseAll(def)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != len(env.Stages)+1 {
		t.Fatalf("%d build stages, want %d\n%s", len(defs), len(env.Stages)+1, def)
	}
	for i, d := range defs {
		want := "final"
		if i < len(env.Stages) {
			want = env.Stages[i].Name
		}
		boot, _ := d.Get("bootstrap")
		from, _ := d.Get("from")
		stage, _ := d.Get("stage")
		if boot != "docker" || from != "debian:bookworm" || stage != want {
			t.Errorf("build stage %d: Bootstrap %q From %q Stage %q, want docker, debian:bookworm, %s", i+1, boot, from, stage, want)
		}
	}
	if args := BuildArgs(def); len(args) > 0 {
		t.Errorf("build arguments %q\n%s", args, def)
	}
	got, err := Effective(def)
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, def)
	}
	want := effective.Expect("singularity", effective.FromIR(env.ForTarget("singularity")))
	if diffs := effdiff.Compare("singularity", want, got); len(diffs) > 0 {
		t.Errorf("read-back differs:\n%s\n%s", effdiff.Report(diffs), def)
	}
	return def, defs
}

// sectionBody returns the body of d's section name with args.
func sectionBody(d *Definition, name, args string) (string, bool) {
	for _, s := range d.Sections {
		if s.Name == name && s.Args == args {
			return s.Body, true
		}
	}
	return "", false
}

// TestStageCopies checks each form of a copy from a stage: "%files from
// build" stages it at /.envc-stages/N (N its step), %post installs it at
// its place with the folder's contents landing in the target, the mode
// (kept or set on everything) and the owner, then removes the staging
// folder; the read-back gives the copy back.
func TestStageCopies(t *testing.T) {
	const (
		fileIf   = "if [ -d /.envc-stages/2 ]; then mkdir -p /usr/local/bin/tool && find /.envc-stages/2 -mindepth 1 -maxdepth 1 -exec cp -a {} /usr/local/bin/tool/ \\; ; else cp -a /.envc-stages/2 /usr/local/bin/tool; fi"
		folderIf = "if [ -d /.envc-stages/2 ]; then mkdir -p /opt/tool/share && find /.envc-stages/2 -mindepth 1 -maxdepth 1 -exec cp -a {} /opt/tool/share/ \\; ; else cp -a /.envc-stages/2 /opt/tool/share; fi"
		chownSim = ` && chown -R "$(id -u sim):$(id -g sim)" `
	)
	for _, tc := range []struct {
		name string
		copy ir.CopyStep
		line string // the %post line, "" to check the read-back only
	}{
		{"file keeps modes", ir.CopyStep{Source: "/build/bin/tool", Target: "/usr/local/bin/tool"},
			"mkdir -p /usr/local/bin && " + fileIf + " || exit"},
		{"file with mode", ir.CopyStep{Source: "/build/bin/tool", Target: "/usr/local/bin/tool", Mode: 0o755},
			"mkdir -p /usr/local/bin && " + fileIf + " && chmod -R 0755 /usr/local/bin/tool || exit"},
		{"file with owner", ir.CopyStep{Source: "/build/bin/tool", Target: "/usr/local/bin/tool", Owner: "sim"},
			"mkdir -p /usr/local/bin && " + fileIf + chownSim + "/usr/local/bin/tool || exit"},
		{"folder keeps modes", ir.CopyStep{Source: "/build/share", Target: "/opt/tool/share"},
			"mkdir -p /opt/tool && " + folderIf + " || exit"},
		{"folder with owner", ir.CopyStep{Source: "/build/share", Target: "/opt/tool/share", Owner: "sim"},
			"mkdir -p /opt/tool && " + folderIf + chownSim + "/opt/tool/share || exit"},
		{"folder with mode and owner", ir.CopyStep{Source: "/build/share", Target: "/opt/tool/share", Mode: 0o750, Owner: "sim"},
			"mkdir -p /opt/tool && " + folderIf + " && chmod -R 0750 /opt/tool/share" + chownSim + "/opt/tool/share || exit"},
		{"under the root", ir.CopyStep{Source: "/build/share", Target: "/share"},
			"if [ -d /.envc-stages/2 ]; then mkdir -p /share && find /.envc-stages/2 -mindepth 1 -maxdepth 1 -exec cp -a {} /share/ \\; ; else cp -a /.envc-stages/2 /share; fi || exit"},
		{"target with quotes", ir.CopyStep{Source: "/build/share", Target: `/opt/my tools/it's "here"`, Mode: 0o700, Owner: "sim"}, ""},
		{"target with a build argument", ir.CopyStep{Source: "/build/bin/tool", Target: "/opt/{{ x }}/{{ y }}", Owner: "sim"}, ""},
		{"target with a section line", ir.CopyStep{Source: "/build/bin/tool", Target: "/opt/a\n%post b/c"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.copy
			c.Stage, c.Range = "build", at(22)
			def, defs := emitStaged(t, withStages([]*ir.Env{buildStage()}, &c))
			final := defs[len(defs)-1]
			files, ok := sectionBody(final, "files", "from build")
			if !ok || !strings.HasPrefix(files, c.Source+" /.envc-stages/2\n") {
				t.Errorf("%%files from build: %q, want %q staged at /.envc-stages/2", files, c.Source)
			}
			post, _ := sectionBody(final, "post", "")
			if tc.line != "" && !strings.Contains(post, "# step 2: copy\n"+tc.line+"\n") {
				t.Errorf("%%post lacks %q:\n%s", tc.line, post)
			}
			if !strings.HasSuffix(strings.TrimRight(post, "\n"), "# after the steps\nrm -rf /.envc-stages") {
				t.Errorf("%%post does not remove the staging folder after the steps:\n%s", post)
			}
			r, err := ReadBack(def)
			if err != nil {
				t.Fatal(err)
			}
			want := &Copy{Stage: "build", Source: c.Source, Target: c.Target, Mode: c.Mode, Owner: c.Owner}
			if got := r.Steps[1].Copy; !cmp.Equal(got, want) {
				t.Errorf("read back %+v, want %+v", got, want)
			}
		})
	}
}

// TestStageFromStage checks a stage that copies from an earlier stage:
// the copy is staged and installed inside the later stage, as in the
// image, and the image copies from the later stage.
func TestStageFromStage(t *testing.T) {
	later := &ir.Env{Name: "later", Base: irtest.Minimal().Base, Distro: irtest.Minimal().Distro, DeclRange: at(12),
		Steps: []ir.Step{
			&ir.CopyStep{Stage: "build", Source: "/build/share", Target: "/later/share", Mode: 0o755, Range: at(13)},
			&ir.RunStep{Command: "cat /later/share/doc/notes.txt > /later/index.txt", Shell: "sh", Range: at(14)},
		}}
	env := withStages([]*ir.Env{buildStage(), later},
		&ir.CopyStep{Stage: "later", Source: "/later/index.txt", Target: "/opt/index.txt", Owner: "sim", Range: at(22)},
		&ir.CopyStep{Stage: "build", Source: "/build/bin/tool", Target: "/usr/local/bin/tool", Mode: 0o755, Range: at(23)},
	)
	def, defs := emitStaged(t, env)
	files, ok := sectionBody(defs[1], "files", "from build")
	if !ok || files != "/build/share /.envc-stages/1\n\n" {
		t.Errorf("stage later: %%files from build %q", files)
	}
	post, _ := sectionBody(defs[1], "post", "")
	for _, want := range []string{
		"# step 1: copy\nmkdir -p /later && if [ -d /.envc-stages/1 ]; then mkdir -p /later/share && find /.envc-stages/1 -mindepth 1 -maxdepth 1 -exec cp -a {} /later/share/ \\; ; else cp -a /.envc-stages/1 /later/share; fi && chmod -R 0755 /later/share || exit\n# step 2: run\n",
		"# after the steps\nrm -rf /.envc-stages\n",
	} {
		if !strings.Contains(post, want) {
			t.Errorf("stage later: %%post lacks %q:\n%s", want, post)
		}
	}
	for stage, src := range map[string]string{"later": "/later/index.txt /.envc-stages/2\n", "build": "/build/bin/tool /.envc-stages/3\n"} {
		if got, _ := sectionBody(defs[2], "files", "from "+stage); !strings.HasPrefix(got, src) {
			t.Errorf("image: %%files from %s %q, want %q", stage, got, src)
		}
	}
	r, err := ReadBack(def)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Stages) != 2 || r.Stages[1].Stage != "later" || r.Stages[1].Steps[0].Copy == nil || r.Stages[1].Steps[0].Copy.Stage != "build" {
		t.Errorf("stage later read back as %+v", r.Stages)
	}
}

// TestStageEnvAndTargets checks a stage's variables (exported in its
// %post at their step, never in the image's %environment), its steps for
// other targets (left out), its source scripts, and that a stage has no
// run-time sections.
func TestStageEnvAndTargets(t *testing.T) {
	build := buildStage()
	only := &ir.RunStep{Command: "echo singularity-only > /build/target.txt", Shell: "sh", Range: at(10), Targets: []string{"singularity"}}
	build.Steps = append(build.Steps, only)
	build.Source = []string{"/build/env.sh"}
	for _, s := range build.Steps {
		if r, ok := s.(*ir.RunStep); ok {
			r.Source = build.Source
		}
	}
	env := withStages([]*ir.Env{build}, &ir.CopyStep{Stage: "build", Source: "/build/target.txt", Target: "/opt/target.txt", Range: at(22)})
	def, defs := emitStaged(t, env)
	post, _ := sectionBody(defs[0], "post", "")
	if strings.Contains(post, "docker-only") {
		t.Errorf("the stage runs the docker step:\n%s", post)
	}
	i, j := strings.Index(post, "export PREFIX=/build\n"), strings.Index(post, "echo singularity-only")
	if i < 0 || j < i {
		t.Errorf("the stage does not export PREFIX before its singularity step:\n%s", post)
	}
	if !strings.Contains(post, "if [ -f /build/env.sh ]; then . /build/env.sh; fi\n") {
		t.Errorf("the stage's run steps do not source its script:\n%s", post)
	}
	for _, s := range defs[0].Sections {
		if s.Name != "files" && s.Name != "post" {
			t.Errorf("the stage has a %%%s section", s.Name)
		}
	}
	if env, _ := sectionBody(defs[1], "environment", ""); strings.Contains(env, "PREFIX") || strings.Contains(env, "/build/env.sh") {
		t.Errorf("the stage's variables or scripts reach the image's %%environment:\n%s", env)
	}
	r, err := ReadBack(def)
	if err != nil {
		t.Fatal(err)
	}
	steps := r.Stages[0].Steps
	if len(steps) != 4 || steps[0].Kind != "env" || len(steps[0].Env) != 1 || steps[0].Env[0].Name != "PREFIX" || steps[3].Run == nil || !strings.HasSuffix(steps[3].Run.Command, "\n"+only.Command) {
		t.Errorf("stage steps read back as %+v", steps)
	}
}

// TestPlatformsWarned checks that platforms raise one warning at their
// range naming them, and change nothing in the definition file.
func TestPlatformsWarned(t *testing.T) {
	env := irtest.Minimal()
	plain, diags := emit(t, env)
	for _, d := range diags {
		if x, ok := d.Extra.(emitters.RuleExtra); ok && x.Rule == emitters.RuleSingularityPlatformsIgnored {
			t.Error("a platforms warning without platforms")
		}
	}
	env.Platforms, env.PlatformsRange = []string{"linux/amd64", "linux/arm64/v8"}, at(30)
	def, diags := emit(t, env)
	if string(def) != string(plain) {
		t.Errorf("platforms change the definition file:\n%s", def)
	}
	n := 0
	for _, d := range diags {
		x, ok := d.Extra.(emitters.RuleExtra)
		if !ok || x.Rule != emitters.RuleSingularityPlatformsIgnored {
			continue
		}
		n++
		if d.Severity != hcl.DiagWarning || d.Subject == nil || *d.Subject != env.PlatformsRange || !strings.Contains(d.Detail, "linux/amd64, linux/arm64/v8") {
			t.Errorf("warning %+v at %v", d, d.Subject)
		}
	}
	if n != 1 {
		t.Errorf("%d platforms warnings, want 1", n)
	}
	got, err := Effective(def)
	if err != nil {
		t.Fatal(err)
	}
	want := effective.Expect("singularity", effective.FromIR(env))
	if diffs := effdiff.Compare("singularity", want, got); len(diffs) > 0 {
		t.Error(effdiff.Report(diffs))
	}
}

// TestEnvironmentSources checks that %environment sources the source
// scripts where they exist, after the exports, that sh runs it so, and
// that the read-back gives the scripts back.
func TestEnvironmentSources(t *testing.T) {
	dir := t.TempDir()
	present, missing := filepath.Join(dir, "my env.sh"), filepath.Join(dir, "missing.sh")
	if err := os.WriteFile(present, []byte("FROM_SCRIPT=\"$GREETING there\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := irtest.Minimal()
	env.Steps = []ir.Step{&ir.EnvStep{Vars: []ir.EnvVar{{Name: "GREETING", Value: ir.ParseWord("hello"), Range: at(4)}}, Range: at(4)}}
	env.Source = []string{present, missing}
	def, _ := emit(t, env)
	d, err := Parse(def)
	if err != nil {
		t.Fatal(err)
	}
	want := "export GREETING=hello\n" +
		"# shellcheck source=/dev/null\nif [ -f '" + present + "' ]; then . '" + present + "'; fi\n" +
		"# shellcheck source=/dev/null\nif [ -f " + missing + " ]; then . " + missing + "; fi\n\n"
	if strings.ContainsAny(dir, "'\\\"$` ") {
		t.Skipf("temporary folder %q needs other quoting", dir)
	}
	if d.Environment.Body != want {
		t.Errorf("%%environment:\n%s\nwant:\n%s", d.Environment.Body, want)
	}
	out, err := exec.Command("sh", "-ec", d.Environment.Body+`printf '%s' "$FROM_SCRIPT"`).CombinedOutput()
	if err != nil || string(out) != "hello there" {
		t.Errorf("sh ran %%environment: %q, %v", out, err)
	}
	r, err := ReadBack(def)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(r.Source, env.Source) || len(r.Env) != 1 {
		t.Errorf("read back Source %q Env %+v", r.Source, r.Env)
	}
	got, err := Effective(def)
	if err != nil {
		t.Fatal(err)
	}
	if diffs := effdiff.Compare("singularity", effective.Expect("singularity", effective.FromIR(env)), got); len(diffs) > 0 {
		t.Error(effdiff.Report(diffs))
	}

	// Paths a definition file reads specially still reach the script as
	// themselves; without source scripts %environment sources nothing.
	env.Source = []string{"/opt/{{ x }}/env.sh", "/opt/a\n%post\nBootstrap: x/env.sh"}
	def, _ = emit(t, env)
	if r, err = ReadBack(def); err != nil || !cmp.Equal(r.Source, env.Source) {
		t.Errorf("read back Source %q, %v\n%s", r.Source, err, def)
	}
	env.Source = nil
	def, _ = emit(t, env)
	if d, _ := Parse(def); d.Environment.Body != "export GREETING=hello\n\n" {
		t.Errorf("%%environment without source scripts: %q", d.Environment.Body)
	}
}

// TestShellcheckStages runs shellcheck on the scripts of every build
// stage of a definition file with stages and source scripts.
func TestShellcheckStages(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck)")
	}
	env := irtest.Stages()
	env.Steps = append(env.Steps, &ir.EnvStep{Vars: []ir.EnvVar{{Name: "TOOL_HOME", Value: ir.ParseWord("/opt/tool"), Range: at(19)}}, Range: at(19)})
	env.Source = []string{"/opt/tool/env.sh", "/opt/my tool/env.sh"}
	env.Stages[0].Source = []string{"/build/env.sh"}
	for _, s := range env.Stages[0].Steps {
		if r, ok := s.(*ir.RunStep); ok {
			r.Source = env.Stages[0].Source
		}
	}
	data, _ := emit(t, env)
	defs, err := ParseAll(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range defs {
		for _, s := range []struct{ name, body string }{{"post", d.Post.Body}, {"environment", d.Environment.Body}, {"runscript", d.Runscript.Body}} {
			if s.body == "" {
				continue
			}
			cmd := exec.Command(sc, "--shell=sh", "--exclude=SC2016", "-")
			cmd.Stdin = strings.NewReader("#!/bin/sh\n" + s.body)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("build stage %d %%%s: shellcheck: %v\n%s\nscript:\n%s", i+1, s.name, err, out, s.body)
			}
		}
	}
}
