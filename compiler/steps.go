package compiler

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"mvdan.cc/sh/v3/syntax"
)

// lowerSteps lowers e's step blocks, in order, onto env.Steps, after v1's
// shorthand. targets holds the copy targets seen so far. A user that the
// spec creates (the run user, env.User, and each user block) is created
// before the first step that runs as it or copies a file it owns; users
// no step needs are created after the steps, in declaration order, the
// run user last, as in v1.
//
// made holds the users that exist already (created by the environment env
// is built on); lowerSteps adds those it creates.
func lowerSteps(ev *evaluator, e *schema.Environment, env *ir.Env, opts Options, targets map[string]hcl.Range, recommends bool, made map[string]bool, diags *hcl.Diagnostics) {
	declared := lowerUsers(ev, e, diags)
	created := map[string]bool{}
	create := func(name string) {
		made[name], created[name] = true, true
		step := &ir.UserStep{Name: name, Range: env.UserRange}
		if d, ok := declared[name]; ok {
			step = d
		}
		env.Steps = append(env.Steps, step)
	}
	runUser := env.User
	if runUser == "root" {
		runUser = ""
	}
	// ensure makes sure user exists before the step that needs it.
	ensure := func(user string, rng hcl.Range) {
		switch {
		case user == "" || user == "root" || made[user]:
		case user == runUser || declared[user] != nil:
			create(user)
		default:
			*diags = append(*diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Step user not created by the spec",
				Detail: fmt.Sprintf("envc creates only the run user (the environment's user attribute) and the users of user blocks, so %q must come with the base image or "+
					"from an earlier step; otherwise every target fails at this step. Add a user block for %q, or create it in an earlier step.", user, user),
				Subject: rng.Ptr(),
			})
		}
	}
	homes := homesOf(env, declared)
	for _, s := range env.Steps {
		if c, ok := s.(*ir.CopyStep); ok {
			warnCopyIntoLaterHome(c, homes, made, true, diags) // v1's file blocks
		}
	}
	for _, st := range e.Steps {
		steps := lowerStep(ev, st, e, env, opts, targets, recommends, ensure, diags)
		if len(steps) == 0 {
			continue
		}
		for _, s := range steps {
			if c, ok := s.(*ir.CopyStep); ok {
				warnCopyIntoLaterHome(c, homes, made, false, diags)
			}
		}
		if ts, ok := stepTargets(ev, st, opts, diags); ok {
			for _, s := range steps {
				limitStep(s, ts)
			}
		}
		env.Steps = append(env.Steps, steps...)
	}
	for _, u := range e.Users {
		if d := declared[u.Name]; d != nil && made[u.Name] && !created[u.Name] {
			*diags = append(*diags, errorAt(u.NameRange, "User already created",
				"The user %q is created by %s, which this %s builds on; a user's attributes cannot change afterwards. Remove this user block, or change the user there.", u.Name, exprText(e.From), kindOf(e)))
			continue
		}
		if d := declared[u.Name]; d != nil && !made[u.Name] && u.Name != runUser {
			create(u.Name)
		}
	}
	if runUser != "" && !made[runUser] {
		create(runUser)
	}
}

// homesOf returns the home of each user the spec creates: the run user and
// the users of user blocks.
// The names are sorted, so that warnings come in a fixed order.
func homesOf(env *ir.Env, declared map[string]*ir.UserStep) []userHome {
	homes := map[string]string{}
	if env.User != "" && env.User != "root" {
		homes[env.User] = "/home/" + env.User
	}
	for name, u := range declared {
		homes[name] = "/home/" + name
		if u.Home != "" {
			homes[name] = u.Home
		}
	}
	out := make([]userHome, 0, len(homes))
	for _, name := range slices.Sorted(maps.Keys(homes)) {
		out = append(out, userHome{name, homes[name]})
	}
	return out
}

// userHome is a user and its home directory.
type userHome struct{ name, home string }

