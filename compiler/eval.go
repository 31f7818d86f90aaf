package compiler

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// evaluator evaluates expressions of one spec in one context.
type evaluator struct {
	ctx   *hcl.EvalContext
	watch *watch
}

func (e *evaluator) value(expr hcl.Expression) (cty.Value, hcl.Diagnostics) {
	e.watch.evaluating(expr.Range())
	v, diags := expr.Value(e.ctx)
	if diags.HasErrors() {
		return cty.NilVal, shellVarHint(diags)
	}
	if !v.IsWhollyKnown() {
		// The value depends on a variable or local that already failed.
		return cty.NilVal, append(diags, followOn(expr.Range()))
	}
	if n := valueSize(v, maxValueSize); n > maxValueSize {
		return cty.NilVal, append(diags, errorAt(expr.Range(), "Value too large",
			"This value has more than %d bytes and elements, more than a spec may make. Make it smaller, or move the text into a file.", maxValueSize))
	}
	if v.IsNull() {
		return cty.NilVal, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Null value",
			Detail:   "This value must not be null. Give a value, or remove the argument.",
			Subject:  expr.Range().Ptr(),
		})
	}
	return v, diags
}

// str evaluates expr to a string.
func (e *evaluator) str(expr hcl.Expression, what string) (string, hcl.Diagnostics) {
	v, diags := e.value(expr)
	if diags.HasErrors() {
		return "", diags
	}
	return toString(v, expr.Range(), what)
}

func toString(v cty.Value, rng hcl.Range, what string) (string, hcl.Diagnostics) {
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be a string, not %s.", what, v.Type().FriendlyName()),
			Subject:  rng.Ptr(),
		}}
	}
	return sv.AsString(), nil
}

// integer evaluates expr to a whole number.
func (e *evaluator) integer(expr hcl.Expression, what string) (int, hcl.Diagnostics) {
	v, diags := e.value(expr)
	if diags.HasErrors() {
		return 0, diags
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil || nv.IsNull() {
		return 0, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be a whole number, not %s.", what, v.Type().FriendlyName()),
			Subject:  expr.Range().Ptr(),
		})
	}
	bf := nv.AsBigFloat()
	i, acc := bf.Int64()
	if acc != big.Exact || i > 1<<31 || i < -(1<<31) {
		return 0, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid number",
			Detail:   fmt.Sprintf("The %s must be a whole number in a sensible range; %s is not.", what, bf.Text('g', 10)),
			Subject:  expr.Range().Ptr(),
		})
	}
	return int(i), diags
}

// boolean evaluates expr to a bool.
func (e *evaluator) boolean(expr hcl.Expression, what string) (bool, hcl.Diagnostics) {
	v, diags := e.value(expr)
	if diags.HasErrors() {
		return false, diags
	}
	bv, err := convert.Convert(v, cty.Bool)
	if err != nil || bv.IsNull() {
		return false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be true or false, not %s.", what, v.Type().FriendlyName()),
			Subject:  expr.Range().Ptr(),
		})
	}
	return bv.True(), diags
}

// item is one evaluated element of a list or one entry of a map, with the
// range that best locates it.
type item struct {
	Key   string
	Value string
	Range hcl.Range
	// KeyRange is the key's range for map entries.
	KeyRange hcl.Range
}

// strList evaluates expr to a list of strings. A literal list is evaluated
// element by element (each element keeps its own range, and no whole-list
// type conversion runs); any other expression is evaluated once and its
// elements are converted one at a time, so cost is linear in the length.
func (e *evaluator) strList(expr hcl.Expression, what string) ([]item, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if elems, moreDiags := hcl.ExprList(expr); !moreDiags.HasErrors() {
		out := make([]item, 0, len(elems))
		for _, el := range elems {
			s, moreDiags := e.str(el, "element of "+what)
			diags = append(diags, moreDiags...)
			if moreDiags.HasErrors() {
				continue // reported; an empty value would only add follow-on errors
			}
			out = append(out, item{Value: s, Range: el.Range()})
		}
		return out, diags
	}
	v, diags := e.value(expr)
	if diags.HasErrors() {
		return nil, diags
	}
	ty := v.Type()
	if !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be a list of strings, not %s.", what, ty.FriendlyName()),
			Subject:  expr.Range().Ptr(),
		})
	}
	out := make([]item, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Null value",
				Detail:   fmt.Sprintf("An element of the %s is null.", what),
				Subject:  expr.Range().Ptr(),
			})
			continue
		}
		s, moreDiags := toString(ev, expr.Range(), "element of "+what)
		diags = append(diags, moreDiags...)
		out = append(out, item{Value: s, Range: expr.Range()})
	}
	return out, diags
}

