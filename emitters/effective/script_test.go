package effective

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
)

func TestReadInstall(t *testing.T) {
	pkgs := []string{"git", "gcc-c++", "python3=3.11*"}
	for _, mgr := range []ir.PackageManager{ir.Apt, ir.Dnf, ir.Apk, ir.Zypper} {
		for _, vm := range []bool{false, true} {
			for _, rec := range []bool{false, true} {
				for _, suffix := range []string{"", " || exit"} {
					cmd := shell.InstallCommand(mgr, pkgs, shell.InstallOptions{VM: vm, Recommends: rec}) + suffix
					st, err := ReadInstallStep(cmd)
					if err != nil {
						t.Fatalf("%q: %v", cmd, err)
					}
					want := InstallStep{Manager: mgr, Packages: pkgs, Recommends: rec && mgr != ir.Apk}
					if diff := cmp.Diff(want, st); diff != "" {
						t.Errorf("%q (-want +got):\n%s", cmd, diff)
					}
				}
			}
		}
	}
	for _, cmd := range []string{
		"apt-get install -y git",                                // not envc's idiom
		"dnf install -y git && dnf clean all",                   // an option missing
		"apk add --no-cache git; touch /x",                      // more than the install
		"DEBIAN_FRONTEND=noninteractive apt-get update && true", // no install
	} {
		if _, err := ReadInstallStep(cmd); err == nil {
			t.Errorf("%q read as an install command", cmd)
		}
	}
}

func TestReadEnsureUserAndMkdir(t *testing.T) {
	for _, name := range []string{"sim", "we ird'$(x)"} {
		users := []shell.User{
			{Name: name},
			{Name: name, UID: 1000, GID: 1001, Home: "/srv/" + name, Shell: "/bin/bash", Groups: []string{"video", name + "s"}},
			{Name: name, UID: 1000},
			{Name: name, GID: 7, Groups: []string{"audio"}},
			{Name: name, UID: 1000, GID: 1000, TakeOver: true},
		}
		for _, u := range users {
			for _, family := range []string{"debian", "alpine"} {
				got, err := ReadEnsureUser(shell.EnsureUserCommand(u, family) + " || exit")
				if err != nil {
					t.Errorf("user %+v (%s): %v", u, family, err)
				} else if diff := cmp.Diff(u, got); diff != "" {
					t.Errorf("user (%s) (-want +got):\n%s", family, diff)
				}
				if u.UID == 0 {
					continue
				}
				got, err = ReadEnsureUser(shell.EnsureUserIfFreeCommand(u, family) + " || exit")
				if err != nil {
					t.Errorf("user %+v (%s), created if its uid is free: %v", u, family, err)
				} else if diff := cmp.Diff(u, got); diff != "" {
					t.Errorf("user (%s), created if its uid is free (-want +got):\n%s", family, diff)
				}
			}
		}
		if _, err := ReadEnsureUser("id -u " + shell.MustQuote(name) + " >/dev/null 2>&1 || { useradd -l -m -u 1 " + shell.MustQuote(name) + " && rm -rf /; }"); err == nil {
			t.Errorf("a user command with an extra command read as one")
		}
		for _, owner := range []string{"", name} {
			dir, gotOwner, err := ReadMkdir(shell.MkdirCommand("/srv/"+name, owner))
			if err != nil || dir != "/srv/"+name || gotOwner != owner {
				t.Errorf("mkdir owned by %q: got %q %q, %v", owner, dir, gotOwner, err)
			}
		}
	}
	if _, err := ReadEnsureUser("if cut -d: -f3 /etc/passwd | grep -qx 1001; then id -u sim >/dev/null 2>&1 || useradd -l -m sim; else id -u sim >/dev/null 2>&1 || { useradd -l -m -u 1000 sim; }; fi"); err == nil {
		t.Error("a user command testing another uid than it gives was accepted")
	}
	if _, err := ReadEnsureUser("id -u sim || adduser sim"); err == nil {
		t.Error("a different user command was accepted")
	}
	if _, _, err := ReadMkdir("mkdir /x"); err == nil {
		t.Error("mkdir without -p was accepted")
	}
}

func TestReadRunStep(t *testing.T) {
	steps := []*ir.RunStep{
		{Command: "echo hi", Shell: "sh"},
		{Command: "if true; then\n  echo multi\nfi\ncat <<EOF\n x\nEOF", Shell: "sh", Workdir: "/w d"},
		{Command: "set -o | grep x", Shell: "bash"},
		{Command: "echo 'a'\"b\" $HOME", Shell: "sh", User: "sim"},
		{Command: "echo x", Shell: "bash", User: "sim", Workdir: "/tmp"},
		{Command: "printf 'a\\r'\r", Shell: "sh"},
		{Command: "echo trailing \\", Shell: "sh"},
	}
	for _, family := range []string{"debian", "alpine"} {
		for _, s := range steps {
			src := strings.Join(shell.RunStepLines(s, shell.RunStepOptions{Family: family}), "\n")
			got, err := ReadRunStep(src)
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			want := RunStep{Command: s.Command, Shell: s.Shell, User: s.User, Workdir: s.Workdir}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q (-want +got):\n%s", src, diff)
			}
		}
	}
	if _, err := ReadRunStep("echo not a subshell"); err == nil {
		t.Error("a plain command was read as a run step")
	}
}

