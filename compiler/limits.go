package compiler

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// A spec is small, but a few functions, and local values built from each
// other, can make values far larger than the spec: format("%900000000s",
// "x") or setproduct(range(1024), range(1024), range(1024)) would take
// gigabytes. These limits keep a compilation small and quick; no real
// spec comes near them.
const (
	// maxFormatWidth bounds the width and precision of a format verb.
	maxFormatWidth = 10000
	// maxProduct bounds the number of elements setproduct makes.
	maxProduct = 10000
	// maxIndent bounds the bytes indent adds.
	maxIndent = 1 << 20
	// maxLocalSize bounds a local value: its string bytes plus its
	// elements, counted through nested collections.
	maxLocalSize = 1 << 20
	// maxValueSize bounds every value the spec's expressions make, counted
	// as valueSize counts: a function's arguments and its result (judged
	// before the call where the result can be computed from the
	// arguments), and each attribute's value.
	maxValueSize = 1 << 20
)

// limitedFunctions returns the spec functions with the checks above:
// every function's arguments and result are bounded by maxValueSize, and
// the functions whose result can outgrow their arguments are judged
// before they run.
func limitedFunctions() map[string]function.Function {
	fs := schema.Functions()
	checks := map[string]func(args []cty.Value) error{
		"format":        checkFormat,
		"formatlist":    checkFormatList,
		"setproduct":    checkProduct,
		"indent":        checkIndent,
		"join":          checkJoin,
		"replace":       checkReplace,
		"regex_replace": checkRegexReplace,
	}
	for name, f := range fs {
		fs[name] = guarded(name, f, checks[name])
	}
	return fs
}

// guarded returns f with its arguments checked (by check, when not nil,
// and against maxValueSize) before it runs, and its result after.
func guarded(name string, f function.Function, check func(args []cty.Value) error) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        f.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			size := 0
			for _, a := range args {
				if size += valueSize(a, maxValueSize-size); size > maxValueSize {
					return cty.NilVal, fmt.Errorf("its arguments are more than %d bytes and elements, more than a spec may make", maxValueSize)
				}
			}
			if check != nil {
				if err := check(args); err != nil {
					return cty.NilVal, err
				}
			}
			v, err := f.Call(args)
			if err == nil && valueSize(v, maxValueSize) > maxValueSize {
				return cty.NilVal, fmt.Errorf("%s would make a value of more than %d bytes and elements, more than a spec may make", name, maxValueSize)
			}
			return v, err
		},
	})
}

// tooLarge is the error of a function whose result would pass
// maxValueSize.
func tooLarge(what string, n int) error {
	return fmt.Errorf("the %s would be about %d bytes, more than the %d a spec may make", what, n, maxValueSize)
}

// known reports whether every one of args is known and not null.
func known(args []cty.Value) bool {
	for _, a := range args {
		if !a.IsWhollyKnown() || a.IsNull() {
			return false
		}
	}
	return true
}

// checkJoin refuses a join whose result would pass maxValueSize.
func checkJoin(args []cty.Value) error {
	if len(args) < 2 || !known(args) || !args[0].Type().Equals(cty.String) {
		return nil
	}
	sep, n, total := len(args[0].AsString()), 0, 0
	for _, list := range args[1:] {
		if !list.CanIterateElements() {
			return nil
		}
		for it := list.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.Type().Equals(cty.String) {
				total += len(e.AsString())
			}
			if n++; total+n*sep > maxValueSize {
				return tooLarge("joined text", total+n*sep)
			}
		}
	}
	return nil
}

// checkReplace refuses a replace whose result would pass maxValueSize.
func checkReplace(args []cty.Value) error {
	if len(args) != 3 || !known(args) || !args[0].Type().Equals(cty.String) || !args[1].Type().Equals(cty.String) || !args[2].Type().Equals(cty.String) {
		return nil
	}
	s, sub, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
	n := strings.Count(s, sub)
	if size := len(s) + n*(len(repl)-len(sub)); size > maxValueSize {
		return tooLarge("replaced text", size)
	}
	return nil
}

// checkRegexReplace refuses a regex_replace that could make more than
// maxValueSize bytes: each match (at most one a byte, and one at the end)
// becomes the replacement, whose group references ($1) may each stand
// for the whole text.
func checkRegexReplace(args []cty.Value) error {
	if len(args) != 3 || !known(args) || !args[0].Type().Equals(cty.String) || !args[2].Type().Equals(cty.String) {
		return nil
	}
	s, repl := args[0].AsString(), args[2].AsString()
	per := len(repl) * (1 + strings.Count(repl, "$")*len(s))
	if size := len(s) + (len(s)+1)*per; per > maxValueSize || size > maxValueSize {
		return tooLarge("replaced text", max(size, per))
	}
	return nil
}

