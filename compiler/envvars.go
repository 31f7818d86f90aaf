package compiler

import (
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
)

// lowerEnvVars lowers the env attribute to the step setting the
// variables; nil when it sets none.
func (el *envLowerer) lowerEnvVars() *ir.EnvStep {
	a := el.e.Env
	if a == nil {
		return nil
	}
	items, _ := el.strMap(a, "env")
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
	return &ir.EnvStep{Vars: vars, Range: a.Expr.Range()}
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
