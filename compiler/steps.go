package compiler

import (
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/envc-dev/envc/internal/shquote"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// lowerSteps lowers the step blocks, in order, onto env.Steps, after v1's
// shorthand. A user that the spec creates (the run user, env.User, and
// each user block) is created before the first step that runs as it or
// copies a file it owns; users no step needs are created after the steps,
// in declaration order, the run user last, as in v1.
func (el *envLowerer) lowerSteps() {
	el.users = el.newUserState()
	for _, s := range el.env.Steps {
		if c, ok := s.(*ir.CopyStep); ok {
			el.warnCopyIntoLaterHome(c, true) // v1's file blocks
		}
	}
	el.lowerStepList(el.e.Steps)
	el.createRemainingUsers()
}

// lowerStepBlock lowers one step block, for the targets it names.
func (el *envLowerer) lowerStepBlock(st *schema.Step) []ir.Step {
	steps := el.lowerStep(st)
	if len(steps) == 0 {
		return nil
	}
	for _, s := range steps {
		if c, ok := s.(*ir.CopyStep); ok {
			el.warnCopyIntoLaterHome(c, false)
		}
	}
	if ts, ok := el.stepTargets(st); ok {
		for _, s := range steps {
			limitStep(s, ts)
		}
	}
	if st.Platforms != nil {
		el.limitPlatforms(st.Platforms, steps)
	}
	return steps
}

// lowerStep lowers one step block to the IR steps it stands for.
func (el *envLowerer) lowerStep(st *schema.Step) []ir.Step {
	switch {
	case st.Pip != nil:
		return el.lowerPip(st)
	case st.Conda != nil:
		return el.lowerConda(st)
	case st.Pipx != nil:
		return el.lowerPipx(st)
	case st.Julia != nil:
		return el.lowerJulia(st)
	}
	if es, ok := el.lowerEnvOnlyStep(st); ok {
		if es == nil {
			return nil
		}
		return []ir.Step{es}
	}
	if !el.checkStepAction(st) {
		return nil
	}
	switch {
	case st.Packages != nil:
		recommends := el.recommends
		if st.Recommends != nil {
			recommends, _ = el.boolean(st.Recommends, "recommends")
		}
		if install := el.lowerInstall(st.Packages, recommends); install != nil {
			return []ir.Step{install}
		}
		return nil
	case len(st.Copy) == 1:
		return el.lowerCopy(st.Copy[0])
	}
	return el.lowerRun(st)
}

// lowerEnvOnlyStep lowers a step that only sets variables (env, or
// build_env for the build alone) from its position on; ok is false when
// the step does something else.
func (el *envLowerer) lowerEnvOnlyStep(st *schema.Step) (es *ir.EnvStep, ok bool) {
	if st.Run != nil || st.Packages != nil || len(st.Copy) > 0 || (st.Env == nil && st.BuildEnv == nil) {
		if st.BuildEnv != nil {
			el.errorf(st.BuildEnv.NameRange, "Attribute of an env step",
				"build_env makes a step that sets variables for the later steps alone; a run step's own variables are its env. Move build_env into a step of its own.")
			return nil, true
		}
		return nil, false
	}
	if st.Env != nil && st.BuildEnv != nil {
		el.errorf(st.BuildEnv.NameRange, "Both env and build_env",
			"A step sets variables for the build and the run command (env) or for the build alone (build_env), not both. Split it into two steps.")
		return nil, true
	}
	for _, a := range []*hcl.Attribute{st.Shell, st.User, st.Workdir, st.Recommends} {
		if a != nil {
			el.errorf(a.NameRange, "Attribute of a run step",
				"%s applies to a step that runs a command (run = ...). Remove it, or make this step a run step.", a.Name)
			return nil, true
		}
	}
	if st.Env != nil {
		return el.lowerEnvStep(st.Env, false), true
	}
	return el.lowerEnvStep(st.BuildEnv, true), true
}

// checkStepAction reports a step block that does not do exactly one
// thing, or has attributes of another kind of step.
func (el *envLowerer) checkStepAction(st *schema.Step) bool {
	actions := 0
	for _, set := range []bool{st.Run != nil, st.Packages != nil, len(st.Copy) > 0} {
		if set {
			actions++
		}
	}
	if actions != 1 {
		el.errorf(st.DeclRange, "Step needs one action",
			"A step does one thing: give it exactly one of run, packages or a copy block. Split it into several steps.")
		return false
	}
	if len(st.Copy) > 1 {
		el.errorf(st.Copy[1].DeclRange, "Several copy blocks in a step",
			"A step copies one file. Put each copy block in its own step.")
		return false
	}
	if st.Run == nil {
		for _, a := range []*hcl.Attribute{st.Shell, st.User, st.Workdir, st.Env} {
			if a != nil {
				el.errorf(a.NameRange, "Attribute of a run step",
					"%s applies to a step that runs a command (run = ...). Remove it, or make this step a run step.", a.Name)
				return false
			}
		}
	}
	if st.Packages == nil && st.Recommends != nil {
		el.errorf(st.Recommends.NameRange, "Attribute of a packages step",
			"recommends applies to a step that installs packages (packages = [...]). Remove it, or set it on the environment.")
		return false
	}
	return true
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
func (el *envLowerer) lowerCopy(c *schema.Copy) []ir.Step {
	if c.From != nil {
		for _, a := range []*hcl.Attribute{c.Include, c.Exclude} {
			if a != nil {
				el.errorf(a.NameRange, "Filter of a copy from a stage",
					"%s filters a folder of the spec's directory; a copy from a stage takes the stage's file or folder whole. Remove %s, or remove the files in the stage.", a.Name, a.Name)
				return nil
			}
		}
		return el.lowerStageCopy(c)
	}
	owner, ok := el.stepUser(c.Owner, "owner")
	if !ok {
		return nil
	}
	step := el.lowerFile(&schema.File{Source: c.Source, Target: c.Target, Mode: c.Mode, Include: c.Include, Exclude: c.Exclude, Overwrite: c.Overwrite, DeclRange: c.DeclRange})
	if step == nil {
		return nil
	}
	if owner != "" {
		el.ensureUser(owner, c.Owner.Expr.Range())
		step.Owner = owner
	}
	return []ir.Step{step}
}

// stepUser evaluates a user attribute of a step (a == nil: none) and
// returns the user, "" for root; ok is false when it is not a user name.
func (el *envLowerer) stepUser(a *hcl.Attribute, what string) (string, bool) {
	if a == nil {
		return "", true
	}
	s, ok := el.str(a, what)
	_, _, _, numeric := ir.NumericUser(s)
	switch {
	case !ok:
		return "", false
	case numeric:
		el.errorf(a.Expr.Range(), "Invalid user name",
			"A step's %s is a user's name, and %q is ids (only the environment's user may be ids): use the name of the user block with that uid.", what, s)
		return "", false
	case !validUserName(s):
		el.errorf(a.Expr.Range(), "Invalid user name",
			"%q is not a portable user name: use up to 32 lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", s)
		return "", false
	case s == "root":
		return "", true
	}
	return s, true
}

// lowerRun lowers a step that runs a command: a WorkdirStep first when it
// names a directory (created, owned by the step's user, where missing, as
// Docker's WORKDIR does), then the RunStep.
func (el *envLowerer) lowerRun(st *schema.Step) []ir.Step {
	cmd, ok := el.str(st.Run, "step command")
	shell, shellOK := el.stepShell(st.Shell)
	user, userOK := el.stepUser(st.User, "user")
	dir, dirOK := el.stepWorkdir(st.Workdir)
	vars, varsOK := el.lowerStepEnv(st.Env)
	ok = ok && shellOK && userOK && dirOK && varsOK
	if ok {
		if diag := shellCommandProblem(cmd, st.Run.Expr.Range(), "step command", shell == "bash"); diag != nil {
			el.diags = append(el.diags, diag)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	if st.User != nil {
		el.ensureUser(user, st.User.Expr.Range())
	}
	var out []ir.Step
	if dir != "" {
		out = append(out, &ir.WorkdirStep{Path: dir, Owner: user, Range: st.Workdir.Expr.Range()})
	}
	return append(out, &ir.RunStep{Command: cmd, Shell: shell, User: user, Workdir: dir, Env: vars, Range: st.Run.Expr.Range()})
}

// stepShell evaluates a run step's shell (a == nil: the environment's).
func (el *envLowerer) stepShell(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return el.shell, true
	}
	return el.evalShell(a)
}

// evalShell evaluates a shell attribute: "sh" or "bash".
func (el *envLowerer) evalShell(a *hcl.Attribute) (string, bool) {
	s, ok := el.str(a, "shell")
	switch {
	case !ok:
		return "sh", false
	case s == "sh" || s == "bash":
		return s, true
	}
	el.errorf(a.Expr.Range(), "Unknown shell",
		"%q is not a shell envc runs steps with: use \"sh\" (the default) or \"bash\" (run with -eo pipefail).", s)
	return "sh", false
}

// stepWorkdir evaluates a run step's workdir (a == nil: none) to the
// directory it runs in; "" for none or the root.
func (el *envLowerer) stepWorkdir(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return "", true
	}
	s, ok := el.str(a, "workdir")
	rng := a.Expr.Range()
	if !ok || !el.checkAbs(s, rng, "workdir") {
		return "", false
	}
	if why := valueProblem(s, false); why != "" {
		el.errorf(rng, "Invalid character", "The workdir %s. Change the value.", why)
		return "", false
	}
	if s = path.Clean(s); s == "/" {
		return "", true
	}
	return s, true
}

// sourcePattern matches a script path envc sources: absolute, and plain
// enough to stand unquoted in every target's scripts.
var sourcePattern = lazyre.New(`^/[A-Za-z0-9._+@/-]+$`)

// SourceWrapper returns the path of the script that sources an
// environment's source files, then runs its arguments: the entrypoint of
// an environment with source.
func SourceWrapper(env string) string { return "/usr/local/bin/" + env + "-source" }

// lowerSource makes the scripts of the source attribute, after those
// inherited from the environment env is built on, part of every run: each
// of env's run steps sources them first (where they exist: an earlier
// step may install them), and a last step writes SourceWrapper, which
// sources them and runs its arguments. It returns the wrapper that leads
// the entrypoint, so that the run command and a caller's command run in
// the sourced environment in every target: env's own, or the inherited
// wrapper when env adds no script; "" when nothing is sourced.
func (el *envLowerer) lowerSource() string {
	env := el.env
	var inherited []string
	inheritedWrapper := ""
	if p := el.parent; p != nil {
		inherited = p.Source
		if len(p.Source) > 0 && len(p.Entrypoint) > 0 {
			inheritedWrapper = p.Entrypoint[0]
		}
	}
	files, own, ok := el.sourceFiles(inherited)
	if !ok || len(files) == 0 {
		return ""
	}
	env.Source = files
	for _, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok {
			r.Source = files
			if r.Shell == "sh" && el.shell == "bash" {
				el.warn(LintShStepSourcesBash, r.Range,
					"The environment's shell is bash, so its sourced scripts (%s) may need bash, but this step runs in sh and sources them first. Remove the step's shell = \"sh\", or make sure the scripts are POSIX sh.", strings.Join(files, ", "))
			}
		}
	}
	sameShell := el.parent == nil || el.parent.Shell == env.Shell
	if el.e.Stage || own == 0 && sameShell {
		return inheritedWrapper
	}
	rng := env.SourceRange
	if own == 0 {
		rng = env.ShellRange
	}
	wrapper := SourceWrapper(env.Name)
	env.Steps = append(env.Steps, sourceWrapperStep(wrapper, files, env.Shell, rng))
	return wrapper
}

// lowerShell evaluates the environment's shell: its own shell attribute,
// else the shell of the environment it is built on, else sh.
func (el *envLowerer) lowerShell() {
	el.shell = "sh"
	if p := el.parent; p != nil && p.Shell != "" {
		el.shell = p.Shell
		el.env.ShellRange = p.ShellRange
	}
	if a := el.e.Shell; a != nil {
		if s, ok := el.evalShell(a); ok {
			el.shell = s
			el.env.ShellRange = a.Expr.Range()
		}
	}
	el.env.Shell = el.shell
}

// installBash installs bash (apk add) on Alpine, whose images lack it,
// before the first of the environment's own steps that runs in bash, or
// after its steps when only the run-time scripts do (Env.Shell), unless
// an earlier step (of the environment built on, too) installs it. Every
// other distribution in the catalogue has bash in its images.
func (el *envLowerer) installBash() {
	env := el.env
	if env.Distro == nil || env.Distro.Family != "alpine" {
		return
	}
	at, rng := -1, env.ShellRange
	for i, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok && r.Shell == "bash" {
			at, rng = i, r.Range
			break
		}
	}
	if at < 0 {
		if env.Shell != "bash" {
			return
		}
		at = len(env.Steps)
	}
	installs := func(steps []ir.Step) bool {
		return slices.ContainsFunc(steps, func(s ir.Step) bool {
			in, ok := s.(*ir.InstallStep)
			return ok && in.Targets == nil && slices.ContainsFunc(in.Packages, func(p string) bool {
				return p == "bash" || strings.HasPrefix(p, "bash=")
			})
		})
	}
	if el.parent != nil && installs(el.parent.Steps) || installs(env.Steps[:at]) {
		return
	}
	step := &ir.InstallStep{Manager: env.Distro.Manager, Packages: []string{"bash"}, Range: rng}
	env.Steps = slices.Insert(env.Steps, at, ir.Step(step))
}

