//go:build e2e

package e2e

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
)

// fact is one thing probed in every target.
type fact struct {
	name string
	// script prints the fact's value (sh).
	script string
}

// facts lists what to probe in env's results.
func facts(env *ir.Env) []fact {
	fs := []fact{{"os-release", `. /etc/os-release && echo "$PRETTY_NAME"`}}
	for _, s := range env.Steps {
		if is, ok := s.(*ir.InstallStep); ok {
			for _, p := range is.Packages {
				fs = append(fs, fact{"package " + p, fmt.Sprintf(`dpkg-query -W -f='${Status} ${Version}' %s 2>&1`, shq(p))})
			}
		}
	}
	for _, s := range env.Steps {
		r, ok := s.(*ir.RunStep)
		switch {
		case !ok:
		case r.Pip != nil:
			// The version pip installed of each requirement, where it
			// installed it.
			py := "python3"
			if venv, ok := strings.CutPrefix(r.Pip.Location, "venv:"); ok {
				py = venv + "/bin/python3"
			}
			for _, req := range r.Pip.Requirements {
				name := compiler.PipName(req)
				fs = append(fs, fact{"pip " + r.Pip.Location + " " + name, fmt.Sprintf(`%s -m pip show %s 2>&1 | sed -n 's/^Version: //p'`, shq(py), shq(name))})
			}
		case r.Managed != nil && r.Managed.Manager == "pipx":
			// Every application pipx installed, with its version, as
			// pipx recorded it in the application's venv (what pipx list
			// shows: pipx itself writes a log under PIPX_HOME at every
			// command, which a SIF, read-only, refuses).
			fs = append(fs, fact{"pipx applications", fmt.Sprintf(`for m in %s/venvs/*/pipx_metadata.json; do python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["main_package"]; print(p["package"], p["package_version"])' "$m"; done 2>&1`, shq(r.Managed.Prefix))})
			// Every program pipx linked into its bin folder, as the run
			// user's PATH finds it.
			fs = append(fs, fact{"pipx programs", fmt.Sprintf(`for f in %s/*; do case $(readlink "$f") in %s/*) command -v "${f##*/}" || echo "${f##*/}: not on PATH";; esac; done`, shq(compiler.PipxBinDir), shq(r.Managed.Prefix))})
		}
	}
	for _, v := range env.RunEnv() {
		fs = append(fs, fact{"env " + v.Name, fmt.Sprintf(`if [ -n "${%[1]s+set}" ]; then printf '%%s' "$%[1]s"; else echo '<unset>'; fi`, v.Name)})
	}
	fs = append(fs, fact{"user", "id -un"})
	if env.Workdir != "" {
		fs = append(fs, fact{"workdir", "pwd"})
	}
	return fs
}

// rootFacts lists the facts read as root, whoever the run command runs
// as: each copied file's mode, owner and content, the mode and owner of
// each directory above it (which decide whether the run user can reach
// it), and each created user's ids, home, shell and groups.
func rootFacts(env *ir.Env) []fact {
	var fs []fact
	dirs := map[string]bool{}
	for _, s := range env.Steps {
		cs, ok := s.(*ir.CopyStep)
		if !ok {
			continue
		}
		t := shq(cs.Target)
		script := fmt.Sprintf(`stat -c '%%a %%U' %s && sha256sum < %s | cut -c1-16`, t, t)
		if cs.Stage != "" || cs.Files != nil {
			// A copy from a stage may be a folder, as a copy of a folder
			// of the build context is: its tree's names, modes, owners
			// and contents, as one digest.
			script = fmt.Sprintf(`if [ -d %[1]s ]; then stat -c '%%a %%U' %[1]s && cd %[1]s && { find . -printf '%%p %%m %%u %%y\n'; find . -type f -exec sha256sum {} +; } | LC_ALL=C sort | sha256sum | cut -c1-16; else %[2]s; fi`, t, script)
		}
		fs = append(fs, fact{"file " + cs.Target, script})
		for d := path.Dir(cs.Target); d != "/" && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
			fs = append(fs, fact{"dir " + d, fmt.Sprintf(`stat -c '%%a %%U' %s`, shq(d))})
		}
	}
	for _, s := range env.Steps {
		if us, ok := s.(*ir.UserStep); ok {
			n := shq(us.Name)
			fs = append(fs, fact{"account " + us.Name, fmt.Sprintf(`getent passwd %s | cut -d: -f3-; id -Gn %s`, n, n)})
			// The group named as the user, if any: with a gid a group
			// already holds, none is made.
			fs = append(fs, fact{"group " + us.Name, fmt.Sprintf(`if getent group %[1]s >/dev/null; then getent group %[1]s | cut -d: -f1,3; else echo none; fi`, n)})
		}
	}
	return fs
}

