package compiler

import (
	"slices"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
)

// lowerEnvVars lowers the env attribute to the step setting the
// variables; nil when it sets none.
func (el *envLowerer) lowerEnvVars() *ir.EnvStep {
	return el.lowerEnvStep(el.e.Env, false)
}

// lowerEnvStep lowers a map of variables (an env or build_env attribute,
// of the environment or of a step that does nothing else) to the step
// setting them; nil when it sets none.
func (el *envLowerer) lowerEnvStep(a *hcl.Attribute, buildOnly bool) *ir.EnvStep {
	if a == nil {
		return nil
	}
	items, _ := el.strMap(a, a.Name)
	seen := map[string]hcl.Range{}
	var vars []ir.EnvVar
	for _, it := range items {
		if !el.checkVarName(it, seen) || !el.literal(it.Value, it.Range, "value of "+it.Key, false) {
			continue
		}
		vars = append(vars, ir.EnvVar{Name: it.Key, Value: ir.ParseWord(it.Value), Range: it.Range})
	}
	if len(vars) == 0 {
		return nil
	}
	return &ir.EnvStep{Vars: vars, BuildOnly: buildOnly, Range: a.Expr.Range()}
}

// lowerRunVars lowers run_env: the run command's own variables, each a
// default the caller may override at start, or null for one the caller
// supplies.
func (el *envLowerer) lowerRunVars() {
	a := el.e.RunEnv
	if a == nil {
		return
	}
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		// Not a map written out: evaluate it whole, as env is.
		items, _ := el.strMap(a, a.Name)
		seen := map[string]hcl.Range{}
		for _, it := range items {
			if el.checkVarName(it, seen) && el.literal(it.Value, it.Range, "value of "+it.Key, false) {
				el.env.RunVars = append(el.env.RunVars, ir.RunVar{Name: it.Key, Value: ir.ParseWord(it.Value), Range: it.Range})
			}
		}
		return
	}
	seen := map[string]hcl.Range{}
	for _, p := range pairs {
		key, ok := el.str(&hcl.Attribute{Name: "run_env key", Expr: p.Key}, "variable name")
		if !ok {
			continue
		}
		it := item{Key: key, KeyRange: p.Key.Range(), Range: p.Value.Range()}
		if !el.checkVarName(it, seen) {
			continue
		}
		v, diags := p.Value.Value(el.ev.ctx)
		if !el.report(diags) {
			continue
		}
		if v.IsNull() {
			el.env.RunVars = append(el.env.RunVars, ir.RunVar{Name: key, Required: true, Range: it.Range})
			continue
		}
		s, ok := el.str(&hcl.Attribute{Name: "run_env", Expr: p.Value}, "value of "+key)
		if ok && el.literal(s, it.Range, "value of "+key, false) {
			el.env.RunVars = append(el.env.RunVars, ir.RunVar{Name: key, Value: ir.ParseWord(s), Range: it.Range})
		}
	}
}

// checkEnvScopes reports a name set in two scopes: by env (the build and
// the run command), by build_env (the build alone) or by run_env (the run
// command alone). Each name has one scope, which every target carries.
func (el *envLowerer) checkEnvScopes() {
	scope := map[string]string{}
	where := map[string]hcl.Range{}
	note := func(name, s string, rng hcl.Range) {
		if prev, ok := scope[name]; ok && prev != s {
			el.errorf(rng, "Variable in two scopes",
				"The variable %q is set by %s at %s and by %s here; a variable is set for the build and the run command (env), the build alone (build_env) or the run command alone (run_env), not two of these. Rename one.", name, prev, where[name], s)
			return
		}
		scope[name], where[name] = s, rng
	}
	for _, s := range el.env.Steps {
		if es, ok := s.(*ir.EnvStep); ok {
			kind := "env"
			if es.BuildOnly {
				kind = "build_env"
			}
			for _, v := range es.Vars {
				note(v.Name, kind, v.Range)
			}
		}
	}
	for _, v := range el.env.RunVars {
		note(v.Name, "run_env", v.Range)
	}
	// A default that refers to a variable of the build alone takes its
	// value now: the run command does not see that variable.
	buildOnly := map[string]ir.Word{}
	for _, s := range el.env.Steps {
		if es, ok := s.(*ir.EnvStep); ok {
			for _, v := range es.Vars {
				w := ir.ResolveWord(v.Value, buildOnly)
				if es.BuildOnly {
					buildOnly[v.Name] = w
				}
			}
		}
	}
	if len(buildOnly) > 0 {
		vars := slices.Clone(el.env.RunVars)
		for i := range vars {
			vars[i].Value = ir.ResolveWord(vars[i].Value, buildOnly)
		}
		el.env.RunVars = vars
	}
}

// lowerStepEnv lowers a run step's env attribute (a == nil: none) to its
// variables; ok is false when one of them has an error.
func (el *envLowerer) lowerStepEnv(a *hcl.Attribute) (vars []ir.EnvVar, ok bool) {
	if a == nil {
		return nil, true
	}
	items, _ := el.strMap(a, "step env")
	seen := map[string]hcl.Range{}
	ok = true
	for _, it := range items {
		if !el.checkVarName(it, seen) {
			ok = false
			continue
		}
		if why := valueProblem(it.Value, false); why != "" {
			el.errorf(it.Range, "Invalid character", "The value of %s %s. Change the value.", it.Key, why)
			ok = false
			continue
		}
		vars = append(vars, ir.EnvVar{Name: it.Key, Value: ir.ParseWord(it.Value), Range: it.Range})
	}
	return vars, ok
}

// checkVarName reports a variable name that is not valid or already in
// seen, and adds it to seen.
func (el *envLowerer) checkVarName(it item, seen map[string]hcl.Range) bool {
	if !ir.ValidName(it.Key) {
		el.errorf(it.KeyRange, "Invalid environment variable name",
			"%q is not a valid variable name: use letters, digits and underscores, not starting with a digit.", it.Key)
		return false
	}
	if prev, dup := seen[it.Key]; dup {
		el.errorf(it.KeyRange, "Duplicate environment variable", "The variable %q was already set at %s.", it.Key, prev)
		return false
	}
	seen[it.Key] = it.KeyRange
	return true
}