// sourceFiles returns the scripts to source: the inherited ones, then
// those of the source attribute not among them (own counts these).
func (el *envLowerer) sourceFiles(inherited []string) (files []string, own int, ok bool) {
	files = slices.Clone(inherited)
	a := el.e.Source
	if a == nil {
		return files, 0, true
	}
	items, ok := el.strList(a, "source")
	if !ok {
		return nil, 0, false
	}
	for _, it := range items {
		if !sourcePattern().MatchString(it.Value) || len(it.Value) > 1024 {
			el.errorf(it.Range, "Invalid script path",
				"%q cannot be sourced: give an absolute path of letters, digits and . _ + @ / -, e.g. \"/opt/openfoam/etc/bashrc\".", it.Value)
			return nil, 0, false
		}
		if f := path.Clean(it.Value); !slices.Contains(files, f) {
			files = append(files, f)
			own++
		}
	}
	el.env.SourceRange = a.Expr.Range()
	return files, own, true
}

// sourceWrapperStep returns the step writing the script wrapper, which
// sources files (where they exist), then runs its arguments.
func sourceWrapperStep(wrapper string, files []string, shell string, rng hcl.Range) *ir.RunStep {
	interp := "#!/bin/sh"
	if shell == "bash" {
		interp = "#!/bin/bash"
	}
	lines := []string{interp, "# Generated by envc: sources the environment's scripts (where they exist), then runs its arguments."}
	for _, f := range files {
		lines = append(lines, "if [ -f "+shQuote(f)+" ]; then . "+shQuote(f)+"; fi")
	}
	lines = append(lines, `exec "$@"`)
	quoted := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = shQuote(l)
	}
	w := shQuote(wrapper)
	return &ir.RunStep{
		Command: "mkdir -p /usr/local/bin && printf '%s\\n' " + strings.Join(quoted, " ") + " > " + w + " && chmod 0755 " + w,
		Shell:   "sh",
		Range:   rng,
	}
}

