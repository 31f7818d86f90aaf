package vagrant

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// stagesEnv is irtest.Stages with a step of stage build for the docker
// target alone, which the machine must not run.
func stagesEnv() *ir.Env {
	env := irtest.Stages()
	build := env.Stages[0]
	dockerOnly := &ir.RunStep{Command: "echo container > /build/docker-only.txt", Shell: "sh", Range: build.DeclRange, Targets: []string{"docker"}}
	build.Steps = append(build.Steps, dockerOnly)
	return env
}

// outputFiles returns the files of out by name, in order.
func outputFiles(out *emitters.Output) (map[string][]byte, []string) {
	files := map[string][]byte{}
	var names []string
	for _, f := range out.Files {
		files[f.Path] = f.Data
		names = append(names, f.Path+" "+f.Mode.String())
	}
	return files, names
}

// TestStages emits an environment with stages: a script per stage (with
// the stage's steps for the vagrant target, none for other targets),
// run by a shell provisioner of its own before bootstrap.sh; copies from
// a stage in bootstrap.sh; a warning per stage at its block and one for
// the platforms; a read-back equal to the spec's view.
func TestStages(t *testing.T) {
	env := stagesEnv()
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	again, _ := emitters.EmitFor(New(), stagesEnv(), emitters.Options{Platform: "linux/arm64"})
	if diff := cmp.Diff(out, again); diff != "" {
		t.Errorf("two emissions differ (-first +second):\n%s", diff)
	}
	files, names := outputFiles(out)
	want := []string{"Vagrantfile -rw-r--r--", "bootstrap.sh -rwxr-xr-x", "stage-build.sh -rwxr-xr-x", "stage-more.sh -rwxr-xr-x"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}

	// Each stage's script holds the stage's steps for this target.
	kinds := func(name string) string {
		b, err := ReadBootstrap(files[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name != BootstrapName && (len(b.Epilogue) > 0 || len(b.Files) > 0) {
			t.Errorf("%s does more than its steps", name)
		}
		var k []string
		for _, s := range b.Steps {
			k = append(k, s.Kind)
		}
		return strings.Join(k, " ")
	}
	if got := kinds("stage-build.sh"); got != "install env copy run run" {
		t.Errorf("stage-build.sh steps: %s", got)
	}
	if got := kinds("stage-more.sh"); got != "install env copy run run copy run" {
		t.Errorf("stage-more.sh steps: %s", got)
	}
	if got := kinds(BootstrapName); got != "user copy copy copy" {
		t.Errorf("bootstrap.sh steps: %s", got)
	}
	for _, name := range []string{"stage-build.sh", "stage-more.sh"} {
		s := string(files[name])
		if !strings.Contains(s, "echo machine") {
			t.Errorf("%s lacks the step for the vagrant target", name)
		}
		if strings.Contains(s, "docker-only") {
			t.Errorf("%s runs the step for the docker target", name)
		}
		// The stage's distribution gives its commands.
		if !strings.Contains(s, "apt-get") {
			t.Errorf("%s does not install with apt-get", name)
		}
	}
	if strings.Contains(string(files[BootstrapName]), "PREFIX") {
		t.Errorf("bootstrap.sh holds a stage's steps:\n%s", files[BootstrapName])
	}
	if !strings.Contains(string(files["stage-more.sh"]), "# step 6: copy\n"+StageNote+"build\n") {
		t.Errorf("stage-more.sh does not note the stage it copies from:\n%s", files["stage-more.sh"])
	}

	// One warning per stage at its block, naming it; one for the user
	// (uid 1000, the box's vagrant user's); one for the platforms.
	type warning struct {
		Rule    string
		Subject hcl.Range
	}
	var got []warning
	for _, d := range diags {
		x, ok := d.Extra.(emitters.RuleExtra)
		if !ok {
			t.Errorf("diagnostic without a rule: %s", d.Summary)
			continue
		}
		got = append(got, warning{x.Rule.Name, *d.Subject})
		switch x.Rule {
		case emitters.RuleVagrantStageFlattened:
			name := env.Stages[0].Name
			if d.Subject.Start.Line != env.Stages[0].DeclRange.Start.Line {
				name = env.Stages[1].Name
			}
			if !strings.Contains(d.Detail, fmt.Sprintf("the stage %q run", name)) {
				t.Errorf("stage warning does not name %q: %s", name, d.Detail)
			}
		case emitters.RuleVagrantPlatformsIgnored:
			if !strings.Contains(d.Detail, "the platforms linux/amd64, linux/arm64 only") {
				t.Errorf("platforms warning: %s", d.Detail)
			}
		}
	}
	var userRange hcl.Range
	for _, st := range env.Steps {
		if u, ok := st.(*ir.UserStep); ok {
			userRange = u.Range
		}
	}
	wantWarnings := []warning{
		{"vagrant-stage-flattened", env.Stages[0].DeclRange},
		{"vagrant-stage-flattened", env.Stages[1].DeclRange},
		{"vagrant-user-uid-box", userRange},
		{"vagrant-platforms-ignored", env.PlatformsRange},
	}
	if diff := cmp.Diff(wantWarnings, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	sc, err := exec.LookPath("shellcheck")
	if err == nil {
		for _, name := range []string{BootstrapName, "stage-build.sh", "stage-more.sh"} {
			shellcheck(t, sc, name, string(files[name]))
		}
	}

	// The Vagrantfile: uploads of the stages' context files, then a shell
	// provisioner per stage, then bootstrap.sh; and the read-back.
	needTool(t, "ruby", "apt-get install ruby")
	dir := writeOutput(t, env)
	vf, err := ReadVagrantfile(filepath.Join(dir, VagrantfileName))
	if err != nil {
		t.Fatal(err)
	}
	var provs []string
	for _, p := range vf.Provisioners {
		provs = append(provs, p.Type+" "+p.Options.Source+p.Options.Path+" "+p.Options.Destination)
	}
	wantProvs := []string{
		"file files/tool.conf /tmp/envc-stages/files/build-3",
		"file files/tool.conf /tmp/envc-stages/files/more-3",
		"shell stage-build.sh ",
		"shell stage-more.sh ",
		"shell bootstrap.sh ",
	}
	if diff := cmp.Diff(wantProvs, provs); diff != "" {
		t.Errorf("provisioners (-want +got):\n%s", diff)
	}
	v, err := Effective(filepath.Join(dir, VagrantfileName), files[BootstrapName], env.Name)
	if err != nil {
		t.Fatal(err)
	}
	wantView := effective.Expect("vagrant", effective.FromIR(env.ForTarget("vagrant")))
	if diffs := effdiff.Compare("vagrant", wantView, v); len(diffs) > 0 {
		t.Errorf("read-back differs:\n%s", effdiff.Report(diffs))
	}
	stageOf := func(s effective.Step) string { c, _ := s.(effective.CopyStep); return c.Stage }
	if len(v.Stages) != 2 || stageOf(v.Stages[1].Steps[5]) != "build" || stageOf(v.Steps[1]) != "build" || stageOf(v.Steps[2]) != "more" {
		t.Errorf("stages or copies from them not read back: %+v", v)
	}
	// A read-back that ignored the stage scripts would miss the vagrant
	// step; one that read the docker step would have it.
	other := effective.Expect("vagrant", effective.FromIR(env.ForTarget("docker")))
	if diffs := effdiff.Compare("vagrant", other, v); len(diffs) == 0 {
		t.Error("the read-back does not tell the vagrant stage steps from the docker ones")
	}
}

// TestStagesVagrantfile has Ruby check the Vagrantfile of an environment
// with stages, and Vagrant validate it (its shell provisioners' scripts
// must exist beside it).
func TestStagesVagrantfile(t *testing.T) {
	ruby := needTool(t, "ruby", "apt-get install ruby")
	dir := writeOutput(t, stagesEnv())
	cmd := exec.Command(ruby, "-wc", VagrantfileName)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "Syntax OK" {
		t.Errorf("ruby -wc: %v\n%s", err, out)
	}
	vagrant := needTool(t, "vagrant", "apt-get install --no-install-recommends vagrant")
	if testing.Short() {
		t.Skip("vagrant validate takes about a second")
	}
	// A stub VBoxManage, as in TestVagrantValidate.
	bin := t.TempDir()
	stub := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 7.0.14r161095; fi\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "VBoxManage"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(vagrant, "validate")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "VAGRANT_HOME="+t.TempDir(), "VAGRANT_CHECKPOINT_DISABLE=1")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "validated successfully") {
		t.Errorf("vagrant validate: %v\n%s", err, out)
	}
}

func shellcheck(t *testing.T, sc, name, script string) {
	t.Helper()
	cmd := exec.Command(sc, "--shell=sh", "--exclude=SC2016", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s\nscript:\n%s", name, err, out, script)
	}
}

// copyOwner returns a user other files can be given to: nobody when the
// test runs as root, else the current user.
func copyOwner(t *testing.T) (name string, uid int) {
	t.Helper()
	name = "nobody"
	if os.Geteuid() != 0 {
		me, err := user.Current()
		if err != nil {
			t.Skip(err)
		}
		name = me.Username
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Skip(err)
	}
	uid, err = strconv.Atoi(u.Uid)
	if err != nil {
		t.Skip(err)
	}
	return name, uid
}

// TestStageScriptsRun runs the stage scripts and bootstrap.sh under sh,
// in order as Vagrant does, with every path in a temporary folder whose
// name holds quotes, a space and a command substitution. The copies from
// the stages must land as a copy from a stage does in a Dockerfile: a
// file at the target, a folder's contents in the target (created, never
// nested into it), modes kept without a mode and set on everything with
// one, the owner on everything; a stage copies from an earlier one; the
// stages' variables do not reach the environment's steps; a stage runs
// its steps for this target only.
func TestStageScriptsRun(t *testing.T) {
	sh := needTool(t, "sh", "a POSIX shell")
	owner, uid := copyOwner(t)
	tmp := t.TempDir()
	root := filepath.Join(tmp, "r o'o`t$(touch CANARY)")
	q := shell.MustQuote
	build, more, out := root+"/build", root+"/more", root+"/out"
	paths := Paths{Stage: root + "/stage", Profile: root + "/profile.sh", Labels: root + "/labels.json", Wrapper: root + "/stages-run"}
	distro := irtest.Minimal().Distro

	prefix := []ir.EnvVar{{Name: "PREFIX", Value: ir.Word{{Lit: build}}}}
	vagrantOnly := &ir.RunStep{Command: "touch \"$PREFIX/vagrant-only\"", Shell: "sh", Targets: []string{"vagrant"}}
	dockerOnly := &ir.RunStep{Command: "touch \"$PREFIX/docker-only\"", Shell: "sh", Targets: []string{"docker"}}
	buildStage := &ir.Env{Name: "build", Distro: distro, DeclRange: irtest.Minimal().DeclRange,
		Steps: []ir.Step{
			&ir.EnvStep{Vars: prefix},
			&ir.CopyStep{Source: "files/tool.conf", Target: build + "/etc/tool.conf", Mode: 0o600},
			&ir.RunStep{Shell: "sh", Command: strings.Join([]string{
				`mkdir -p "$PREFIX/bin" "$PREFIX/share/doc/deep"`,
				`echo tool > "$PREFIX/bin/tool"`, `chmod 0700 "$PREFIX/bin/tool"`,
				`echo notes > "$PREFIX/share/doc/notes.txt"`, `chmod 0604 "$PREFIX/share/doc/notes.txt"`,
				`echo deep > "$PREFIX/share/doc/deep/x"`, `chmod 0711 "$PREFIX/share/doc/deep"`,
			}, " && ")},
			&ir.RunStep{Shell: "sh", Workdir: build + "/share", Command: `pwd > "$PREFIX/pwd.txt"`},
			vagrantOnly, dockerOnly,
		},
	}
	moreVars := []ir.EnvVar{{Name: "MORE", Value: ir.Word{{Lit: "more"}}}}
	moreStage := &ir.Env{Name: "more", Distro: distro, DeclRange: irtest.Minimal().DeclRange,
		Steps: []ir.Step{
			&ir.EnvStep{Vars: moreVars},
			&ir.CopyStep{Stage: "build", Source: build + "/share/doc/notes.txt", Target: more + "/notes.txt"},
			&ir.RunStep{Shell: "sh", Command: "echo \"$MORE\" >> " + q(more+"/notes.txt")},
		},
	}
	env := irtest.Minimal()
	env.Name = "stages"
	env.Stages = []*ir.Env{buildStage, moreStage}
	env.Steps = []ir.Step{
		&ir.RunStep{Shell: "sh", Command: "mkdir -p " + q(out) + " && printf '%s %s %s' \"${PREFIX-unset}\" \"${MORE-unset}\" \"$PWD\" > " + q(out+"/leak.txt")},
		&ir.CopyStep{Stage: "build", Source: build + "/bin/tool", Target: out + "/tool"},
		&ir.CopyStep{Stage: "build", Source: build + "/bin/tool", Target: out + "/new/bin/tool", Mode: 0o755},
		&ir.CopyStep{Stage: "build", Source: build + "/share", Target: out + "/share"},
		&ir.WorkdirStep{Path: out + "/existing"},
		&ir.CopyStep{Stage: "build", Source: build + "/share", Target: out + "/existing"},
		&ir.CopyStep{Stage: "build", Source: build + "/share", Target: out + "/owned", Mode: 0o750, Owner: owner},
		&ir.CopyStep{Stage: "more", Source: more + "/notes.txt", Target: out + "/notes.txt", Mode: 0o640, Owner: owner},
	}
	o, diags := emit(env.ForTarget("vagrant"), paths, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	files, _ := outputFiles(o)
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		for name, data := range files {
			if name != VagrantfileName {
				shellcheck(t, sc, name, string(data))
			}
		}
	}
	// What the file provisioner uploads.
	upload := paths.Stage + "/files/build-2"
	if !strings.Contains(string(files["stage-build.sh"]), q(upload)) {
		t.Fatalf("stage-build.sh does not install %s:\n%s", upload, files["stage-build.sh"])
	}
	if err := os.MkdirAll(filepath.Dir(upload), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(upload, []byte("conf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"stage-build.sh", "stage-more.sh", BootstrapName} {
		script := filepath.Join(tmp, name)
		if err := os.WriteFile(script, files[name], 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sh, script)
		cmd.Dir = tmp
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp}
		if outb, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s\nscript:\n%s", name, err, outb, files[name])
		}
	}

	type entry struct {
		Mode  fs.FileMode
		Owner bool // owned by owner
		Data  string
	}
	tree := func(dir string) map[string]entry {
		m := map[string]entry{}
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			e := entry{Mode: info.Mode() & (fs.ModePerm | fs.ModeDir), Owner: int(info.Sys().(*syscall.Stat_t).Uid) == uid}
			if !info.IsDir() {
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				e.Data = string(data)
			}
			m[rel] = e
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	root0 := os.Geteuid() == 0 && uid != 0
	own := func(m map[string]entry, owned bool) map[string]entry {
		for k, e := range m {
			e.Owner = owned || !root0 // not root: every file is the current user's
			m[k] = e
		}
		return m
	}
	dirMode := func(m fs.FileMode) fs.FileMode { return fs.ModeDir | m }
	shareKept := own(map[string]entry{
		".":             {Mode: dirMode(0o755)},
		"doc":           {Mode: dirMode(0o755)},
		"doc/notes.txt": {Mode: 0o604, Data: "notes\n"},
		"doc/deep":      {Mode: dirMode(0o711)},
		"doc/deep/x":    {Mode: 0o644, Data: "deep\n"},
	}, false)
	tests := []struct {
		name string
		path string
		want map[string]entry
	}{
		{"file, modes kept", out + "/tool", own(map[string]entry{".": {Mode: 0o700, Data: "tool\n"}}, false)},
		{"file with a mode, parents created", out + "/new/bin/tool", own(map[string]entry{".": {Mode: 0o755, Data: "tool\n"}}, false)},
		{"folder's contents, modes kept", out + "/share", shareKept},
		{"folder's contents into an existing folder", out + "/existing", shareKept},
		{"folder with a mode and an owner", out + "/owned", own(map[string]entry{
			".":             {Mode: dirMode(0o750)},
			"doc":           {Mode: dirMode(0o750)},
			"doc/notes.txt": {Mode: 0o750, Data: "notes\n"},
			"doc/deep":      {Mode: dirMode(0o750)},
			"doc/deep/x":    {Mode: 0o750, Data: "deep\n"},
		}, true)},
		{"from a stage that copied from an earlier one", out + "/notes.txt", own(map[string]entry{".": {Mode: 0o640, Data: "notes\nmore\n"}}, true)},
		{"stage's context file", build + "/etc/tool.conf", own(map[string]entry{".": {Mode: 0o600, Data: "conf\n"}}, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tree(tt.path)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.path, diff)
			}
		})
	}
	read := func(p string) string {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
		}
		return string(data)
	}
	if got := read(out + "/leak.txt"); got != "unset unset /" {
		t.Errorf("the environment's step sees %q of the stages (want \"unset unset /\")", got)
	}
	if got := read(build + "/pwd.txt"); got != build+"/share\n" {
		t.Errorf("a stage's step ran in %q", got)
	}
	if _, err := os.Stat(build + "/vagrant-only"); err != nil {
		t.Errorf("the stage's step for the vagrant target did not run: %v", err)
	}
	if _, err := os.Stat(build + "/docker-only"); err == nil {
		t.Error("the stage's step for the docker target ran")
	}
	if _, err := os.Stat(paths.Stage); err == nil {
		t.Error("bootstrap.sh left the uploads behind")
	}
	noCanary(t, tmp)
}