// warnCopyIntoLaterHome warns when c copies into the home of a user the
// spec creates later: the copy makes the home (as root's), and creating
// the user then leaves it as it is, so the user cannot write its own home.
// fileBlock says c comes from a file block, which has no owner.
func warnCopyIntoLaterHome(c *ir.CopyStep, homes []userHome, made map[string]bool, fileBlock bool, diags *hcl.Diagnostics) {
	for _, h := range homes {
		name, home := h.name, h.home
		if made[name] || !strings.HasPrefix(c.Target, home+"/") {
			continue
		}
		fix := fmt.Sprintf("Copy the file in a step after one that runs as %q, or give the copy owner = %q.", name, name)
		if fileBlock {
			fix = fmt.Sprintf("Copy it with a copy block in a step instead, with owner = %q (the user is then created first), or after a step that runs as %q.", name, name)
		}
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "File copied into a home created later",
			Detail: fmt.Sprintf("%s is in the home of %q, which is created after this step: the copy creates %s as root's, and creating the user leaves it so, "+
				"so %q cannot write its own home. %s", c.Target, name, home, name, fix),
			Subject: c.Range.Ptr(),
		})
	}
}

// warnCopyIntoLaterFolder warns at each copy into a folder that a later
// step creates for a user (a workdir owned by the run user or a step's
// user): the copy creates the folder as root's, and the later step,
// finding it, leaves it so, so the user cannot write it.
func warnCopyIntoLaterFolder(steps []ir.Step, diags *hcl.Diagnostics) {
	for i, s := range steps {
		c, ok := s.(*ir.CopyStep)
		if !ok {
			continue
		}
	later:
		for _, later := range steps[i+1:] {
			if u, ok := later.(*ir.UserStep); ok {
				home := u.Home
				if home == "" {
					home = "/home/" + u.Name
				}
				if strings.HasPrefix(c.Target, home+"/") {
					break later // a copy into a later home, warned about as such
				}
			}
			w, ok := later.(*ir.WorkdirStep)
			if !ok || w.Owner == "" || !strings.HasPrefix(c.Target, w.Path+"/") || madeBefore(steps[:i], w.Path) {
				continue
			}
			*diags = append(*diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "File copied into a folder created later",
				Detail: fmt.Sprintf("%s is in %s, which a later step creates for %q (%s): the copy creates %s as root's first, and the later step leaves it so, "+
					"so %q cannot write it (a copy's owner owns the file, not the folders it creates). Create the folder first, with a step that runs as %q with workdir = %q.", c.Target, w.Path, w.Owner, w.Range, w.Path, w.Owner, w.Owner, w.Path),
				Subject: c.Range.Ptr(),
			})
			break
		}
	}
}

// madeBefore reports whether one of steps already makes the folder dir
// (or, copying into it, gets its own warning).
func madeBefore(steps []ir.Step, dir string) bool {
	for _, s := range steps {
		switch s := s.(type) {
		case *ir.CopyStep:
			if strings.HasPrefix(s.Target, dir+"/") {
				return true
			}
		case *ir.WorkdirStep:
			if s.Path == dir || strings.HasPrefix(s.Path, dir+"/") {
				return true
			}
		case *ir.UserStep:
			if h := s.Home; h == dir || strings.HasPrefix(h, dir+"/") || (h == "" && "/home/"+s.Name == dir) {
				return true
			}
		}
	}
	return false
}

