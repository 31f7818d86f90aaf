package effective

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/envc-dev/envc/internal/lazyre"
	"mvdan.cc/sh/v3/syntax"
)

// parse parses src as POSIX sh.
func parse(src string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(src), "")
}

// CallArgs returns the literal argv of a simple command without
// assignments, or nil.
func CallArgs(cmd syntax.Command) []string {
	c, ok := cmd.(*syntax.CallExpr)
	if !ok || len(c.Assigns) > 0 || len(c.Args) == 0 {
		return nil
	}
	out := make([]string, len(c.Args))
	for i, w := range c.Args {
		s, err := shell.ReadLiteral(w)
		if err != nil {
			return nil
		}
		out[i] = s
	}
	return out
}

// canon returns src as a canonical sh text: `|| exit` at the end removed,
// every literal word requoted the same way, printed by mvdan.cc/sh. Two
// commands with the same canonical text run the same argv.
// It also returns the literal argv of every simple command, as calls does.
func canon(src string) (string, [][]string, error) {
	f, err := parse(src)
	if err != nil {
		return "", nil, err
	}
	if len(f.Stmts) == 1 {
		if b, ok := f.Stmts[0].Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.OrStmt {
			if args := CallArgs(b.Y.Cmd); len(args) == 1 && args[0] == "exit" {
				f.Stmts[0] = b.X
			}
		}
	}
	argvs := calls(f)
	syntax.Walk(f, func(n syntax.Node) bool {
		if w, ok := n.(*syntax.Word); ok {
			if s, err := shell.ReadLiteral(w); err == nil {
				w.Parts = []syntax.WordPart{&syntax.Lit{Value: shell.MustQuote(s)}}
				return false
			}
		}
		if a, ok := n.(*syntax.Assign); ok && a.Value != nil {
			if s, err := shell.ReadLiteral(a.Value); err == nil {
				a.Value.Parts = []syntax.WordPart{&syntax.Lit{Value: shell.MustQuote(s)}}
				return false
			}
		}
		return true
	})
	return shell.PrintNode(f), argvs, nil
}

// calls returns the literal argv of every simple command in f, in order.
func calls(f *syntax.File) [][]string {
	var out [][]string
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok {
			var args []string
			for _, w := range c.Args {
				s, err := shell.ReadLiteral(w)
				if err != nil {
					s = ""
				}
				args = append(args, s)
			}
			out = append(out, args)
		}
		return true
	})
	return out
}

// managers are the package managers with the subcommand that installs.
var managers = []struct {
	mgr ir.PackageManager
	cmd string
	sub string
}{
	{ir.Apt, "apt-get", "install"},
	{ir.Dnf, "dnf", "install"},
	{ir.Apk, "apk", "add"},
	{ir.Zypper, "zypper", "install"},
}

// ReadInstallStep reads an install command as shell.InstallCommand writes
// it (for a container or a VM, with or without recommended packages, with
// or without a final `|| exit`).
func ReadInstallStep(cmd string) (InstallStep, error) {
	got, argvs, err := canon(cmd)
	if err != nil {
		return InstallStep{}, err
	}
	for _, args := range argvs {
		for _, m := range managers {
			if len(args) == 0 || args[0] != m.cmd {
				continue
			}
			i := 1
			for i < len(args) && args[i] != m.sub {
				i++
			}
			if i == len(args) {
				continue
			}
			for i++; i < len(args) && strings.HasPrefix(args[i], "-"); i++ {
			}
			pkgs := args[i:]
			if len(pkgs) == 0 {
				continue
			}
			for _, vm := range []bool{false, true} {
				for _, rec := range []bool{false, true} {
					want, _, err := canon(shell.InstallCommand(m.mgr, pkgs, shell.InstallOptions{VM: vm, Recommends: rec}))
					if err == nil && want == got {
						return InstallStep{Manager: m.mgr, Packages: pkgs, Recommends: rec && m.mgr != ir.Apk}, nil
					}
				}
			}
		}
	}
	return InstallStep{}, fmt.Errorf("not an install command: %q", cmd)
}