// TestPlatforms: the platforms raise one warning at their attribute,
// listing them, and change nothing in the outputs.
func TestPlatforms(t *testing.T) {
	plain, _ := emitters.EmitFor(New(), irtest.Minimal(), emitters.Options{})
	env := irtest.Minimal()
	env.Platforms = []string{"linux/amd64", "linux/arm64"}
	env.PlatformsRange = irtest.Full().Ports[0].Range
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(plain, out); diff != "" {
		t.Errorf("platforms change the outputs (-without +with):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vagrant-platforms-ignored"}, ruleNames(diags)); diff != "" {
		t.Fatalf("rules (-want +got):\n%s", diff)
	}
	d := diags[0]
	if *d.Subject != env.PlatformsRange {
		t.Errorf("warning at %v, want %v", d.Subject, env.PlatformsRange)
	}
	if !strings.Contains(d.Detail, "platforms linux/amd64, linux/arm64 only") {
		t.Errorf("detail: %s", d.Detail)
	}
}

// TestProfileSources: the profile.d script exports the environment's
// variables, then sources its scripts where they exist, so that a login
// shell (vagrant ssh) sees them; the read-back still reads the exports.
func TestProfileSources(t *testing.T) {
	sh := needTool(t, "sh", "a POSIX shell")
	root := filepath.Join(t.TempDir(), "s p'a$(touch CANARY)")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	script, missing := root+"/env 1.sh", root+"/missing.sh"
	if err := os.WriteFile(script, []byte("FROM_SCRIPT=\"seen $X\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		vars []ir.EnvVar
		want string
	}{
		{"variables and scripts", []ir.EnvVar{{Name: "X", Value: ir.Word{{Lit: "x'1"}}}}, "x'1|seen x'1"},
		{"scripts alone", nil, "|seen "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := irtest.Minimal()
			if tt.vars != nil {
				env.Steps = []ir.Step{&ir.EnvStep{Vars: tt.vars}}
			}
			env.Source = []string{script, missing}
			env.Run = []string{"true"}
			paths := GuestPaths(env.Name)
			paths.Profile = root + "/profile.sh"
			o, diags := emit(env, paths, nil)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			b, err := ReadBootstrap(o.Files[1].Data)
			if err != nil {
				t.Fatal(err)
			}
			profile := fileAt(t, b, paths.Profile).Content
			if sc, err := exec.LookPath("shellcheck"); err == nil {
				shellcheck(t, sc, "profile", profile)
			}
			lines := strings.Split(strings.TrimSuffix(profile, "\n"), "\n")
			tail := []string{shell.ShellcheckSourced, shell.SourceLine(script), shell.ShellcheckSourced, shell.SourceLine(missing)}
			if len(lines) < len(tail) || !cmp.Equal(tail, lines[len(lines)-len(tail):]) {
				t.Errorf("the profile does not end by sourcing the scripts:\n%s", profile)
			}
			exports, err := ReadExports(profile)
			if err != nil {
				t.Fatal(err)
			}
			if len(exports) != len(tt.vars) {
				t.Errorf("profile exports %v", exports)
			}
			if err := os.WriteFile(paths.Profile, []byte(profile), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(sh, "-c", `. "$1" && printf '%s|%s' "$X" "$FROM_SCRIPT"`, "sh", paths.Profile)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("sourcing the profile: %v\n%s", err, stderr.String())
			}
			if string(got) != tt.want {
				t.Errorf("a login shell sees %q, want %q", got, tt.want)
			}
			noCanary(t, root)
		})
	}
}

// TestProfileSourcesReadBack: an environment with variables and scripts
// to source reads back as the spec's view (the sourcing lines are not
// read as variables).
func TestProfileSourcesReadBack(t *testing.T) {
	needTool(t, "ruby", "apt-get install ruby")
	env := irtest.Minimal()
	envVars := []ir.EnvVar{{Name: "X", Value: ir.Word{{Lit: "1"}}}}
	env.Steps = []ir.Step{&ir.EnvStep{Vars: envVars}}
	env.Source = []string{"/opt/env.sh"}
	env.Run = []string{"true"}
	dir := writeOutput(t, env)
	_, bootstrap, _ := emitFiles(t, env)
	got, err := Effective(filepath.Join(dir, VagrantfileName), bootstrap, env.Name)
	if err != nil {
		t.Fatal(err)
	}
	want := effective.Expect("vagrant", effective.FromIR(env))
	if diffs := effdiff.Compare("vagrant", want, got); len(diffs) > 0 {
		t.Errorf("read-back differs:\n%s", effdiff.Report(diffs))
	}
}