// shQuote quotes s as one POSIX sh word, as the emitters quote (every
// value reaching it was checked to hold no NUL byte and to be UTF-8).
func shQuote(s string) string { return shquote.MustQuote(s) }

// stepTargets evaluates a step's only or except into the sorted target
// names the step is for; ok is false when the step is for every target.
func (el *envLowerer) stepTargets(st *schema.Step) (names []string, ok bool) {
	if st.Only == nil && st.Except == nil {
		return nil, false
	}
	if st.Only != nil && st.Except != nil {
		el.errorf(st.Except.NameRange, "Both only and except",
			"A step names the targets it is for (only) or those it is not for (except), not both. Keep one.")
		return nil, false
	}
	attr := st.Only
	if attr == nil {
		attr = st.Except
	}
	all := targetNames(el.opts.Targets)
	listed, ok := el.listedTargets(attr, all)
	if !ok {
		return nil, false
	}
	if attr == st.Only {
		for name := range listed {
			names = append(names, name)
		}
		sort.Strings(names)
		return names, true
	}
	if el.opts.Targets == nil {
		el.errorf(attr.NameRange, "except needs the target list",
			"except cannot be resolved without the list of targets.")
		return nil, false
	}
	for _, name := range all {
		if !listed[name] {
			names = append(names, name)
		}
	}
	return names, true
}