// ReadEnsureUser reads shell.EnsureUserCommand or
// shell.EnsureUserIfFreeCommand (with or without a final `|| exit`) and
// returns the user it creates (for the latter, the user as it is when
// its uid is free).
func ReadEnsureUser(cmd string) (shell.User, error) {
	if m := ifFreeCommand().FindStringSubmatch(strings.TrimSuffix(strings.TrimSpace(cmd), " || exit")); m != nil {
		u, err := readEnsureUser(m[3])
		if err != nil || strconv.Itoa(u.UID) != m[1] {
			return shell.User{}, fmt.Errorf("not a user command: %q", cmd)
		}
		for _, family := range []string{"debian", "alpine"} {
			if shell.EnsureUserIfFreeCommand(u, family) == m[0] {
				return u, nil
			}
		}
		return shell.User{}, fmt.Errorf("not a user command: %q", cmd)
	}
	return readEnsureUser(cmd)
}

// ifFreeCommand matches shell.EnsureUserIfFreeCommand: the uid, the
// command without it and the command with it.
var ifFreeCommand = lazyre.New(`^if cut -d: -f3 /etc/passwd \| grep -qx ([0-9]+); then (.*); else (.*); fi$`)

func readEnsureUser(cmd string) (shell.User, error) {
	got, argvs, err := canon(cmd)
	if err != nil {
		return shell.User{}, err
	}
	if len(argvs) == 0 || len(argvs[0]) != 3 || argvs[0][0] != "id" || argvs[0][1] != "-u" {
		return shell.User{}, fmt.Errorf("not a user command: %q", cmd)
	}
	name := argvs[0][2]
	for _, family := range []string{"debian", "alpine"} {
		u := userFrom(name, family, argvs[1:])
		if want, _, err := canon(shell.EnsureUserCommand(u, family)); err == nil && want == got {
			return u, nil
		}
	}
	return shell.User{}, fmt.Errorf("not a user command: %q", cmd)
}

// userFrom gathers the user that the commands argvs (of
// shell.EnsureUserCommand for family) create; the caller checks that they
// are exactly the commands for that user.
func userFrom(name, family string, argvs [][]string) shell.User {
	u := shell.User{Name: name}
	flag := func(args []string, f string) string {
		for i := 0; i+1 < len(args); i++ {
			if args[i] == f {
				return args[i+1]
			}
		}
		return ""
	}
	num := func(s string) int {
		n, _ := strconv.Atoi(s)
		return n
	}
	for _, args := range argvs {
		switch {
		case len(args) == 0:
		case args[0] == "userdel" || args[0] == "deluser":
			u.TakeOver = true
		case family == "alpine" && args[0] == "adduser":
			u.UID, u.Home, u.Shell = num(flag(args, "-u")), flag(args, "-h"), flag(args, "-s")
		case family == "alpine" && args[0] == "addgroup" && len(args) == 4 && args[1] == "-g":
			u.GID = num(args[2])
		case args[0] == "getent" && len(args) == 3 && args[1] == "passwd":
			u.UID = num(args[2])
		case family == "alpine" && args[0] == "addgroup" && len(args) == 3 && args[1] == name:
			u.Groups = append(u.Groups, args[2])
		case family != "alpine" && args[0] == "useradd":
			u.UID, u.GID, u.Home, u.Shell = num(flag(args, "-u")), num(flag(args, "-g")), flag(args, "-d"), flag(args, "-s")
		case family != "alpine" && args[0] == "usermod" && len(args) == 4 && args[1] == "-aG" && args[3] == name:
			u.Groups = strings.Split(args[2], ",")
		}
	}
	return u
}

// ReadMkdir reads shell.MkdirCommand (with or without a final `|| exit`)
// and returns the directory and its owner ("" = root).
func ReadMkdir(cmd string) (string, string, error) {
	got, argvs, err := canon(cmd)
	if err != nil {
		return "", "", err
	}
	dir, owner := "", ""
	for _, args := range argvs {
		switch {
		case len(args) == 3 && args[0] == "mkdir" && args[1] == "-p":
			dir = args[2]
		case len(args) == 3 && args[0] == "id" && args[1] == "-u":
			owner = args[2]
		case len(args) == 3 && args[0] == "chown" && owner == "":
			if _, _, _, ok := ir.NumericUser(args[1]); ok {
				owner = args[1]
			}
		}
	}
	if dir != "" {
		want, _, err := canon(shell.MkdirCommand(dir, owner))
		if err == nil && want == got {
			return dir, owner, nil
		}
	}
	return "", "", fmt.Errorf("not a mkdir command: %q", cmd)
}

