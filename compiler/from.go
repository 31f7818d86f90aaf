package compiler

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// lowerer lowers the environments of one spec, each once, in the order
// their from attributes need: an environment built on another is lowered
// after it.
type lowerer struct {
	ev     *evaluator
	spec   *schema.Spec
	opts   Options
	byName map[string]*schema.Environment
	done   map[string]*ir.Env
	busy   map[string]bool
	diags  hcl.Diagnostics
	// modules are the module files read so far, by path relative to the
	// spec's folder (modules.go).
	modules map[string]*loadedModule
}

func newLowerer(ev *evaluator, spec *schema.Spec, opts Options) *lowerer {
	l := &lowerer{ev: ev, spec: spec, opts: opts, byName: map[string]*schema.Environment{}, done: map[string]*ir.Env{}, busy: map[string]bool{}, modules: map[string]*loadedModule{}}
	for _, e := range spec.Environments {
		if _, dup := l.byName[e.Name]; !dup {
			l.byName[e.Name] = e
		}
	}
	return l
}

// environment returns the lowered environment e, lowering it first when
// it is not yet. It returns nil when e is being lowered (a cycle, which
// the caller reports) or lowered with errors.
func (l *lowerer) environment(e *schema.Environment) *ir.Env {
	if env, ok := l.done[e.Name]; ok {
		return env
	}
	if l.busy[e.Name] {
		return nil
	}
	l.busy[e.Name] = true
	el := newEnvLowerer(l, e, nil)
	env := el.lower()
	l.diags = append(l.diags, el.diags...)
	if el.diags.HasErrors() {
		env = nil
	}
	l.done[e.Name] = env
	delete(l.busy, e.Name)
	return env
}

// fromRef reads a from attribute: a traversal root.NAME ("environment"
// or "stage").
func fromRef(a *hcl.Attribute) (root, name string, ok bool) {
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() || len(tr) != 2 {
		return "", "", false
	}
	attr, isAttr := tr[1].(hcl.TraverseAttr)
	if !isAttr {
		return "", "", false
	}
	return tr.RootName(), attr.Name, true
}

// lowerFrom resolves the from attribute to what the environment builds
// on, el.parent, and takes its base image and distribution. It returns
// false when there is no parent, or attributes that cannot go with it:
// the environment is then lowered no further.
func (el *envLowerer) lowerFrom() bool {
	parent, name := el.resolveFrom()
	if parent == nil || !el.checkBuiltOn() {
		return false
	}
	el.parent = parent
	env := el.env
	env.Base, env.Distro = parent.Base, parent.Distro
	env.From, env.FromRange = name, el.e.From.Expr.Range()
	el.inheritTargets()
	return true
}

// resolveFrom returns the environment or stage the from attribute names,
// and its name in the IR. A stage's from may name the stages visible to
// it (the earlier stages of its environment); an environment's only
// environments.
func (el *envLowerer) resolveFrom() (*ir.Env, string) {
	e, l, stages := el.e, el.l, el.visible
	a := e.From
	rng := a.Expr.Range()
	root, name, ok := fromRef(a)
	want := "environment.NAME"
	if e.Stage {
		want = "environment.NAME or stage.NAME (an earlier stage)"
	}
	switch {
	case !ok || (root != "environment" && root != "stage") || (root == "stage" && !e.Stage):
		el.errorf(rng, "Invalid from",
			"from names what this %s builds on, as %s, without quotes.", kindOf(e), want)
		return nil, ""
	case root == "stage":
		for _, st := range stages {
			if st.Name == name {
				return st, "stage " + name
			}
		}
		if el.failedStages[name] {
			el.diags = append(el.diags, followOn(rng))
			return nil, ""
		}
		el.errorf(rng, "Unknown stage",
			"No stage %q is declared before this one in the environment. A stage builds on an earlier stage (%s) or on an environment.", name, stageNames(stages))
		return nil, ""
	}
	target, exists := l.byName[name]
	if !exists {
		el.errorf(rng, "Unknown environment",
			"No environment %q is declared in this spec. Declare it, or name one of: %s.", name, envNames(l.spec))
		return nil, ""
	}
	if l.busy[name] {
		el.errorf(rng, "Environments build on each other",
			"environment.%s builds, directly or through others, on the environment that names it here: an environment cannot be built on itself. Break the cycle.", name)
		return nil, ""
	}
	parent := l.environment(target)
	if parent == nil {
		el.diags = append(el.diags, followOn(rng))
		return nil, ""
	}
	return parent, name
}

func kindOf(e *schema.Environment) string {
	if e.Stage {
		return "stage"
	}
	return "environment"
}

func stageNames(stages []*ir.Env) string {
	if len(stages) == 0 {
		return "there is none"
	}
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = "stage." + s.Name
	}
	return "declared: " + strings.Join(names, ", ")
}

