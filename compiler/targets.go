package compiler

import (
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
)

// lowerTargets evaluates the target blocks' run, entrypoint and workdir
// into env.Overrides, one per target, sorted by target. Their env is
// lowered after the steps (targetEnvSteps), their run directories with
// the environment's (runDirSteps).
func (el *envLowerer) lowerTargets() {
	seen := map[string]hcl.Range{}
	for _, t := range el.e.Targets {
		name, ok := el.targetName(t.Name, t.NameRange)
		if !ok {
			continue
		}
		if prev, dup := seen[name]; dup {
			el.errorf(t.NameRange, "Duplicate target block",
				"A target block for %q was already declared at %s. Merge the two.", name, prev)
			continue
		}
		seen[name] = t.DeclRange
		o := ir.Override{Target: name, Range: t.DeclRange, HasEnv: t.Env != nil}
		if a := t.Run; a != nil {
			o.Run, o.RunSet = el.overrideArgv(a, "run command", "Run command")
			o.RunRange = a.Expr.Range()
		}
		if a := t.Entrypoint; a != nil {
			o.Entrypoint, o.EntrypointSet = el.overrideArgv(a, "entrypoint", "Entrypoint")
			o.EntrypointRange = a.Expr.Range()
		}
		if a := t.Workdir; a != nil {
			s, ok := el.str(a, "workdir")
			if ok && el.checkAbs(s, a.Expr.Range(), "workdir") && el.literal(s, a.Expr.Range(), "workdir", false) {
				o.Workdir, o.WorkdirRange = path.Clean(s), a.Expr.Range()
			}
		}
		if t.Run == nil && t.Entrypoint == nil && t.Env == nil && t.Workdir == nil {
			continue // reported by Decode
		}
		el.env.Overrides = append(el.env.Overrides, o)
	}
	sort.SliceStable(el.env.Overrides, func(i, j int) bool { return el.env.Overrides[i].Target < el.env.Overrides[j].Target })
}

// targetName checks a target block's label against the targets and
// returns the target's canonical name (an alias gives its target's).
func (el *envLowerer) targetName(name string, rng hcl.Range) (string, bool) {
	if el.opts.Targets == nil {
		return name, true
	}
	canon, known := el.opts.Targets[name]
	if !known {
		el.errorf(rng, "Unknown target",
			"%q is not a target. Name one of: %s.", name, strings.Join(targetNames(el.opts.Targets), ", "))
		return "", false
	}
	return canon, true
}

// overrideArgv evaluates a target block's run or entrypoint: an argv as
// the environment's, or an empty list for none in that target.
func (el *envLowerer) overrideArgv(a *hcl.Attribute, what, title string) ([]string, bool) {
	items, diags := el.ev.strList(a.Expr, what)
	if diags.HasErrors() {
		el.report(diags)
		return nil, false
	}
	if len(items) == 0 {
		return nil, true // none in this target
	}
	return el.lowerArgv(a, what, title)
}

// targetEnvSteps appends, after the build's steps, an EnvStep for the
// variables of each target block that sets env, for that target alone:
// the run command sees them there, and no build step does, so every
// target builds the same.
func (el *envLowerer) targetEnvSteps() {
	for _, t := range el.e.Targets {
		if t.Env == nil {
			continue
		}
		name, ok := el.knownTarget(t.Name)
		if !ok {
			continue
		}
		if es := el.lowerEnvStep(t.Env, false); es != nil {
			es.Targets = []string{name}
			el.env.Steps = append(el.env.Steps, es)
		}
	}
}

// knownTarget is targetName without a report (lowerTargets made it).
func (el *envLowerer) knownTarget(name string) (string, bool) {
	if el.opts.Targets == nil {
		return name, true
	}
	canon, ok := el.opts.Targets[name]
	return canon, ok && el.env.Override(canon) != nil
}

// runDirSteps returns the steps that make the run directories, owned by
// the run user: the environment's, for the targets that do not give
// their own (all when none does), then each target's own, for it alone.
// They are the last steps: the targets set the run directory with them.
func (el *envLowerer) runDirSteps() []ir.Step {
	env := el.env
	owner := ""
	if env.User != "" && env.User != "root" {
		owner = env.User
	}
	var own []string
	var steps []ir.Step
	for _, o := range env.Overrides {
		if o.Workdir != "" {
			own = append(own, o.Target)
			steps = append(steps, &ir.WorkdirStep{Path: o.Workdir, Owner: owner, Range: o.WorkdirRange, Targets: []string{o.Target}})
		}
	}
	if env.Workdir == "" {
		return steps
	}
	st := &ir.WorkdirStep{Path: env.Workdir, Owner: owner, Range: env.WorkdirRange}
	if len(own) > 0 {
		if el.opts.Targets == nil {
			el.errorf(env.WorkdirRange, "workdir needs the target list",
				"A target block's workdir cannot be resolved without the list of targets.")
			return steps
		}
		for _, name := range targetNames(el.opts.Targets) {
			if !slices.Contains(own, name) {
				st.Targets = append(st.Targets, name)
			}
		}
		if st.Targets == nil {
			return steps // every target has its own
		}
	}
	return append([]ir.Step{st}, steps...)
}

// inheritOverrides gives the environment, for each target that the
// environment it is built on overrides, what that target gives there,
// where the environment sets neither the attribute nor the target's
// own: a target's run-time values are inherited as the environment's
// are. The variables come with the steps.
func (el *envLowerer) inheritOverrides() {
	e, env, parent := el.e, el.env, el.parent
	for _, po := range parent.Overrides {
		o := env.Override(po.Target)
		if o == nil {
			env.Overrides = append(env.Overrides, ir.Override{Target: po.Target, Range: po.Range})
			o = &env.Overrides[len(env.Overrides)-1]
		}
		o.HasEnv = o.HasEnv || po.HasEnv
		if !o.RunSet && e.Run == nil && po.RunSet {
			o.Run, o.RunSet, o.RunRange = po.Run, true, po.RunRange
		}
		if !o.EntrypointSet && e.Entrypoint == nil && po.EntrypointSet {
			ep := po.Entrypoint
			if len(parent.Source) > 0 && len(ep) > 0 {
				ep = ep[1:] // the parent's source wrapper (prependWrapper)
				if len(ep) == 0 {
					ep = nil
				}
			}
			o.Entrypoint, o.EntrypointSet, o.EntrypointRange = ep, true, po.EntrypointRange
		}
		if o.Workdir == "" && e.Workdir == nil && po.Workdir != "" {
			o.Workdir, o.WorkdirRange = po.Workdir, po.WorkdirRange
		}
	}
	sort.SliceStable(env.Overrides, func(i, j int) bool { return env.Overrides[i].Target < env.Overrides[j].Target })
}