// ReadRunStep reads a run step as shell.RunStepLines writes it: a
// subshell that may change directory, then runs the command verbatim
// (after `set +e`) or hands it quoted to /bin/sh -c, /bin/bash -eo
// pipefail -c, or runuser/su -s SHELL -c COMMAND USER. src is the
// subshell's source, alone. The step's own exports and sourced scripts
// are split off its command (SplitScoped); its Env is left to the caller.
func ReadRunStep(src string) (RunStep, error) {
	st, err := ReadSubshell(src)
	if err != nil {
		return st, err
	}
	return SplitScoped(st), nil
}

// ReadSubshell is ReadRunStep leaving the command whole.
func ReadSubshell(src string) (RunStep, error) {
	f, err := parse(src)
	if err != nil {
		return RunStep{}, err
	}
	if len(f.Stmts) != 1 {
		return RunStep{}, fmt.Errorf("%d commands, want one subshell", len(f.Stmts))
	}
	sub, ok := f.Stmts[0].Cmd.(*syntax.Subshell)
	if !ok || len(sub.Stmts) == 0 || len(f.Stmts[0].Redirs) > 0 {
		return RunStep{}, fmt.Errorf("not a subshell")
	}
	st := RunStep{Shell: "sh"}
	stmts := sub.Stmts
	if b, ok := stmts[0].Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.OrStmt {
		cd, exit := CallArgs(b.X.Cmd), CallArgs(b.Y.Cmd)
		if len(cd) == 2 && cd[0] == "cd" && len(exit) == 1 && exit[0] == "exit" {
			st.Workdir = RootDir(cd[1])
			stmts = stmts[1:]
		}
	}
	if len(stmts) == 0 {
		return RunStep{}, fmt.Errorf("no command")
	}
	if args := CallArgs(stmts[0].Cmd); len(args) == 2 && args[0] == "set" && args[1] == "+e" && len(stmts[0].Redirs) == 0 {
		start := int(stmts[0].End().Offset()) + 1
		end := int(sub.Rparen.Offset()) - 1
		if start > end || src[start-1] != '\n' || src[end] != '\n' {
			return RunStep{}, fmt.Errorf("malformed verbatim command")
		}
		st.Command = src[start:end]
		return st, nil
	}
	if len(stmts) != 1 || len(stmts[0].Redirs) > 0 {
		return RunStep{}, fmt.Errorf("unexpected commands in the subshell")
	}
	args := CallArgs(stmts[0].Cmd)
	switch {
	case len(args) == 3 && args[0] == "/bin/sh" && args[1] == "-c":
		st.Command = args[2]
	case len(args) == 5 && args[0] == "/bin/bash" && args[1] == "-eo" && args[2] == "pipefail" && args[3] == "-c":
		st.Shell, st.Command = "bash", args[4]
	case len(args) == 6 && (args[0] == "runuser" || args[0] == "su") && args[1] == "-s" && args[3] == "-c":
		st.Command, st.User = args[4], RootUser(args[5])
		switch args[2] {
		case "/bin/sh":
		case "/bin/bash":
			cmd, ok := strings.CutPrefix(st.Command, shell.BashUserPrefix)
			if !ok {
				return RunStep{}, fmt.Errorf("bash step without %q", shell.BashUserPrefix)
			}
			st.Shell, st.Command = "bash", cmd
		default:
			return RunStep{}, fmt.Errorf("unknown shell %q", args[2])
		}
	default:
		return RunStep{}, fmt.Errorf("not a run command: %s", shell.PrintNode(stmts[0]))
	}
	return st, nil
}