// checkFormat refuses a format string whose verbs ask for a width or
// precision above maxFormatWidth, or whose result would pass
// maxValueSize: the format, its arguments, and every verb's width.
func checkFormat(args []cty.Value) error {
	if len(args) == 0 || !args[0].IsKnown() || args[0].IsNull() || !args[0].Type().Equals(cty.String) {
		return nil
	}
	widths, err := formatWidths(args[0].AsString())
	if err != nil {
		return err
	}
	size := len(args[0].AsString()) + widths
	for _, a := range args[1:] {
		size += valueSize(a, maxValueSize)
	}
	if size > maxValueSize {
		return tooLarge("formatted text", size)
	}
	return nil
}

// checkFormatList refuses a formatlist whose result would pass
// maxValueSize: the format once for each element of its longest list.
func checkFormatList(args []cty.Value) error {
	if len(args) == 0 || !args[0].IsKnown() || args[0].IsNull() || !args[0].Type().Equals(cty.String) {
		return nil
	}
	widths, err := formatWidths(args[0].AsString())
	if err != nil {
		return err
	}
	n, size := 1, 0
	for _, a := range args[1:] {
		if a.IsKnown() && !a.IsNull() && a.CanIterateElements() {
			n = max(n, a.LengthInt())
		}
		size += valueSize(a, maxValueSize)
	}
	if size += n * (len(args[0].AsString()) + widths); size > maxValueSize {
		return tooLarge("formatted list", size)
	}
	return nil
}

// formatWidths returns the sum of the widths and precisions the verbs of
// the format s ask for; it refuses one above maxFormatWidth.
func formatWidths(s string) (int, error) {
	total := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		for i < len(s) && (s[i] == '-' || s[i] == '+' || s[i] == '#' || s[i] == ' ' || s[i] == '0') {
			i++
		}
		for part := 0; part < 2; part++ {
			n := 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				if n = n*10 + int(s[i]-'0'); n > maxFormatWidth {
					return 0, fmt.Errorf("a width or precision above %d is not allowed in a spec", maxFormatWidth)
				}
				i++
			}
			total += n
			if part == 0 && i < len(s) && s[i] == '.' {
				i++
				continue
			}
			break
		}
		i-- // the verb letter is looked at by the loop
	}
	return total, nil
}

// checkProduct refuses a setproduct with more than maxProduct elements.
func checkProduct(args []cty.Value) error {
	n := 1
	for _, a := range args {
		if !a.IsWhollyKnown() || a.IsNull() || !a.CanIterateElements() {
			return nil
		}
		if n *= a.LengthInt(); n > maxProduct {
			return fmt.Errorf("the product would have more than %d elements, more than a spec may make", maxProduct)
		}
	}
	return nil
}

// checkIndent refuses an indent that would add more than maxIndent bytes.
func checkIndent(args []cty.Value) error {
	if len(args) != 2 || !args[0].IsKnown() || !args[1].IsKnown() || args[0].IsNull() || args[1].IsNull() {
		return nil
	}
	spaces, acc := args[0].AsBigFloat().Int64()
	if acc != 0 && spaces > 0 || spaces > maxIndent {
		return fmt.Errorf("indenting by %s spaces is more than a spec may ask for", args[0].AsBigFloat().String())
	}
	lines := int64(1)
	for _, c := range args[1].AsString() {
		if c == '\n' {
			lines++
		}
	}
	if spaces*lines > maxIndent {
		return fmt.Errorf("the indented text would grow by more than %d bytes", maxIndent)
	}
	return nil
}

// valueSize is the bytes of the strings in v plus the number of elements
// and attributes, through nested collections; it stops counting past
// limit.
func valueSize(v cty.Value, limit int) int {
	if !v.IsKnown() || v.IsNull() {
		return 0
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return len(v.AsString())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		n := 0
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			n += 1 + valueSize(e, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	}
	return 1
}

// maxForDepth is how deeply for expressions may nest: three nested loops
// over range(1024) would evaluate a billion times.
const maxForDepth = 2

// checkNesting refuses for expressions nested more than maxForDepth deep
// anywhere in the spec, before anything is evaluated.
func checkNesting(spec *schema.Spec) hcl.Diagnostics {
	if len(spec.Bytes) == 0 {
		return nil
	}
	if spec.File != nil && bytes.Count(spec.Bytes, []byte("for")) <= maxForDepth {
		// Nesting maxForDepth+1 deep takes that many for keywords.
		return nil
	}
	f := spec.File
	if f == nil {
		var diags hcl.Diagnostics
		f, diags = hclsyntax.ParseConfig(spec.Bytes, spec.Filename, hcl.InitialPos)
		if diags.HasErrors() {
			return nil // the parser has reported them
		}
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	w := &forWalker{}
	hclsyntax.Walk(body, w)
	return w.diags
}

type forWalker struct {
	depth int
	diags hcl.Diagnostics
}

func (w *forWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	if e, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth++
		if w.depth == maxForDepth+1 {
			w.diags = append(w.diags, errorAt(e.SrcRange, "For expressions nested too deeply",
				"This for expression is nested %d deep; envc allows %d, so that a spec stays quick to evaluate. Build the value in steps with local values.", w.depth, maxForDepth))
		}
	}
	return nil
}

func (w *forWalker) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(*hclsyntax.ForExpr); ok {
		w.depth--
	}
	return nil
}