// lowerUsers evaluates the user blocks into the steps that create them.
func lowerUsers(ev *evaluator, e *schema.Environment, diags *hcl.Diagnostics) map[string]*ir.UserStep {
	users := map[string]*ir.UserStep{}
	seen := map[string]hcl.Range{}
	for _, b := range e.Users {
		if prev, dup := seen[b.Name]; dup {
			*diags = append(*diags, errorAt(b.NameRange, "Duplicate user block", "The user %q is already declared at %s. Merge the two blocks.", b.Name, prev))
			continue
		}
		seen[b.Name] = b.NameRange
		if !userPattern.MatchString(b.Name) || b.Name == "root" {
			*diags = append(*diags, errorAt(b.NameRange, "Invalid user name",
				"%q is not a user envc can create: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_' (and not root).", b.Name))
			continue
		}
		u := &ir.UserStep{Name: b.Name, Range: b.DeclRange}
		ok := true
		id := func(a *hcl.Attribute, what string) int {
			if a == nil {
				return 0
			}
			n, moreDiags := ev.integer(a.Expr, what)
			*diags = append(*diags, moreDiags...)
			if moreDiags.HasErrors() {
				ok = false
				return 0
			}
			if n < 1 || n > 2147483646 {
				*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid "+what,
					"The %s must be between 1 and 2147483646 (0 is root's); leave it out to let the system choose.", what))
				ok = false
			}
			return n
		}
		absPath := func(a *hcl.Attribute, what string) string {
			if a == nil {
				return ""
			}
			s, moreDiags := ev.str(a.Expr, what)
			*diags = append(*diags, moreDiags...)
			if moreDiags.HasErrors() || !checkAbs(s, a.Expr.Range(), what, diags) {
				ok = false
				return ""
			}
			if why := valueProblem(s, false); why != "" || strings.ContainsAny(s, ":,") {
				if why == "" {
					why = "holds ':' or ','"
				}
				*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid "+what, "The %s %s, which the user database cannot hold. Change it.", what, why))
				ok = false
			}
			return path.Clean(s)
		}
		u.UID = id(b.UID, "uid")
		u.GID = id(b.GID, "gid")
		u.Home = absPath(b.Home, "home")
		u.Shell = absPath(b.Shell, "shell")
		if b.Groups != nil {
			items, moreDiags := ev.strList(b.Groups.Expr, "groups")
			*diags = append(*diags, moreDiags...)
			for _, it := range items {
				if !userPattern.MatchString(it.Value) || strings.HasSuffix(it.Value, "$") {
					*diags = append(*diags, errorAt(it.Range, "Invalid group name",
						"%q is not a portable group name: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", it.Value))
					ok = false
					continue
				}
				if !slices.Contains(u.Groups, it.Value) {
					u.Groups = append(u.Groups, it.Value)
				}
			}
		}
		if ok {
			users[b.Name] = u
		}
	}
	return users
}

// lowerStep lowers one step block to the IR steps it stands for.
func lowerStep(ev *evaluator, st *schema.Step, e *schema.Environment, env *ir.Env, opts Options, targets map[string]hcl.Range,
	recommends bool, ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
	if st.Pip != nil {
		return lowerPip(ev, st, ensure, diags)
	}
	actions := 0
	for _, set := range []bool{st.Run != nil, st.Packages != nil, len(st.Copy) > 0} {
		if set {
			actions++
		}
	}
	if actions != 1 {
		*diags = append(*diags, errorAt(st.DeclRange, "Step needs one action",
			"A step does one thing: give it exactly one of run, packages or a copy block. Split it into several steps."))
		return nil
	}
	if len(st.Copy) > 1 {
		*diags = append(*diags, errorAt(st.Copy[1].DeclRange, "Several copy blocks in a step",
			"A step copies one file. Put each copy block in its own step."))
		return nil
	}
	if st.Run == nil {
		for _, a := range []*hcl.Attribute{st.Shell, st.User, st.Workdir, st.Env} {
			if a != nil {
				*diags = append(*diags, errorAt(a.NameRange, "Attribute of a run step",
					"%s applies to a step that runs a command (run = ...). Remove it, or make this step a run step.", a.Name))
				return nil
			}
		}
	}
	if st.Packages == nil && st.Recommends != nil {
		*diags = append(*diags, errorAt(st.Recommends.NameRange, "Attribute of a packages step",
			"recommends applies to a step that installs packages (packages = [...]). Remove it, or set it on the environment."))
		return nil
	}
	switch {
	case st.Packages != nil:
		if st.Recommends != nil {
			b, moreDiags := ev.boolean(st.Recommends.Expr, "recommends")
			*diags = append(*diags, moreDiags...)
			recommends = b
		}
		items, moreDiags := ev.strList(st.Packages.Expr, "packages")
		*diags = append(*diags, moreDiags...)
		install, moreDiags := installStep(env, e.OS != nil, items, st.Packages.Expr.Range())
		*diags = append(*diags, moreDiags...)
		if install != nil {
			install.Recommends = recommends
			return []ir.Step{install}
		}
		return nil
	case len(st.Copy) == 1:
		return lowerCopy(ev, st.Copy[0], env, opts, targets, ensure, diags)
	}
	return lowerRun(ev, st, ensure, diags)
}