// targetNames returns the sorted names of the targets (the values of
// targets, which also maps aliases).
func targetNames(targets map[string]string) []string {
	var all []string
	for _, name := range targets {
		if !slices.Contains(all, name) {
			all = append(all, name)
		}
	}
	sort.Strings(all)
	return all
}

// listedTargets evaluates an only or except attribute into the set of the
// targets it names; all are the target names, for the details.
func (el *envLowerer) listedTargets(a *hcl.Attribute, all []string) (map[string]bool, bool) {
	items, ok := el.strList(a, a.Name)
	if !ok {
		return nil, false
	}
	listed := map[string]bool{}
	for _, it := range items {
		name := it.Value
		if el.opts.Targets != nil {
			canon, known := el.opts.Targets[name]
			if !known {
				el.errorf(it.Range, "Unknown target",
					"%q is not a target. Use one of: %s.", name, strings.Join(all, ", "))
				return nil, false
			}
			name = canon
		}
		listed[name] = true
	}
	if len(items) == 0 {
		el.errorf(a.Expr.Range(), "No target named",
			"%s names no target. List at least one (%s), or remove it.", a.Name, strings.Join(all, ", "))
		return nil, false
	}
	return listed, true
}

// lowerStageCopy lowers a copy block with from = stage.NAME: a file or a
// folder of a stage of env (for a stage, of an earlier stage).
func (el *envLowerer) lowerStageCopy(c *schema.Copy) []ir.Step {
	name, ok := el.copyStage(c.From)
	if !ok {
		return nil
	}
	step := &ir.CopyStep{Stage: name, Range: c.DeclRange}
	var srcOK, dstOK bool
	step.Source, srcOK = el.stagePath(c.Source, "copy source")
	step.Target, dstOK = el.stagePath(c.Target, "copy target")
	mode, modeOK := el.stageCopyMode(c.Mode)
	step.Mode = mode
	owner, ownerOK := el.stepUser(c.Owner, "owner")
	if !ownerOK || !srcOK || !dstOK || !modeOK {
		return nil
	}
	if !el.claimTarget(step.Target, c.Target.Expr.Range(), c.Overwrite) {
		return nil
	}
	if owner != "" {
		el.ensureUser(owner, c.Owner.Expr.Range())
		step.Owner = owner
	}
	return []ir.Step{step}
}