// strMap evaluates expr to an ordered map of strings. A literal object
// keeps author order; any other expression (merge(), a variable) is
// ordered by key.
func (e *evaluator) strMap(expr hcl.Expression, what string) ([]item, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if pairs, moreDiags := hcl.ExprMap(expr); !moreDiags.HasErrors() {
		out := make([]item, 0, len(pairs))
		for _, p := range pairs {
			k, moreDiags := e.str(p.Key, "key of "+what)
			diags = append(diags, moreDiags...)
			v, moreDiags := e.str(p.Value, what+" value")
			diags = append(diags, moreDiags...)
			out = append(out, item{Key: k, Value: v, Range: p.Value.Range(), KeyRange: p.Key.Range()})
		}
		return out, diags
	}
	v, diags := e.value(expr)
	if diags.HasErrors() {
		return nil, diags
	}
	ty := v.Type()
	if !(ty.IsMapType() || ty.IsObjectType()) {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect value type",
			Detail:   fmt.Sprintf("The %s must be a map of strings, not %s.", what, ty.FriendlyName()),
			Subject:  expr.Range().Ptr(),
		})
	}
	var out []item
	for it := v.ElementIterator(); it.Next(); {
		kv, ev := it.Element()
		if ev.IsNull() {
			continue
		}
		s, moreDiags := toString(ev, expr.Range(), what+" value")
		diags = append(diags, moreDiags...)
		out = append(out, item{Key: kv.AsString(), Value: s, Range: expr.Range(), KeyRange: expr.Range()})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, diags
}

func errorAt(rng hcl.Range, summary, detail string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  rng.Ptr(),
	}
}

// controlChar returns the first control character (other than tab) in s,
// and whether there is one.
func controlChar(s string) (rune, bool) {
	for _, r := range s {
		if r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f {
			return r, true
		}
	}
	return 0, false
}

func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// followOnMarker marks an error that only repeats an earlier one; Compile
// removes such diagnostics before returning.
type followOnMarker struct{}

func followOn(rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value depends on an earlier error", Subject: rng.Ptr(), Extra: followOnMarker{}}
}

func dropFollowOn(diags hcl.Diagnostics) hcl.Diagnostics {
	out := diags[:0]
	for _, d := range diags {
		if _, ok := d.Extra.(followOnMarker); !ok {
			out = append(out, d)
		}
	}
	return out
}

// unknownVariable matches HCL's detail for a reference to an undeclared
// variable.
var unknownVariable = lazyre.New(`^There is no variable named "([A-Za-z_][A-Za-z0-9_-]*)"\.`)

// shellVarHint adds, to each unknown-variable error, what is almost always
// meant: a shell or environment variable, which HCL interpolates unless
// its ${ is escaped.
func shellVarHint(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Summary != "Unknown variable" {
			continue
		}
		m := unknownVariable().FindStringSubmatch(d.Detail)
		switch {
		case m == nil:
			continue
		case m[1] == "each":
			d.Detail += " each.key and each.value are set only in a block with for_each (a step, pip, file or module block): add for_each, or write the value out."
			continue
		case m[1] == "module":
			d.Detail += " module.NAME.OUTPUT is the output of a module block earlier in the same step list (an environment's, a stage's or a module's): call the module before this block."
			continue
		}
		if !strings.Contains(d.Detail, "$${") {
			d.Detail += fmt.Sprintf(" The spec's values are HCL templates, where ${...} refers to var.NAME or local.NAME. For a shell or environment variable, write $${%s} (or $%s), which reaches the targets as ${%s}.", m[1], m[1], m[1])
		}
	}
	return diags
}
