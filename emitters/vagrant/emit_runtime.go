package vagrant

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// runtimeLines returns the commands of bootstrap.sh that set up run time:
// the profile script with the environment's variables (or its removal),
// the labels file, and the run wrapper. Each file is written whole by a
// quoted here-document, so its text reaches the file unexpanded.
func (e *emission) runtimeLines() []string {
	var lines []string
	profile := shell.MustQuote(e.paths.Profile)
	if body := e.profile(); body != "" {
		lines = append(lines, writeFile(e.paths.Profile, body, "0644")...)
	} else {
		lines = append(lines, "rm -f "+profile)
	}
	if body := e.labelsJSON(); body != "" {
		lines = append(lines, writeFile(e.paths.Labels, body, "0644")...)
	}
	lines = append(lines, writeFile(e.paths.Wrapper, e.wrapper(), "0755")...)
	return lines
}

// profile returns the login-shell script that exports the run environment (ir.Env.RunEnv), or "" when
// the environment has no variables. Login shells source it from
// /etc/profile; the run wrapper sources it itself (`vagrant ssh -c` does
// not start a login shell). References such as ${PATH} expand when it is
// sourced.
//
// It then sources the environment's source scripts where they exist, so
// that `vagrant ssh` shells see what the run command sees; in bash alone
// (BashGuard) when the environment's shell is bash.
func (e *emission) profile() string {
	if len(e.env.RunEnv()) == 0 && len(e.env.Source) == 0 && !hasDefaults(e.env) {
		return ""
	}
	lines := []string{strings.TrimSuffix(emitters.Header("# ", e.env), "\n")}
	n := len(e.diags)
	vars, ok := shell.RunEnvLines(e.env, e.exportLines)
	if !ok {
		e.diags = append(e.diags, emitters.Errorf(e.env.PlatformsRange, "Platform without a machine name",
			"The vagrant target sets a value per platform by the machine's name (uname -m), and one of %v has none it knows.", e.env.Platforms))
	}
	lines = append(lines, vars...)
	// The run command's own variables: the caller's value (given in the
	// command, vagrant ssh passes none), else the default.
	for _, v := range e.env.RunVars {
		if !v.Required {
			lines = append(lines, shell.DefaultLines(v.Name, v.Value)...)
		}
	}
	bash := e.env.Shell == "bash" && len(e.env.Source) > 0
	if bash {
		// Scripts for bash: a login shell that is not bash (BusyBox ash
		// on Alpine) skips them.
		lines = append(lines, BashGuard)
	}
	for _, f := range e.env.Source {
		if bash {
			lines = append(lines, "  "+shell.ShellcheckSourced, "  "+shell.SourceLine(f))
		} else {
			lines = append(lines, shell.ShellcheckSourced, shell.SourceLine(f))
		}
	}
	if bash {
		lines = append(lines, "fi")
	}
	if len(e.diags) > n {
		return ""
	}
	if bash && e.env.Distro != nil && e.env.Distro.Family == "alpine" {
		e.diags = append(e.diags, emitters.RuleVagrantSourceLoginShell.Warn(e.env.ShellRange, strings.Join(e.env.Source, ", ")))
	}
	return strings.Join(lines, "\n") + "\n"
}

// BashGuard opens the block of the profile script that sources the
// scripts of an environment whose shell is bash: only a bash login shell
// runs it.
const BashGuard = `if [ -n "${BASH_VERSION:-}" ]; then`

// labelsJSON returns the labels as one JSON object, keys in author order,
// or "" when there are none.
func (e *emission) labelsJSON() string {
	if len(e.env.Labels) == 0 {
		return ""
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, l := range e.env.Labels {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(l.Key))
		b.WriteByte(':')
		b.Write(jsonString(l.Value))
	}
	b.WriteString("}\n")
	return b.String()
}