// copyStage resolves a copy block's from to the name of a stage of the
// environment.
func (el *envLowerer) copyStage(a *hcl.Attribute) (string, bool) {
	root, name, ok := fromRef(a)
	if !ok || root != "stage" {
		el.errorf(a.Expr.Range(), "Invalid from",
			"A copy block takes files from a stage of the environment, named as stage.NAME without quotes; without from, it copies a file from the spec's directory.")
		return "", false
	}
	if !slices.ContainsFunc(el.env.Stages, func(s *ir.Env) bool { return s.Name == name }) {
		if el.failedStages[name] {
			// The stage's own errors say what is wrong.
			el.diags = append(el.diags, followOn(a.Expr.Range()))
			return "", false
		}
		el.errorf(a.Expr.Range(), "Unknown stage",
			"No stage %q is declared in this environment (a stage may copy from an earlier stage only). Declare it with a stage block, or use one that is (%s).", name, stageNames(el.env.Stages))
		return "", false
	}
	return name, true
}

// stagePath evaluates the source or the target (what) of a copy from a
// stage: an absolute path other than the root, returned clean.
func (el *envLowerer) stagePath(a *hcl.Attribute, what string) (string, bool) {
	s, ok := el.str(a, what)
	rng := a.Expr.Range()
	switch {
	case !ok:
	case hasNUL(s):
		el.errorf(rng, "Invalid character", "The %s contains a NUL byte. Remove it.", what)
	case valueProblem(s, false) != "":
		el.errorf(rng, "Invalid "+what, "The %s %s. Change it.", what, valueProblem(s, false))
	case !el.checkAbs(s, rng, what):
	case path.Clean(s) == "/":
		el.errorf(rng, "Invalid "+what, "The %s cannot be the root folder: name a file or a folder under it.", what)
	default:
		return path.Clean(s), true
	}
	return "", false
}

// stageCopyMode evaluates the mode of a copy from a stage (a == nil:
// none, 0, which keeps the stage's modes). ok is false when the mode is
// not one; an error evaluating it is the evaluator's to report.
func (el *envLowerer) stageCopyMode(a *hcl.Attribute) (mode uint32, ok bool) {
	if a == nil {
		return 0, true
	}
	ms, evaluated := el.str(a, "copy mode")
	if !evaluated {
		return 0, true
	}
	if m, ok := parseFileMode(ms); ok && m != 0 {
		return m, true
	}
	el.errorf(a.Expr.Range(), "Invalid file mode", "%q is not a file mode: write it in octal as a string, e.g. \"0644\" or \"0755\" (leave mode out to keep the stage's modes).", ms)
	return 0, false
}
