package vagrant

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readBootstrap(t *testing.T, env *ir.Env) *Bootstrap {
	t.Helper()
	_, data, _ := emitFiles(t, env)
	b, err := ReadBootstrap(data)
	if err != nil {
		t.Fatalf("ReadBootstrap: %v\n%s", err, data)
	}
	return b
}

func fileAt(t *testing.T, b *Bootstrap, path string) ScriptFile {
	t.Helper()
	for _, f := range b.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("bootstrap.sh writes no %s", path)
	return ScriptFile{}
}

func TestReadBootstrapFull(t *testing.T) {
	env := irtest.Full()
	b := readBootstrap(t, env)
	type step struct {
		N    int
		Kind string
		Args [][]string
	}
	var got []step
	for _, s := range b.Steps {
		st := step{N: s.Number, Kind: s.Kind}
		for _, c := range s.Commands {
			st.Args = append(st.Args, c.Args)
		}
		got = append(got, st)
	}
	want := []step{
		{1, "install", [][]string{nil}},
		{2, "copy", [][]string{{"install", "-D", "-m", "0644", "/tmp/envc-fenics/files/2", "/home/fenics/intro.ipynb"}}},
		{3, "env", [][]string{{"export", "OMP_NUM_THREADS=1"}, nil}},
		{4, "run", [][]string{nil}},
		{5, "run", [][]string{nil}},
		{6, "user", [][]string{nil}},
		{7, "workdir", [][]string{nil}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	// A run step is a subshell holding the command verbatim.
	if src := b.Steps[4].Commands[0].Source; src != "(\nset +e\n"+env.Steps[4].(*ir.RunStep).Command+"\n)" {
		t.Errorf("run step not verbatim:\n%s", src)
	}
	wantExports := []Export{{"OMP_NUM_THREADS", ir.ParseWord("1")}, {"PATH", ir.ParseWord("/home/fenics/.local/bin:${PATH}")}}
	if diff := cmp.Diff(wantExports, b.Steps[2].Exports); diff != "" {
		t.Errorf("exports (-want +got):\n%s", diff)
	}
	paths := GuestPaths(env.Name)
	var files []string
	for _, f := range b.Files {
		files = append(files, f.Path+" "+f.Mode)
	}
	if diff := cmp.Diff([]string{paths.Profile + " 0644", paths.Labels + " 0644", paths.Wrapper + " 0755"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	profile, err := ReadExports(fileAt(t, b, paths.Profile).Content)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantExports, profile); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
	if got := fileAt(t, b, paths.Labels).Content; got != `{"maintainer":"sim-group","org.opencontainers.image.description":"FEniCS with a notebook server"}`+"\n" {
		t.Errorf("labels: %s", got)
	}
	var epilogue [][]string
	for _, c := range b.Epilogue {
		epilogue = append(epilogue, c.Args)
	}
	want2 := [][]string{{"rm", "-rf", "/tmp/envc-fenics"}, {"mkdir", "-p", "/etc/profile.d"}, {"mkdir", "-p", "/etc/envc/fenics"}, {"mkdir", "-p", "/usr/local/bin"}}
	if diff := cmp.Diff(want2, epilogue); diff != "" {
		t.Errorf("epilogue (-want +got):\n%s", diff)
	}
}

func TestReadBootstrapHostile(t *testing.T) {
	env := hostile()
	b := readBootstrap(t, env)
	cp := env.Steps[0].(*ir.CopyStep)
	if diff := cmp.Diff([]string{"install", "-D", "-m", "0600", "/tmp/envc-hostile/files/1", cp.Target}, b.Steps[0].Commands[0].Args); diff != "" {
		t.Errorf("copy (-want +got):\n%s", diff)
	}
	var names []string
	for _, x := range b.Steps[1].Exports {
		names = append(names, x.Name)
	}
	if diff := cmp.Diff([]string{"HOSTILE", "MIXED"}, names); diff != "" {
		t.Errorf("exports (-want +got):\n%s", diff)
	}
	if len(b.Steps) != 4 || b.Steps[3].Kind != "workdir" {
		t.Errorf("steps: %+v", b.Steps)
	}
	var labels map[string]string
	if err := jsonUnmarshal(fileAt(t, b, GuestPaths(env.Name).Labels).Content, &labels); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{env.Labels[0].Key: env.Labels[0].Value, env.Labels[1].Key: env.Labels[1].Value}, labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}

// TestHeredocDelimiter gives the profile a line equal to the usual
// here-document delimiter: the file must still be written whole.
func TestHeredocDelimiter(t *testing.T) {
	env := irtest.Minimal()
	envVars := []ir.EnvVar{{Name: "X", Value: ir.Word{{Lit: "a\nENVC_EOF\nENVC_EOF_X\nb"}}}}
	env.Steps = []ir.Step{&ir.EnvStep{Vars: envVars}}
	b := readBootstrap(t, env)
	got, err := ReadExports(fileAt(t, b, GuestPaths(env.Name).Profile).Content)
	if err != nil {
		t.Fatal(err)
	}
	want := []Export{{Name: "X", Value: env.RunEnv()[0].Value}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
	if len(b.Files) != 2 {
		t.Errorf("bootstrap.sh writes %d files, want 2", len(b.Files))
	}
}

// TestShellcheck runs shellcheck on bootstrap.sh and on the profile and
// wrapper it writes.
func TestShellcheck(t *testing.T) {
	sc := needTool(t, "shellcheck", "apt-get install shellcheck")
	for _, tc := range cases {
		env := tc.env()
		_, data, _ := emitFiles(t, env)
		b, err := ReadBootstrap(data)
		if err != nil {
			t.Fatal(err)
		}
		scripts := map[string]string{"bootstrap": string(data)}
		for _, f := range b.Files {
			switch f.Path {
			case GuestPaths(env.Name).Wrapper:
				scripts["wrapper"] = f.Content
			case GuestPaths(env.Name).Profile:
				scripts["profile"] = f.Content
			}
		}
		if scripts["wrapper"] == "" {
			t.Fatalf("%s: no wrapper", tc.name)
		}
		for name, script := range scripts {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				// SC2016 (info) notes "$" or a backquote in single quotes:
				// exactly what quoting a literal must produce. Every other
				// code, at every severity, fails the test.
				cmd := exec.Command(sc, "--shell=sh", "--exclude=SC2016", "-")
				cmd.Stdin = strings.NewReader(script)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("shellcheck: %v\n%s\nscript:\n%s", err, out, script)
				}
			})
		}
	}
}

// TestWrapperRuns runs the hostile environment's wrapper and profile
// under sh, with the paths moved into a temporary folder and the current
// user as the run user: the run command, the caller's arguments, the
// variables and the working directory must arrive exactly, and no value
// may run.
func TestWrapperRuns(t *testing.T) {
	sh := needTool(t, "sh", "a POSIX shell")
	me, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	root := t.TempDir()
	env := hostile()
	env.User = me.Username
	env.Workdir = filepath.Join(root, "srv", "d i r'$(x)")
	if err := os.MkdirAll(env.Workdir, 0o755); err != nil {
		t.Fatal(err)
	}
	paths := Paths{Stage: root + "/stage", Profile: root + "/profile.sh", Labels: root + "/labels.json", Wrapper: root + "/hostile-run"}
	out, diags := emit(env, paths, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	b, err := ReadBootstrap(out.Files[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range b.Files {
		if err := os.WriteFile(f.Path, []byte(f.Content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		cmd := exec.Command(sh, append([]string{paths.Wrapper}, args...)...)
		cmd.Dir = root
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("wrapper: %v\n%s", err, stderr.String())
		}
		return string(got)
	}
	h := irtest.Hostile().Description
	if got, want := run(), h+"\n--flag\n#{`id`}\n-\n"; got != want {
		t.Errorf("run command printed %q, want %q", got, want)
	}
	got := run("sh", "-c", `printf '%s\0' "$HOSTILE" "$MIXED" "$PWD" "$@"`, "sh", "a'b", "$(touch CANARY)")
	want := strings.Join([]string{h, "pre'\"`" + h + "$post", env.Workdir, "a'b", "$(touch CANARY)"}, "\x00") + "\x00"
	if got != want {
		t.Errorf("arguments printed %q, want %q", got, want)
	}
	noCanary(t, root)
}

func TestBootstrapParses(t *testing.T) {
	for _, tc := range cases {
		_, data, _ := emitFiles(t, tc.env())
		if err := shell.Parse(string(data), false); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A run step as another user, in bash, or with a carriage return is
	// handed quoted to a new shell.
	env := irtest.Minimal()
	env.Steps = []ir.Step{
		&ir.RunStep{Command: "echo a\r", Shell: "sh"},
		&ir.RunStep{Command: "echo b | cat", Shell: "bash", Workdir: "/tmp"},
		&ir.RunStep{Command: "echo c", Shell: "sh", User: "sim"},
		&ir.RunStep{Command: "echo d \\", Shell: "sh"},
	}
	b := readBootstrap(t, env)
	var got []string
	for _, s := range b.Steps {
		got = append(got, s.Commands[0].Source)
	}
	want := []string{
		"(\n/bin/sh -c 'echo a'\"$(printf '\\r')\"\n)",
		"(\ncd /tmp || exit\n/bin/bash -eo pipefail -c 'echo b | cat'\n)",
		"(\nrunuser -s /bin/sh -c 'echo c' sim\n)",
		"(\n/bin/sh -c 'echo d \\'\n)",
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("run steps (-want +got):\n%s", diff)
	}
}