func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// wrapper returns the run wrapper: it runs itself again as the run user
// (root when the spec names none) through sudo, which every Vagrant box
// has, sources the profile, changes to the working directory, then runs
// the caller's arguments or the run command. Without a run command and
// without arguments it does nothing.
func (e *emission) wrapper() string {
	env := e.env
	user := env.User
	if user == "" {
		user = "root"
	}
	test, want, sudo := switchUser(user)
	u := e.word(want, env.UserRange, "user")
	interp := "#!/bin/sh"
	if env.Shell == "bash" {
		// It sources the profile, and so the scripts, in bash.
		interp = "#!/bin/bash"
	}
	lines := []string{
		interp,
		strings.TrimSuffix(emitters.Header("# ", env), "\n"),
		"# Runs the environment's command, or the command given as arguments, as its user,",
		"# in its working directory, with its variables: vagrant ssh -c " + WrapperName(env.Name),
		`if [ ` + test + ` != ` + u + ` ]; then`,
		"  exec sudo " + shell.Join(sudo) + " -H -- " + shell.MustQuote(e.paths.Wrapper) + ` "$@"`,
		"fi",
	}
	if len(env.RunEnv()) > 0 || hasDefaults(env) {
		lines = append(lines,
			"# shellcheck source=/dev/null",
			". "+shell.MustQuote(e.paths.Profile))
	}
	if env.Workdir != "" {
		lines = append(lines, "cd "+e.word(env.Workdir, env.WorkdirRange, "working directory")+" || exit")
	}
	entry := ""
	if env.Entrypoint != nil && e.shellSafe(env.EntrypointRange, "entrypoint argument", env.Entrypoint...) {
		entry = shell.Join(env.Entrypoint)
	}
	lines = append(lines, shell.ArgsLine(entry))
	if env.Run != nil && !e.shellSafe(env.RunRange, "run argument", env.Run...) {
		return ""
	}
	if argv := append(append([]string{}, env.Entrypoint...), env.Run...); len(argv) > 0 {
		// shellcheck knows that sh -c '...' expands its argument, not that an
		// entrypoint's argument may.
		if env.Entrypoint != nil && shell.HasExpansion(argv...) {
			lines = append(lines, shell.ShellcheckQuotedCommand)
		}
		lines = append(lines, "exec "+shell.Join(argv))
	}
	return strings.Join(lines, "\n") + "\n"
}

// switchUser returns how the run wrapper tells whether user runs it (the
// word that prints who runs it, and the value it must print) and the
// options that make sudo run as user: a name, or ids (ir.NumericUser),
// which sudo takes after '#'.
func switchUser(user string) (test, want string, sudo []string) {
	uid, gid, hasGID, ok := ir.NumericUser(user)
	switch {
	case !ok:
		return `"$(id -un)"`, user, []string{"-u", user}
	case hasGID:
		return `"$(id -u):$(id -g)"`, user, []string{"-u", "#" + strconv.Itoa(uid), "-g", "#" + strconv.Itoa(gid)}
	}
	return `"$(id -u)"`, user, []string{"-u", "#" + strconv.Itoa(uid)}
}

// writeFile returns the commands that write body to path (creating its
// folder) with mode.
func writeFile(path, body, mode string) []string {
	p := shell.MustQuote(path)
	delim := delimiter(body)
	return []string{
		"mkdir -p " + shell.MustQuote(parentDir(path)),
		"cat > " + p + " <<'" + delim + "'\n" + body + delim,
		"chmod " + mode + " " + p,
	}
}

// delimiter returns a here-document delimiter that no line of body equals.
func delimiter(body string) string {
	lines := strings.Split(body, "\n")
	d := "ENVC_EOF"
	for n := 1; ; n++ {
		clash := false
		for _, l := range lines {
			if l == d {
				clash = true
				break
			}
		}
		if !clash {
			return d
		}
		d = "ENVC_EOF_" + strings.Repeat("X", n)
	}
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// hasDefaults reports whether env has a run_env variable with a default,
// which the profile script sets.
func hasDefaults(env *ir.Env) bool {
	for _, v := range env.RunVars {
		if !v.Required {
			return true
		}
	}
	return false
}
