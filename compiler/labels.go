package compiler

import (
	"github.com/envc-dev/envc/compiler/ir"
)

// lowerDescription lowers the description, which becomes a label.
func (el *envLowerer) lowerDescription() {
	a := el.e.Description
	if a == nil {
		return
	}
	s, ok := el.str(a, "description")
	if !ok || !el.literal(s, a.Expr.Range(), "description", false) {
		return
	}
	if why := labelValueProblem(s); why != "" {
		el.errorf(a.Expr.Range(), "Invalid description",
			"The description becomes the label %s, and %s. Change the description.", ir.DescriptionLabel, why)
		return
	}
	el.env.Description = s
}

// lowerLabels lowers the labels, then the description's label unless a
// label of the same key is set.
func (el *envLowerer) lowerLabels() {
	env := el.env
	seen := map[string]bool{}
	if a := el.e.Labels; a != nil {
		items, _ := el.strMap(a, "labels")
		for _, it := range items {
			if !el.checkLabel(it) {
				continue
			}
			seen[it.Key] = true
			env.Labels = append(env.Labels, ir.KeyValue{Key: it.Key, Value: it.Value, Range: it.Range})
		}
	}
	if env.Description != "" && !seen[ir.DescriptionLabel] {
		env.Labels = append(env.Labels, ir.KeyValue{Key: ir.DescriptionLabel, Value: env.Description, Range: el.e.Description.Expr.Range()})
	}
}

// checkLabel reports a label that not every target can carry.
func (el *envLowerer) checkLabel(it item) bool {
	if !el.literal(it.Key, it.KeyRange, "label key", false) || !el.literal(it.Value, it.Range, "label value", false) {
		return false
	}
	if why := labelKeyProblem(it.Key); why != "" {
		el.errorf(it.KeyRange, "Invalid label key", "The label key %q cannot be carried: %s.", it.Key, why)
		return false
	}
	if why := labelValueProblem(it.Value); why != "" {
		el.errorf(it.Range, "Invalid label value", "The value of the label %q cannot be carried: %s.", it.Key, why)
		return false
	}
	return true
}
