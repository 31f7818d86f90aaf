package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Settings is a spec's top-level envc block: how envc treats the spec,
// not what the environments are.
//
//	envc {
//	  ignore = ["vagrant-base-not-image", "llb-port-host-binding"]
//	}
type Settings struct {
	// Ignore names the rules whose warnings are not reported for this
	// spec, each with the range of its string (the command line checks
	// the names: the rules belong to the compiler and the emitters).
	Ignore []RuleName
	// DeclRange is the block's header.
	DeclRange hcl.Range
}

// RuleName is a rule named in the settings.
type RuleName struct {
	Name  string
	Range hcl.Range
}

var settingsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "ignore"}},
}

// decodeSettings decodes an envc block into spec.Settings; a second
// block is an error.
func decodeSettings(block *hcl.Block, spec *Spec) hcl.Diagnostics {
	if spec.Settings != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Duplicate envc block",
			Detail:   fmt.Sprintf("A spec has one envc block; the first is at %s. Merge the two.", spec.Settings.DeclRange),
			Subject:  block.DefRange.Ptr(),
		}}
	}
	s := &Settings{DeclRange: block.DefRange}
	spec.Settings = s
	content, diags := block.Body.Content(settingsSchema)
	attr := content.Attributes["ignore"]
	if attr == nil {
		return diags
	}
	// The settings are read before variables exist: only a literal list
	// of strings is accepted.
	v, moreDiags := attr.Expr.Value(nil)
	if moreDiags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType()) {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid ignore list",
			Detail:   `ignore takes a literal list of rule names, such as ignore = ["vagrant-base-not-image"] (no variables: the settings are read first). The rule of each warning is printed in brackets after its summary.`,
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	elems := ruleElems(attr.Expr)
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		rng := attr.Expr.Range()
		if i < len(elems) {
			rng = elems[i]
		}
		if ev.IsNull() || ev.Type() != cty.String || ev.AsString() == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid rule name",
				Detail:   fmt.Sprintf("Element %d of ignore is not a rule name: write the rule as a string, e.g. \"llb-port-host-binding\".", i),
				Subject:  rng.Ptr(),
			})
			continue
		}
		s.Ignore = append(s.Ignore, RuleName{Name: ev.AsString(), Range: rng})
	}
	return diags
}

// ruleElems returns the range of each element of a tuple expression, or
// nil for another kind of expression.
func ruleElems(expr hcl.Expression) []hcl.Range {
	exprs, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return nil
	}
	out := make([]hcl.Range, len(exprs))
	for i, e := range exprs {
		out[i] = e.Range()
	}
	return out
}