// ShArgs reads the argv of an exec (a Dockerfile RUN, an LLB exec op) as
// a step: /bin/sh -c COMMAND is a RunStep in sh, /bin/bash -eo pipefail
// -c COMMAND one in bash, and an sh command that is an install or user
// command of envc's is an InstallStep or a UserStep. user and dir are the
// exec's ("root" and "/" are the defaults).
func ShArgs(args []string, user, dir string) (Step, error) {
	switch {
	case len(args) == 3 && args[0] == "/bin/sh" && args[1] == "-c":
		if RootUser(user) == "" && RootDir(dir) == "" {
			if st, err := ReadInstallStep(args[2]); err == nil {
				return st, nil
			}
			if u, err := ReadEnsureUser(args[2]); err == nil {
				return UserStepOf(u), nil
			}
		}
		return SplitScoped(RunStep{Command: args[2], Shell: "sh", User: RootUser(user), Workdir: RootDir(dir)}), nil
	case len(args) == 5 && args[0] == "/bin/bash" && args[1] == "-eo" && args[2] == "pipefail" && args[3] == "-c":
		return SplitScoped(RunStep{Command: args[4], Shell: "bash", User: RootUser(user), Workdir: RootDir(dir)}), nil
	}
	return nil, fmt.Errorf("an exec of %q, not a shell command", args)
}

// SplitScoped returns st with the lines that start its command and say
// what shell.StepCommand writes before a step's own command (the scripts
// it sources, then the exports of its own variables) moved into Sourced
// and Scoped. Every view applies it, so a command that starts with such
// lines of its own reads the same in all of them.
func SplitScoped(st RunStep) RunStep {
	st.Command, st.Sourced, st.Scoped = splitScoped(st.Command, true, st.Sourced, st.Scoped)
	return st
}

// splitScoped moves the leading source lines (when sources is set) and
// then export lines of src onto sourced and scoped, and returns what
// remains of src.
func splitScoped(src string, sources bool, sourced []string, scoped []Var) (string, []string, []Var) {
	cut := 0
	for sources {
		nl := strings.IndexByte(src[cut:], '\n')
		if nl < 0 {
			break
		}
		if src[cut:cut+nl] == shell.ShellcheckSourced {
			cut += nl + 1
			continue
		}
		file, ok := readSourceLine(src[cut : cut+nl])
		if !ok {
			break
		}
		sourced = append(sourced, file)
		cut += nl + 1
	}
	for {
		nl := strings.IndexByte(src[cut:], '\n')
		if nl < 0 {
			break
		}
		line := src[cut : cut+nl]
		// A line on its own: bash's parser reads export as a declaration
		// (POSIX sh's reads it as a plain command).
		f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(line), "")
		if err != nil || len(f.Stmts) != 1 {
			break
		}
		stmt := f.Stmts[0]
		d, ok := stmt.Cmd.(*syntax.DeclClause)
		if !ok || d.Variant.Value != "export" || len(d.Args) != 1 || len(stmt.Redirs) > 0 || stmt.Negated || stmt.Background ||
			d.Args[0].Naked || d.Args[0].Name == nil || d.Args[0].Value == nil || d.Args[0].Append || d.Args[0].Index != nil {
			break
		}
		w, err := shell.ReadWord(d.Args[0].Value)
		if err != nil {
			break
		}
		scoped = append(scoped, Var{Name: d.Args[0].Name.Value, Value: Canonical(w)})
		cut += nl + 1
	}
	return src[cut:], sourced, scoped
}

// readSourceLine reads shell.SourceLine back: the file it sources.
func readSourceLine(line string) (string, bool) {
	f, err := parse(line)
	if err != nil || len(f.Stmts) != 1 {
		return "", false
	}
	ifc, ok := f.Stmts[0].Cmd.(*syntax.IfClause)
	if !ok || len(ifc.Cond) != 1 || len(ifc.Then) != 1 || ifc.Else != nil || len(f.Stmts[0].Redirs) > 0 {
		return "", false
	}
	cond, then := CallArgs(ifc.Cond[0].Cmd), CallArgs(ifc.Then[0].Cmd)
	if len(cond) != 4 || cond[0] != "[" || cond[1] != "-f" || cond[3] != "]" || len(then) != 2 || then[0] != "." || then[1] != cond[2] {
		return "", false
	}
	return cond[2], true
}

// UserStepOf returns the view's step for a user command.
func UserStepOf(u shell.User) UserStep {
	return UserStep{Name: u.Name, UID: u.UID, GID: u.GID, Home: u.Home, LoginShell: u.Shell, Groups: u.Groups, TakeOver: u.TakeOver}
}