// limitStep makes s a step of the targets ts alone.
func limitStep(s ir.Step, ts []string) {
	switch s := s.(type) {
	case *ir.InstallStep:
		s.Targets = ts
	case *ir.CopyStep:
		s.Targets = ts
	case *ir.EnvStep:
		s.Targets = ts
	case *ir.RunStep:
		s.Targets = ts
	case *ir.UserStep:
		s.Targets = ts
	case *ir.WorkdirStep:
		s.Targets = ts
	}
}

// lowerCopy lowers a copy block.
func lowerCopy(ev *evaluator, c *schema.Copy, env *ir.Env, opts Options, targets map[string]hcl.Range,
	ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
	if c.From != nil {
		return lowerStageCopy(ev, c, env, targets, ensure, diags)
	}
	owner, ok := stepUser(ev, c.Owner, "owner", diags)
	if !ok {
		return nil
	}
	step, cf, moreDiags := lowerFile(ev, &schema.File{Source: c.Source, Target: c.Target, Mode: c.Mode, DeclRange: c.DeclRange}, opts, targets)
	*diags = append(*diags, moreDiags...)
	if step == nil {
		return nil
	}
	if owner != "" {
		ensure(owner, c.Owner.Expr.Range())
		step.Owner = owner
	}
	env.ContextFiles = append(env.ContextFiles, cf)
	return []ir.Step{step}
}

// stepUser evaluates a user attribute of a step (a == nil: none) and
// returns the user, "" for root; ok is false when it is not a user name.
func stepUser(ev *evaluator, a *hcl.Attribute, what string, diags *hcl.Diagnostics) (string, bool) {
	if a == nil {
		return "", true
	}
	s, moreDiags := ev.str(a.Expr, what)
	*diags = append(*diags, moreDiags...)
	switch {
	case moreDiags.HasErrors():
		return "", false
	case !userPattern.MatchString(s):
		*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid user name",
			"%q is not a portable user name: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", s))
		return "", false
	case s == "root":
		return "", true
	}
	return s, true
}