func envNames(spec *schema.Spec) string {
	var names []string
	for _, e := range spec.Environments {
		names = append(names, "environment."+e.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// lowerStages sets the stages of the environment: for a stage, those
// visible to it and those of what it builds on; for an environment, those
// of what it builds on, then its stage blocks.
func (el *envLowerer) lowerStages() {
	env, parent := el.env, el.parent
	if el.e.Stage {
		env.Stages = el.visible
		if parent != nil {
			env.Stages = append(slices.Clone(el.visible), parent.Stages...)
		}
		return
	}
	if parent != nil {
		env.Stages = slices.Clone(parent.Stages)
	}
	el.lowerStageBlocks()
}

// lowerStageBlocks lowers the stage blocks onto env.Stages, after the
// stages env inherited. A stage built on an environment brings that
// environment's stages along, placed before it.
func (el *envLowerer) lowerStageBlocks() {
	env := el.env
	declared := map[string]hcl.Range{}
	for _, st := range env.Stages {
		declared[st.Name] = st.DeclRange
	}
	add := func(st *ir.Env, rng hcl.Range) {
		if slices.Contains(env.Stages, st) {
			return // the same stage, inherited twice
		}
		if prev, dup := declared[st.Name]; dup {
			el.errorf(rng, "Duplicate stage",
				"A stage named %q is already part of this environment (%s). Give each stage a unique name.", st.Name, prev)
			return
		}
		declared[st.Name] = st.DeclRange
		env.Stages = append(env.Stages, st)
	}
	for _, sb := range el.e.Stages {
		st := el.lowerStage(sb)
		if st == nil {
			if el.failedStages == nil {
				el.failedStages = map[string]bool{}
			}
			el.failedStages[sb.Name] = true
			continue
		}
		hoisted := st.Stages
		st.Stages = nil
		for _, h := range hoisted {
			add(h, sb.NameRange)
		}
		add(st, sb.NameRange)
		env.ContextFiles = appendContextFiles(env.ContextFiles, st.ContextFiles)
		st.ContextFiles = nil
	}
}

// lowerStage lowers a stage block; nil when it has errors.
func (el *envLowerer) lowerStage(sb *schema.Environment) *ir.Env {
	if !ir.ValidStageName(sb.Name) || sb.Name == "scratch" || sb.Name == "context" {
		if !schema.ValidEnvironmentName(sb.Name) {
			return nil // reported by Decode
		}
		el.errorf(sb.NameRange, "Invalid stage name",
			"%q cannot name a build stage in every target: start it with a letter, use up to 63 lowercase letters, digits, '.', '_' and '-', and do not use scratch or context, which Docker reserves.", sb.Name)
		return nil
	}
	sl := newEnvLowerer(el.l, sb, el.env.Stages)
	sl.failedStages = el.failedStages
	st := sl.lower()
	if !el.report(sl.diags) {
		return nil
	}
	return st
}

// appendContextFiles appends the files of more not yet in list.
func appendContextFiles(list, more []ir.ContextFile) []ir.ContextFile {
	for _, cf := range more {
		if !slices.ContainsFunc(list, func(c ir.ContextFile) bool { return c.ContextPath == cf.ContextPath }) {
			list = append(list, cf)
		}
	}
	return list
}

// inherit flattens the parent into env, which was lowered from its own
// attributes and blocks only: the parent's steps come first (with its env
// steps, see ir.Env.RunEnv, and its repositories), its labels, ports,
// platforms and start-up contract carry over where env does not set its
// own (a new entrypoint drops the inherited run command, as a
// Dockerfile's ENTRYPOINT drops the base image's CMD). Mounts, the vm
// block and the description are env's own.
func (el *envLowerer) inherit() {
	env, parent := el.env, el.parent
	env.FromSteps = len(parent.Steps)
	env.Steps = append(slices.Clone(parent.Steps), env.Steps...)
	env.ContextFiles = appendContextFiles(slices.Clone(parent.ContextFiles), env.ContextFiles)
	if el.e.Stage {
		return
	}
	el.inheritRuntime()
	var labels []ir.KeyValue
	for _, pl := range parent.Labels {
		if !slices.ContainsFunc(env.Labels, func(l ir.KeyValue) bool { return l.Key == pl.Key }) {
			labels = append(labels, pl)
		}
	}
	env.Labels = append(labels, env.Labels...)
	var ports []ir.Port
	for _, pp := range parent.Ports {
		if !slices.ContainsFunc(env.Ports, func(p ir.Port) bool { return p.Guest == pp.Guest && p.Protocol == pp.Protocol }) {
			ports = append(ports, pp)
		}
	}
	env.Ports = append(ports, env.Ports...)
	if el.e.RunEnv == nil {
		env.RunVars = parent.RunVars
	}
	if el.e.GPU == nil {
		env.GPU = parent.GPU
	}
	if el.e.Healthcheck == nil {
		env.Healthcheck = parent.Healthcheck
	}
	if el.e.HPC == nil {
		env.HPC = parent.HPC
	}
	if env.Platforms == nil {
		env.Platforms, env.PlatformsRange = parent.Platforms, parent.PlatformsRange
	}
}

// inheritRuntime takes the parent's run user, run directory, init,
// entrypoint and run command where the environment sets none.
func (el *envLowerer) inheritRuntime() {
	e, env, parent := el.e, el.env, el.parent
	if e.User == nil {
		env.User, env.UserRange = parent.User, parent.UserRange
	}
	runDir := false
	if e.Workdir == nil && parent.Workdir != "" {
		env.Workdir, env.WorkdirRange = parent.Workdir, parent.WorkdirRange
		runDir = true
	}
	for _, po := range parent.Overrides {
		runDir = runDir || po.Workdir != "" && e.Workdir == nil
	}
	el.inheritOverrides()
	if runDir {
		// The run directories' steps stay the last, as in every
		// environment: the targets set the run directory with them.
		env.Steps = append(env.Steps[:len(env.Steps)-el.runDirs], el.runDirSteps()...)
	}
	if e.Init == nil {
		env.Init, env.InitRange = parent.Init, parent.InitRange
	}
	if e.Entrypoint != nil {
		return
	}
	env.Entrypoint, env.EntrypointRange = parent.Entrypoint, parent.EntrypointRange
	if len(parent.Source) > 0 && len(env.Entrypoint) > 0 {
		// The parent's source wrapper; prependWrapper puts the wrapper
		// of env's own source list back in front.
		env.Entrypoint = env.Entrypoint[1:]
		if len(env.Entrypoint) == 0 {
			env.Entrypoint = nil
		}
	}
	if e.Run == nil {
		env.Run, env.RunRange = parent.Run, parent.RunRange
	}
}

// checkBuiltOn reports attributes that cannot go with from.
func (el *envLowerer) checkBuiltOn() bool {
	e := el.e
	ok := true
	for _, a := range []*hcl.Attribute{e.Base, e.OS} {
		if a != nil {
			el.errorf(a.NameRange, fmt.Sprintf("Both %s and from", a.Name),
				"This %s builds on %s, whose base image and distribution it takes. Remove %s, or remove from.", kindOf(e), exprText(e.From), a.Name)
			ok = false
		}
	}
	return ok
}

// exprText returns the source text of a's expression.
func exprText(a *hcl.Attribute) string {
	if root, name, ok := fromRef(a); ok {
		return root + "." + name
	}
	return "another environment"
}

// settleStages leaves a stage the stages of what it builds on only (the
// others are its environment's), and an environment the stages it uses.
func (el *envLowerer) settleStages() {
	if !el.e.Stage {
		el.pruneStages()
		return
	}
	el.env.Stages = nil
	if el.parent != nil {
		el.env.Stages = el.parent.Stages
	}
}

// pruneStages drops the stages nothing copies from (directly, or through
// a stage that is copied from), with a warning at each stage block of
// the environment's own: a target that builds by need (BuildKit) would
// never build them, the others would build them for nothing.
func (el *envLowerer) pruneStages() {
	env := el.env
	if len(env.Stages) == 0 {
		return
	}
	used := usedStages(env)
	builtOn := map[string]bool{}
	for _, st := range env.Stages {
		if used[st.Name] && strings.HasPrefix(st.From, "stage ") {
			builtOn[strings.TrimPrefix(st.From, "stage ")] = true
		}
	}
	var kept []*ir.Env
	for _, st := range env.Stages {
		if used[st.Name] {
			kept = append(kept, st)
			continue
		}
		if builtOn[st.Name] {
			continue // flattened into a stage that is used
		}
		for _, b := range el.e.Stages {
			if b.Name == st.Name {
				el.warn(LintStageUnused, b.NameRange,
					"No copy step takes files out of the stage %q (nor out of a stage that does), so no target builds it. Copy what it builds (copy { from = stage.%s, ... }), or remove it.", st.Name, st.Name)
			}
		}
	}
	env.Stages = kept
}

// usedStages returns the names of the stages of env that its steps copy
// from, directly or through another stage.
func usedStages(env *ir.Env) map[string]bool {
	byName := map[string]*ir.Env{}
	for _, st := range env.Stages {
		byName[st.Name] = st
	}
	used := map[string]bool{}
	var mark func(steps []ir.Step)
	mark = func(steps []ir.Step) {
		for _, s := range steps {
			if c, ok := s.(*ir.CopyStep); ok && c.Stage != "" && !used[c.Stage] {
				used[c.Stage] = true
				if st := byName[c.Stage]; st != nil {
					mark(st.Steps)
				}
			}
		}
	}
	mark(env.Steps)
	return used
}