// FoldCopyParents removes from steps each run step that creates, as
// root, exactly the parent directories (shell.ParentDirs) of the copies
// that follow it: the Dockerfile and the LLB graph create them so that
// BuildKit does not give them the copied file's mode, and the copy step
// of the effective view includes its parents.
func FoldCopyParents(steps []Step) []Step {
	out := steps[:0:0]
	for i, s := range steps {
		if r, ok := s.(RunStep); ok && r.Shell == "sh" && r.User == "" && len(r.Scoped) == 0 && len(r.Sourced) == 0 && r.Command == parentsBefore(steps[i+1:]) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// parentsBefore returns shell.ParentsCommand of the copies that start
// steps, and "" when none needs its parent made.
func parentsBefore(steps []Step) string {
	var dests []shell.CopyDest
	for _, s := range steps {
		c, ok := s.(CopyStep)
		if !ok {
			break
		}
		dests = append(dests, shell.CopyDest{Target: c.Target, Mode: uint32(c.Mode), Owner: c.Owner})
	}
	dirs := shell.ParentDirs(dests)
	if len(dirs) == 0 {
		return ""
	}
	return shell.ParentsCommand(dirs)
}

// ScriptStep is one step of a script that runs every step in one shell
// (bootstrap.sh, a definition file's %post), as a target's reader found
// it: its kind (shell.KindInstall and the others), its source, an env
// step's exports (values as written), and a copy step as the target read
// it (each target stages its files its own way).
type ScriptStep struct {
	Kind    string
	Script  string
	Exports []Var
	Copy    *CopyStep
	// Platforms are those the step's guard (shell.MachineGuard) names,
	// which the reader took off Script; nil for a step of every platform.
	Platforms []string
}

// ScriptSteps reads the steps of one script, in order: installs, users
// and folders by meaning with the shared readers, a run step's subshell
// with ReadRunStep, and the exports of env steps accumulating as they do
// in the one shell that runs the script (each run step sees them all).
func ScriptSteps(steps []ScriptStep) ([]Step, error) {
	return ScriptStepsFor(steps, "")
}

// ScriptStepsFor is ScriptSteps as a machine of platform runs the
// script: a step whose guard names other platforms is left out, and one
// whose guard names platform is read as a step of every platform ("" for
// every platform: ScriptSteps).
func ScriptStepsFor(steps []ScriptStep, platform string) ([]Step, error) {
	var out []Step
	scope := NewScope()
	for i, st := range steps {
		if platform != "" && st.Platforms != nil {
			if !slices.Contains(st.Platforms, platform) {
				continue
			}
			st.Platforms = nil
		}
		s, err := scriptStep(st, scope)
		if err != nil {
			return nil, fmt.Errorf("step %d (%s): %w", i+1, st.Kind, err)
		}
		out = append(out, WithPlatforms(s, st.Platforms))
	}
	return out, nil
}

func scriptStep(st ScriptStep, scope *Scope) (Step, error) {
	switch st.Kind {
	case shell.KindInstall:
		s, err := ReadInstallStep(st.Script)
		if err != nil {
			return nil, Errorf("packages", "%v", err)
		}
		return s, nil
	case shell.KindCopy:
		if st.Copy == nil {
			return nil, Errorf("file", "a copy step the target did not read")
		}
		return *st.Copy, nil
	case shell.KindEnv:
		var s EnvStep
		for _, v := range st.Exports {
			s.Vars = append(s.Vars, scope.Set(v.Name, v.Value))
		}
		return s, nil
	case shell.KindRun:
		s, err := ReadRunStep(st.Script)
		if err != nil {
			return nil, Errorf("setup", "%v", err)
		}
		s.Env = scope.Vars()
		return s, nil
	case shell.KindUser:
		u, err := ReadEnsureUser(st.Script)
		if err != nil {
			return nil, Errorf("user", "%v", err)
		}
		return UserStepOf(u), nil
	case shell.KindWorkdir:
		dir, owner, err := ReadMkdir(st.Script)
		if err != nil {
			return nil, Errorf("workdir", "%v", err)
		}
		return WorkdirStep{Path: dir, Owner: RootOwner(owner)}, nil
	}
	return nil, fmt.Errorf("unknown step kind %q", st.Kind)
}