// lowerRun lowers a step that runs a command: a WorkdirStep first when it
// names a directory (created, owned by the step's user, where missing, as
// Docker's WORKDIR does), then the RunStep.
func lowerRun(ev *evaluator, st *schema.Step, ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
	cmd, moreDiags := ev.str(st.Run.Expr, "step command")
	*diags = append(*diags, moreDiags...)
	ok := !moreDiags.HasErrors()
	shell := "sh"
	if st.Shell != nil {
		s, moreDiags := ev.str(st.Shell.Expr, "shell")
		*diags = append(*diags, moreDiags...)
		switch {
		case moreDiags.HasErrors():
			ok = false
		case s == "sh" || s == "bash":
			shell = s
		default:
			*diags = append(*diags, errorAt(st.Shell.Expr.Range(), "Unknown shell",
				"%q is not a shell envc runs steps with: use \"sh\" (the default) or \"bash\" (run with -eo pipefail).", s))
			ok = false
		}
	}
	user, userOK := stepUser(ev, st.User, "user", diags)
	ok = ok && userOK
	dir := ""
	if st.Workdir != nil {
		s, moreDiags := ev.str(st.Workdir.Expr, "workdir")
		*diags = append(*diags, moreDiags...)
		rng := st.Workdir.Expr.Range()
		switch {
		case moreDiags.HasErrors():
			ok = false
		case !checkAbs(s, rng, "workdir", diags):
			ok = false
		default:
			if why := valueProblem(s, false); why != "" {
				*diags = append(*diags, errorAt(rng, "Invalid character", "The workdir %s. Change the value.", why))
				ok = false
			} else if s = path.Clean(s); s != "/" {
				dir = s
			}
		}
	}
	var vars []ir.EnvVar
	if st.Env != nil {
		items, moreDiags := ev.strMap(st.Env.Expr, "step env")
		*diags = append(*diags, moreDiags...)
		seen := map[string]hcl.Range{}
		for _, it := range items {
			switch prev, dup := seen[it.Key]; {
			case !ir.ValidName(it.Key):
				*diags = append(*diags, errorAt(it.KeyRange, "Invalid environment variable name",
					"%q is not a valid variable name: use letters, digits and underscores, not starting with a digit.", it.Key))
				ok = false
			case dup:
				*diags = append(*diags, errorAt(it.KeyRange, "Duplicate environment variable", "The variable %q was already set at %s.", it.Key, prev))
				ok = false
			default:
				seen[it.Key] = it.KeyRange
				if why := valueProblem(it.Value, false); why != "" {
					*diags = append(*diags, errorAt(it.Range, "Invalid character", "The value of %s %s. Change the value.", it.Key, why))
					ok = false
					continue
				}
				vars = append(vars, ir.EnvVar{Name: it.Key, Value: ir.ParseWord(it.Value), Range: it.Range})
			}
		}
	}
	if ok {
		if diag := shellCommandProblem(cmd, st.Run.Expr.Range(), "step command", shell == "bash"); diag != nil {
			*diags = append(*diags, diag)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	if st.User != nil {
		ensure(user, st.User.Expr.Range())
	}
	var out []ir.Step
	if dir != "" {
		out = append(out, &ir.WorkdirStep{Path: dir, Owner: user, Range: st.Workdir.Expr.Range()})
	}
	return append(out, &ir.RunStep{Command: cmd, Shell: shell, User: user, Workdir: dir, Env: vars, Range: st.Run.Expr.Range()})
}

// pipPattern matches a pip requirement envc carries: a name with extras
// and version constraints, no URL, path or shell character.
var pipPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?([<>=!~]=?=?[A-Za-z0-9.*+!_-]+(,[<>=!~]=?=?[A-Za-z0-9.*+!_-]+)*)?$`)

// lowerPip lowers a pip block to a run step: `python3 -m pip install` of
// the packages, into a virtual environment made first when venv is set,
// otherwise into the system's Python (with --user for a user other than
// root). PIP_BREAK_SYSTEM_PACKAGES lets pip install outside a venv where
// the distribution marks its Python as externally managed (PEP 668); older
// pips ignore it.
func lowerPip(ev *evaluator, st *schema.Step, ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
	p := st.Pip
	if p.Packages == nil {
		return nil
	}
	items, moreDiags := ev.strList(p.Packages.Expr, "pip packages")
	*diags = append(*diags, moreDiags...)
	ok := !moreDiags.HasErrors()
	var pkgs []string
	for _, it := range items {
		if !pipPattern.MatchString(it.Value) || len(it.Value) > 256 {
			*diags = append(*diags, errorAt(it.Range, "Invalid pip requirement",
				"%q is not a requirement envc installs with pip: write a name with optional extras and versions, e.g. \"numpy==1.26.4\" or \"meshio[all]>=5\" (no URLs, paths or options).", it.Value))
			ok = false
			continue
		}
		pkgs = append(pkgs, it.Value)
	}
	if ok && len(pkgs) == 0 {
		*diags = append(*diags, errorAt(p.Packages.Expr.Range(), "No pip packages", "The pip block installs nothing. List packages, or remove it."))
		ok = false
	}
	user, userOK := stepUser(ev, p.User, "user", diags)
	ok = ok && userOK
	venv := ""
	if p.Venv != nil {
		s, moreDiags := ev.str(p.Venv.Expr, "venv")
		*diags = append(*diags, moreDiags...)
		switch {
		case moreDiags.HasErrors() || !checkAbs(s, p.Venv.Expr.Range(), "venv", diags):
			ok = false
		default:
			if why := valueProblem(s, false); why != "" {
				*diags = append(*diags, errorAt(p.Venv.Expr.Range(), "Invalid character", "The venv %s. Change it.", why))
				ok = false
			}
			venv = path.Clean(s)
		}
	}
	if !ok {
		return nil
	}
	quoted := make([]string, len(pkgs))
	for i, p := range pkgs {
		quoted[i] = shQuote(p)
	}
	var cmd string
	switch {
	case venv != "":
		v := shQuote(venv)
		cmd = "python3 -m venv " + v + " && " + shQuote(venv+"/bin/pip") + " install --no-cache-dir " + strings.Join(quoted, " ")
	case user != "":
		cmd = "PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --user " + strings.Join(quoted, " ")
	default:
		cmd = "PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir " + strings.Join(quoted, " ")
	}
	if user != "" {
		ensure(user, p.User.Expr.Range())
	}
	return []ir.Step{&ir.RunStep{Command: cmd, Shell: "sh", User: user, Range: st.DeclRange}}
}

// sourcePattern matches a script path envc sources: absolute, and plain
// enough to stand unquoted in every target's scripts.
var sourcePattern = regexp.MustCompile(`^/[A-Za-z0-9._+@/-]+$`)

// SourceWrapper returns the path of the script that sources an
// environment's source files, then runs its arguments: the entrypoint of
// an environment with source.
func SourceWrapper(env string) string { return "/usr/local/bin/" + env + "-source" }

// lowerSource makes the scripts of e's source attribute, after those
// inherited from the environment env is built on, part of every run: each
// of env's run steps sources them first (where they exist: an earlier
// step may install them), and a last step writes SourceWrapper, which
// sources them and runs its arguments. It returns the wrapper that leads
// the entrypoint, so that the run command and a caller's command run in
// the sourced environment in every target: env's own, or inheritedWrapper
// when env adds no script; "" when nothing is sourced.
func lowerSource(ev *evaluator, e *schema.Environment, env *ir.Env, inherited []string, inheritedWrapper string, diags *hcl.Diagnostics) string {
	files := slices.Clone(inherited)
	own := 0
	if a := e.Source; a != nil {
		items, moreDiags := ev.strList(a.Expr, "source")
		*diags = append(*diags, moreDiags...)
		if moreDiags.HasErrors() {
			return ""
		}
		for _, it := range items {
			if !sourcePattern.MatchString(it.Value) || len(it.Value) > 1024 {
				*diags = append(*diags, errorAt(it.Range, "Invalid script path",
					"%q cannot be sourced: give an absolute path of letters, digits and . _ + @ / -, e.g. \"/opt/openfoam/etc/bashrc\".", it.Value))
				return ""
			}
			if f := path.Clean(it.Value); !slices.Contains(files, f) {
				files = append(files, f)
				own++
			}
		}
		env.SourceRange = a.Expr.Range()
	}
	if len(files) == 0 {
		return ""
	}
	env.Source = files
	for _, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok {
			r.Source = files
		}
	}
	if own == 0 || e.Stage {
		return inheritedWrapper
	}
	wrapper := SourceWrapper(env.Name)
	lines := []string{"#!/bin/sh", "# Generated by envc: sources the environment's scripts (where they exist), then runs its arguments."}
	for _, f := range files {
		lines = append(lines, "if [ -f "+shQuote(f)+" ]; then . "+shQuote(f)+"; fi")
	}
	lines = append(lines, `exec "$@"`)
	quoted := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = shQuote(l)
	}
	w := shQuote(wrapper)
	env.Steps = append(env.Steps, &ir.RunStep{
		Command: "mkdir -p /usr/local/bin && printf '%s\\n' " + strings.Join(quoted, " ") + " > " + w + " && chmod 0755 " + w,
		Shell:   "sh",
		Range:   e.Source.Expr.Range(),
	})
	return wrapper
}

// shQuote quotes s as one POSIX sh word, with mvdan.cc/sh's quoting.
func shQuote(s string) string {
	q, err := syntax.Quote(s, syntax.LangPOSIX)
	if err != nil {
		// Values reaching here were checked to hold no NUL byte.
		panic(err)
	}
	return q
}

// stepTargets evaluates a step's only or except into the sorted target
// names the step is for; ok is false when the step is for every target.
func stepTargets(ev *evaluator, st *schema.Step, opts Options, diags *hcl.Diagnostics) (names []string, ok bool) {
	if st.Only == nil && st.Except == nil {
		return nil, false
	}
	if st.Only != nil && st.Except != nil {
		*diags = append(*diags, errorAt(st.Except.NameRange, "Both only and except",
			"A step names the targets it is for (only) or those it is not for (except), not both. Keep one."))
		return nil, false
	}
	attr := st.Only
	if attr == nil {
		attr = st.Except
	}
	items, moreDiags := ev.strList(attr.Expr, attr.Name)
	*diags = append(*diags, moreDiags...)
	if moreDiags.HasErrors() {
		return nil, false
	}
	var all []string
	for _, name := range opts.Targets {
		if !slices.Contains(all, name) {
			all = append(all, name)
		}
	}
	sort.Strings(all)
	listed := map[string]bool{}
	for _, it := range items {
		name := it.Value
		if opts.Targets != nil {
			canon, known := opts.Targets[name]
			if !known {
				*diags = append(*diags, errorAt(it.Range, "Unknown target",
					"%q is not a target. Use one of: %s.", name, strings.Join(all, ", ")))
				return nil, false
			}
			name = canon
		}
		listed[name] = true
	}
	if len(items) == 0 {
		*diags = append(*diags, errorAt(attr.Expr.Range(), "No target named",
			"%s names no target. List at least one (%s), or remove it.", attr.Name, strings.Join(all, ", ")))
		return nil, false
	}
	if attr == st.Only {
		for name := range listed {
			names = append(names, name)
		}
		sort.Strings(names)
		return names, true
	}
	if opts.Targets == nil {
		*diags = append(*diags, errorAt(attr.NameRange, "except needs the target list",
			"except cannot be resolved without the list of targets."))
		return nil, false
	}
	for _, name := range all {
		if !listed[name] {
			names = append(names, name)
		}
	}
	return names, true
}

// lowerStageCopy lowers a copy block with from = stage.NAME: a file or a
// folder of a stage of env (for a stage, of an earlier stage).
func lowerStageCopy(ev *evaluator, c *schema.Copy, env *ir.Env, targets map[string]hcl.Range,
	ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
	root, name, ok := fromRef(c.From)
	if !ok || root != "stage" {
		*diags = append(*diags, errorAt(c.From.Expr.Range(), "Invalid from",
			"A copy block takes files from a stage of the environment, named as stage.NAME without quotes; without from, it copies a file from the spec's directory."))
		return nil
	}
	if !slices.ContainsFunc(env.Stages, func(s *ir.Env) bool { return s.Name == name }) {
		*diags = append(*diags, errorAt(c.From.Expr.Range(), "Unknown stage",
			"No stage %q is declared in this environment (a stage may copy from an earlier stage only). Declare it with a stage block, or use one that is (%s).", name, stageNames(env.Stages)))
		return nil
	}
	step := &ir.CopyStep{Stage: name, Range: c.DeclRange}
	okAll := true
	absolute := func(a *hcl.Attribute, what string) string {
		s, moreDiags := ev.str(a.Expr, what)
		*diags = append(*diags, moreDiags...)
		switch {
		case moreDiags.HasErrors():
		case hasNUL(s):
			*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid character", "The %s contains a NUL byte. Remove it.", what))
		case valueProblem(s, false) != "":
			*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid "+what, "The %s %s. Change it.", what, valueProblem(s, false)))
		case !checkAbs(s, a.Expr.Range(), what, diags):
		case path.Clean(s) == "/":
			*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid "+what, "The %s cannot be the root folder: name a file or a folder under it.", what))
		default:
			return path.Clean(s)
		}
		okAll = false
		return ""
	}
	step.Source = absolute(c.Source, "copy source")
	step.Target = absolute(c.Target, "copy target")
	if c.Mode != nil {
		ms, moreDiags := ev.str(c.Mode.Expr, "copy mode")
		*diags = append(*diags, moreDiags...)
		if !moreDiags.HasErrors() {
			if m, ok := parseFileMode(ms); !ok || m == 0 {
				*diags = append(*diags, errorAt(c.Mode.Expr.Range(), "Invalid file mode", "%q is not a file mode: write it in octal as a string, e.g. \"0644\" or \"0755\" (leave mode out to keep the stage's modes).", ms))
				okAll = false
			} else {
				step.Mode = m
			}
		}
	}
	owner, ok := stepUser(ev, c.Owner, "owner", diags)
	if !ok || !okAll {
		return nil
	}
	if prev, dup := targets[step.Target]; dup {
		*diags = append(*diags, errorAt(c.Target.Expr.Range(), "Duplicate file target", "Another file is already copied to %q at %s.", step.Target, prev))
		return nil
	}
	targets[step.Target] = c.Target.Expr.Range()
	if owner != "" {
		ensure(owner, c.Owner.Expr.Range())
		step.Owner = owner
	}
	return []ir.Step{step}
}