// probe runs every fact's script in b (the facts of fs as the run command
// runs, those of rootFacts as root) and returns the values by fact name,
// plus the run command's exit code and output when the environment has
// one.
func probe(b *built, env *ir.Env, fs []fact) (map[string]string, error) {
	vals := map[string]string{}
	if err := probeIn(b, asRunCommand, fs, vals); err != nil {
		return nil, err
	}
	if err := probeIn(b, asRoot, rootFacts(env), vals); err != nil {
		return nil, err
	}
	if env.Run != nil || env.Entrypoint != nil {
		code, out, err := runOutput(b, nil)
		if err != nil {
			return nil, err
		}
		vals["run exit"] = fmt.Sprint(code)
		vals["run output"] = out
	}
	if env.Entrypoint != nil {
		// The caller's arguments replace the default ones and follow the
		// entrypoint.
		code, out, err := runOutput(b, []string{"caller's argument"})
		if err != nil {
			return nil, err
		}
		vals["run with arguments"] = fmt.Sprintf("%d: %s", code, out)
	}
	return vals, nil
}

const sep = "\x1e"

// probeIn runs the scripts of fs in one shell in b and stores the values
// they printed, separated by sep.
func probeIn(b *built, m mode, fs []fact, vals map[string]string) error {
	var script strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&script, "( %s ) 2>&1; printf '%s'\n", f.script, sep)
	}
	r, err := b.exec(m, []string{"/bin/sh", "-c", script.String()})
	if err != nil {
		return err
	}
	parts := strings.Split(r.stdout, sep)
	if len(parts) != len(fs)+1 {
		return fmt.Errorf("%s: probe printed %d values, want %d:\n%s", b.target, len(parts)-1, len(fs), r.stdout)
	}
	for i, f := range fs {
		vals[f.name] = strings.TrimSpace(parts[i])
	}
	return nil
}

// runOutput runs the run command itself, or the entrypoint with the
// caller's arguments args, and returns its exit code and output.
func runOutput(b *built, args []string) (int, string, error) {
	r, err := b.exec(asCaller, args)
	if err != nil && r.code == 0 {
		return 0, "", err
	}
	return r.code, strings.TrimSpace(r.stdout + r.stderr), nil
}

// wantRun is the output the run command must print, by "case/env", for
// the cases that know it (the other targets are compared with docker).
var wantRun = map[string]string{
	// The suite's own application (e2e/hello_wheel.py), which pipx
	// installed from the suite's index, found on PATH.
	"pip-index/pyindex": `envc-e2e-hello 1.0 from the suite's index ["from", "the run command"]`,
}