func TestShArgs(t *testing.T) {
	tests := []struct {
		args      []string
		user, dir string
		want      Step
	}{
		{[]string{"/bin/sh", "-c", shell.InstallCommand(ir.Apt, []string{"git"}, shell.InstallOptions{})}, "", "/",
			InstallStep{Manager: "apt", Packages: []string{"git"}}},
		{[]string{"/bin/sh", "-c", shell.EnsureUserCommand(shell.User{Name: "sim"}, "debian")}, "root", "",
			UserStep{Name: "sim"}},
		{[]string{"/bin/sh", "-c", "make"}, "sim", "/src", RunStep{Command: "make", Shell: "sh", User: "sim", Workdir: "/src"}},
		{[]string{"/bin/bash", "-eo", "pipefail", "-c", "make"}, "", "/", RunStep{Command: "make", Shell: "bash"}},
		// An install command run as another user is a setup step.
		{[]string{"/bin/sh", "-c", shell.InstallCommand(ir.Apk, []string{"git"}, shell.InstallOptions{})}, "sim", "",
			RunStep{Command: "apk add --no-cache git", Shell: "sh", User: "sim"}},
	}
	for _, tt := range tests {
		got, err := ShArgs(tt.args, tt.user, tt.dir)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.args, diff)
		}
	}
	if _, err := ShArgs([]string{"/usr/bin/make"}, "", ""); err == nil {
		t.Error("an exec without a shell was read as a step")
	}
}

func TestWords(t *testing.T) {
	s := NewScope()
	s.Set("A", ir.ParseWord("/a:$PATH"))
	got := s.Set("B", ir.ParseWord("${A}/b$$x:$HOME"))
	if want := (Var{"B", ir.ParseWord("/a:${PATH}/b$$x:${HOME}")}); !cmp.Equal(got, want) {
		t.Errorf("effective value %v, want %v", got, want)
	}
	text := "ENV X=${PATH}:$HOME:$$"
	env := MarkedEnv(text)
	if diff := cmp.Diff([]string{"HOME=" + Marker("HOME"), "PATH=" + Marker("PATH")}, env); diff != "" {
		t.Errorf("MarkedEnv (-want +got):\n%s", diff)
	}
	if got := Unmark("/x:" + Marker("PATH") + "$").String(); got != "/x:${PATH}$$" {
		t.Errorf("Unmark gave %q", got)
	}
	if got := Resolve(ir.ParseWord("/x:${PATH}:${NOPE}$$"), []string{"PATH=/bin"}); got != "/x:/bin:$" {
		t.Errorf("Resolve gave %q", got)
	}
}

func TestReadChown(t *testing.T) {
	owner, path, err := ReadChown(`chown "$(id -u 'a b'):$(id -g 'a b')" /f`)
	if err != nil || owner != "a b" || path != "/f" {
		t.Errorf("ReadChown: %q %q %v", owner, path, err)
	}
	if _, _, err := ReadChown(`chown "$(id -u a):$(id -g b)" /f`); err == nil {
		t.Error("a chown to two owners was accepted")
	}
}

func TestFoldCopyParents(t *testing.T) {
	mk := func(cmd, user string) Step { return RunStep{Command: cmd, Shell: "sh", User: user} }
	cp := func(target string, mode Mode, owner string) Step {
		return CopyStep{Source: "files/x", Target: target, Mode: mode, Owner: owner}
	}
	a, b := cp("/app/a", 0o644, ""), cp("/opt/t/b", 0o755, "sim")
	tests := []struct {
		name     string
		in, want []Step
	}{
		{"exact parents folded", []Step{mk("mkdir -p /app /opt/t", ""), a, b}, []Step{a, b}},
		{"a missing parent is kept", []Step{mk("mkdir -p /app", ""), a, b}, []Step{mk("mkdir -p /app", ""), a, b}},
		{"as another user kept", []Step{mk("mkdir -p /app /opt/t", "sim"), a, b}, []Step{mk("mkdir -p /app /opt/t", "sim"), a, b}},
		{"not before copies kept", []Step{mk("mkdir -p /app", "")}, []Step{mk("mkdir -p /app", "")}},
		{"0755 root copy needs none", []Step{mk("mkdir -p /usr/local/bin", ""), cp("/usr/local/bin/t", 0o755, "")},
			[]Step{mk("mkdir -p /usr/local/bin", ""), cp("/usr/local/bin/t", 0o755, "")}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, FoldCopyParents(tt.in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSplitScoped(t *testing.T) {
	tests := []struct {
		cmd, rest string
		vars      []Var
	}{
		{"export A=1\nexport B=\"${A}\"'/x y'\necho \"$B\"", `echo "$B"`, []Var{{Name: "A", Value: ir.ParseWord("1")}, {Name: "B", Value: ir.ParseWord("${A}/x y")}}},
		{"export A='{''{ x }}'\ntrue", "true", []Var{{Name: "A", Value: ir.ParseWord("{{ x }}")}}},
		{"export A=1; echo\ntrue", "export A=1; echo\ntrue", nil}, // not alone on its line
		{"echo\nexport A=1\ntrue", "echo\nexport A=1\ntrue", nil}, // not leading
		{"export A=$(id)\ntrue", "export A=$(id)\ntrue", nil},     // not a word envc writes
		{"export A\ntrue", "export A\ntrue", nil},                 // no value
		{"export A=1", "export A=1", nil},                         // the command itself
	}
	for _, tt := range tests {
		st := SplitScoped(RunStep{Shell: "sh", Command: tt.cmd})
		if st.Command != tt.rest || !cmp.Equal(st.Scoped, tt.vars) {
			t.Errorf("SplitScoped(%q) = %q, %v; want %q, %v", tt.cmd, st.Command, st.Scoped, tt.rest, tt.vars)
		}
	}
}
