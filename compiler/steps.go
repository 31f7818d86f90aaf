package compiler

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// lowerSteps lowers e's step blocks, in order, onto env.Steps, after v1's
// shorthand. targets holds the copy targets seen so far. The run user
// (env.User) is created before the first step that runs as it or copies a
// file it owns; userMade reports whether that happened.
func lowerSteps(ev *evaluator, e *schema.Environment, env *ir.Env, opts Options, targets map[string]hcl.Range, diags *hcl.Diagnostics) (userMade bool) {
	runUser := env.User
	if runUser == "root" {
		runUser = ""
	}
	// ensure makes sure user exists before the step that needs it.
	ensure := func(user string, rng hcl.Range) {
		switch {
		case user == "" || user == "root":
		case user == runUser:
			if !userMade {
				env.Steps = append(env.Steps, &ir.UserStep{Name: runUser, Range: env.UserRange})
				userMade = true
			}
		default:
			*diags = append(*diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Step user not created by the spec",
				Detail: fmt.Sprintf("envc creates only the run user (the environment's user attribute), so %q must come with the base image or "+
					"from an earlier step; otherwise every target fails at this step. Make %q the environment's user, or create it in an earlier step.", user, user),
				Subject: rng.Ptr(),
			})
		}
	}
	for _, st := range e.Steps {
		steps := lowerStep(ev, st, e, env, opts, targets, ensure, diags)
		if len(steps) == 0 {
			continue
		}
		if ts, ok := stepTargets(ev, st, opts, diags); ok {
			if env.StepTargets == nil {
				env.StepTargets = map[ir.Step][]string{}
			}
			for _, s := range steps {
				env.StepTargets[s] = ts
			}
		}
		env.Steps = append(env.Steps, steps...)
	}
	return userMade
}

// lowerStep lowers one step block to the IR steps it stands for.
func lowerStep(ev *evaluator, st *schema.Step, e *schema.Environment, env *ir.Env, opts Options, targets map[string]hcl.Range,
	ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
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
	if st.Env != nil {
		*diags = append(*diags, errorAt(st.Env.NameRange, "Step env not supported yet",
			"Variables for one step are part of language v2 and not implemented yet. Set them in the command (\"NAME=value command\"), or in the environment's env."))
		return nil
	}
	if st.Run == nil {
		for _, a := range []*hcl.Attribute{st.Shell, st.User, st.Workdir} {
			if a != nil {
				*diags = append(*diags, errorAt(a.NameRange, "Attribute of a run step",
					"%s applies to a step that runs a command (run = ...). Remove it, or make this step a run step.", a.Name))
				return nil
			}
		}
	}
	switch {
	case st.Packages != nil:
		items, moreDiags := ev.strList(st.Packages.Expr, "packages")
		*diags = append(*diags, moreDiags...)
		install, moreDiags := installStep(env, e.OS != nil, items, st.Packages.Expr.Range())
		*diags = append(*diags, moreDiags...)
		if install != nil {
			return []ir.Step{install}
		}
		return nil
	case len(st.Copy) == 1:
		return lowerCopy(ev, st.Copy[0], env, opts, targets, ensure, diags)
	}
	return lowerRun(ev, st, ensure, diags)
}

// lowerCopy lowers a copy block.
func lowerCopy(ev *evaluator, c *schema.Copy, env *ir.Env, opts Options, targets map[string]hcl.Range,
	ensure func(string, hcl.Range), diags *hcl.Diagnostics) []ir.Step {
	if c.From != nil {
		*diags = append(*diags, errorAt(c.From.NameRange, "Copy from a stage not supported yet",
			"Stages are part of language v2 and not implemented yet: a copy block copies a file from the spec's directory. Remove from."))
		return nil
	}
	owner := ""
	if c.Owner != nil {
		s, moreDiags := ev.str(c.Owner.Expr, "owner")
		*diags = append(*diags, moreDiags...)
		if moreDiags.HasErrors() {
			return nil
		}
		if !userPattern.MatchString(s) {
			*diags = append(*diags, errorAt(c.Owner.Expr.Range(), "Invalid user name",
				"%q is not a portable user name: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", s))
			return nil
		}
		if s != "root" {
			owner = s
		}
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
	user := ""
	if st.User != nil {
		s, moreDiags := ev.str(st.User.Expr, "user")
		*diags = append(*diags, moreDiags...)
		switch {
		case moreDiags.HasErrors():
			ok = false
		case !userPattern.MatchString(s):
			*diags = append(*diags, errorAt(st.User.Expr.Range(), "Invalid user name",
				"%q is not a portable user name: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", s))
			ok = false
		case s != "root":
			user = s
		}
	}
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
	return append(out, &ir.RunStep{Command: cmd, Shell: shell, User: user, Workdir: dir, Range: st.Run.Expr.Range()})
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