// checkPipx returns how what pipx installed (vals, one target's) differs
// from what the spec's pipx blocks ask for: each application listed with
// its version, and its programs on the run user's PATH.
func checkPipx(env *ir.Env, vals map[string]string) []string {
	var bad []string
	for _, s := range env.Steps {
		r, ok := s.(*ir.RunStep)
		if !ok || r.Managed == nil || r.Managed.Manager != "pipx" {
			continue
		}
		listed := map[string]bool{}
		for _, l := range strings.Split(vals["pipx applications"], "\n") {
			if f := strings.Fields(l); len(f) == 2 {
				listed[pipNormal(f[0])] = true
			}
		}
		for _, req := range r.Managed.Packages {
			if name := compiler.PipName(req); !listed[pipNormal(name)] {
				bad = append(bad, fmt.Sprintf("pipx applications: %s is not listed: %q", name, vals["pipx applications"]))
			}
		}
		if p := vals["pipx programs"]; p == "" || strings.Contains(p, "not on PATH") {
			bad = append(bad, fmt.Sprintf("pipx programs: none on PATH: %q", p))
		}
	}
	return bad
}

// pipNormal is a project's name as PEP 503 compares it.
func pipNormal(name string) string {
	return strings.ToLower(pipSeparators.ReplaceAllString(name, "-"))
}

var pipSeparators = regexp.MustCompile(`[-_.]+`)

// knownBugs are differences that are envc defects not yet fixed, by
// "case/env/fact". They are printed as such and do not fail the suite;
// remove an entry once the defect is fixed (the suite says when an entry
// no longer reproduces).
var knownBugs = map[string]string{}

// knownFailures are targets that do not build because of an envc defect
// not yet fixed, by "case/env/column": the build must fail with an error
// that says says. They are printed as such and do not fail the suite.
var knownFailures = map[string]struct{ says, why string }{}

// expected names the warning rule that announces a difference of fact on
// column, when one does and the spec triggered it.
func expected(rules map[string]bool, fact, column string) string {
	emitter := emitterOf(column)
	switch {
	case fact == "user" && emitter == "singularity" && rules["singularity-user-ignored"]:
		return "singularity-user-ignored"
	case column == tVM && (strings.HasPrefix(fact, "account ") && rules["vagrant-user-uid-box:"+strings.TrimPrefix(fact, "account ")] ||
		strings.HasPrefix(fact, "group ") && rules["vagrant-user-uid-box:"+strings.TrimPrefix(fact, "group ")]):
		// The box's vagrant user holds uid and gid 1000: the user gets the
		// next free uid and, as the rule says, a group of its own.
		return "vagrant-user-uid-box"
	case strings.HasPrefix(fact, "env ") && rules["env-ref-run-time:"+strings.TrimPrefix(fact, "env ")] &&
		(emitter == "singularity" || emitter == "vagrant") && rules[emitter+"-env-ref-run-time"]:
		return emitter + "-env-ref-run-time"
	}
	return ""
}

// compare returns the facts that differ between targets, each as a line
// naming the fact and the targets; expected differences are returned
// apart.
func compare(id string, columns []string, vals map[string]map[string]string, rules map[string]bool, varies map[string]bool) (diffs, known []string) {
	names := map[string]bool{}
	for _, v := range vals {
		for k := range v {
			names[k] = true
		}
	}
	for _, name := range sortedKeys(names) {
		if varies[name] {
			continue
		}
		ref := vals[tDocker][name]
		var odd []string
		for _, t := range columns {
			if vals[t][name] != ref {
				odd = append(odd, t)
			}
		}
		bug, isBug := knownBugs[id+"/"+name]
		if len(odd) == 0 {
			if isBug {
				known = append(known, fmt.Sprintf("known bug %q no longer reproduces: remove it from knownBugs", id+"/"+name))
			}
			continue
		}
		var unexplained []string
		for _, t := range odd {
			if rule := expected(rules, name, t); rule != "" {
				known = append(known, fmt.Sprintf("%s: %s has %q, docker has %q (expected: %s)", name, t, vals[t][name], ref, rule))
			} else {
				unexplained = append(unexplained, fmt.Sprintf("%s=%q", t, vals[t][name]))
			}
		}
		if len(unexplained) > 0 && isBug {
			known = append(known, fmt.Sprintf("%s: docker=%q but %s (KNOWN BUG, not fixed yet: %s)", name, ref, strings.Join(unexplained, ", "), bug))
		} else if len(unexplained) > 0 {
			diffs = append(diffs, fmt.Sprintf("%s differs: docker=%q but %s", name, ref, strings.Join(unexplained, ", ")))
		}
	}
	return diffs, known
}

// table renders the probe table: one row per fact, one column per
// target. The docker column has the values; another column shows "=" where
// it agrees with docker, its own value where it differs.
func table(title string, columns []string, vals map[string]map[string]string, varies map[string]bool) string {
	names := map[string]bool{}
	for _, v := range vals {
		for k := range v {
			names[k] = true
		}
	}
	rows := sortedKeys(names)
	sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i]) < rank(rows[j]) })
	cell := func(s string, n int) string {
		s = ansi.ReplaceAllString(s, "")
		s = strings.Map(func(r rune) rune {
			if r == '\n' {
				return '⏎'
			}
			if r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s)
		if r := []rune(s); len(r) > n {
			s = string(r[:n-3]) + "..."
		}
		return s
	}
	cells := map[string][]string{}
	widths := map[string]int{}
	for _, t := range columns {
		limit := 28
		if t == tDocker {
			limit = 40
		}
		widths[t] = len(t)
		for _, r := range rows {
			v := vals[t][r]
			switch {
			case t != tDocker && v == vals[tDocker][r]:
				v = "="
			case varies[r] && t != tDocker:
				v = "(varies)"
			case varies[r]:
				v = cell("(varies) "+v, limit)
			default:
				v = cell(v, limit)
			}
			cells[t] = append(cells[t], v)
			widths[t] = max(widths[t], len([]rune(v)))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len([]rune(s)))) }
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", title)
	w := 10
	for _, r := range rows {
		w = max(w, len(r))
	}
	fmt.Fprintf(&b, "  %s", pad("fact", w))
	for _, t := range columns {
		fmt.Fprintf(&b, " | %s", pad(t, widths[t]))
	}
	b.WriteString("\n")
	for i, r := range rows {
		fmt.Fprintf(&b, "  %s", pad(r, w))
		for _, t := range columns {
			fmt.Fprintf(&b, " | %s", pad(cells[t][i], widths[t]))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ansi matches terminal escape sequences (neofetch, lolcat).
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func rank(fact string) int {
	for i, p := range []string{"os-release", "package ", "env ", "dir ", "file ", "user", "workdir", "run"} {
		if strings.HasPrefix(fact, p) {
			return i
		}
	}
	return 99
}

// checkAccounts returns how the accounts probed (vals, one target's)
// differ from the ids the spec asks for: each user's uid, and its
// primary group's gid, which is the asked gid even when a group of
// another name holds it.
func checkAccounts(env *ir.Env, vals map[string]string) []string {
	var bad []string
	for _, s := range env.Steps {
		us, ok := s.(*ir.UserStep)
		if !ok || (us.UID == 0 && us.GID == 0) {
			continue
		}
		fields := strings.Split(strings.SplitN(vals["account "+us.Name], "\n", 2)[0], ":")
		if len(fields) < 2 {
			bad = append(bad, fmt.Sprintf("account %s: no passwd entry: %q", us.Name, vals["account "+us.Name]))
			continue
		}
		if us.UID != 0 && fields[0] != fmt.Sprint(us.UID) {
			bad = append(bad, fmt.Sprintf("account %s: uid %s, the spec asks for %d", us.Name, fields[0], us.UID))
		}
		if us.GID != 0 && fields[1] != fmt.Sprint(us.GID) {
			bad = append(bad, fmt.Sprintf("account %s: primary gid %s, the spec asks for %d", us.Name, fields[1], us.GID))
		}
		if g := vals["group "+us.Name]; us.GID != 0 && g != "none" && g != us.Name+":"+fmt.Sprint(us.GID) {
			bad = append(bad, fmt.Sprintf("group %s: %q, not the asked gid %d", us.Name, g, us.GID))
		}
	}
	return bad
}
