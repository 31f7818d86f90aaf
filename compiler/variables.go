package compiler

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// VarValue is a value for a variable given outside the spec.
type VarValue struct {
	Name string
	// Raw is the text as given: taken literally for string variables,
	// parsed as an HCL expression for any other type.
	Raw string
	// Source says where it came from, e.g. "--var" or "ENVC_VAR_tag".
	Source string
}

// VarsFromEnviron returns the ENVC_VAR_<name> entries of environ, sorted by
// name.
func VarsFromEnviron(environ []string) []VarValue {
	var out []VarValue
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "ENVC_VAR_") || len(k) == len("ENVC_VAR_") {
			continue
		}
		name := strings.TrimPrefix(k, "ENVC_VAR_")
		out = append(out, VarValue{Name: name, Raw: v, Source: "environment variable " + k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ParseVarFlag splits a --var argument "name=value".
func ParseVarFlag(arg string) (VarValue, error) {
	name, value, ok := strings.Cut(arg, "=")
	if !ok || name == "" {
		return VarValue{}, fmt.Errorf("invalid --var %q: want name=value", arg)
	}
	return VarValue{Name: name, Raw: value, Source: "--var"}, nil
}

type givenValue struct {
	value cty.Value
	expr  hcl.Expression // nil for raw values
	raw   *VarValue
}

// evalVariables returns the value of every declared variable.
func evalVariables(spec *schema.Spec, opts Options) (map[string]cty.Value, hcl.Diagnostics) {
	declared := map[string]*schema.Variable{}
	for _, v := range spec.Variables {
		declared[v.Name] = v
	}
	given, diags := givenValues(declared, opts)
	vals := map[string]cty.Value{}
	for _, v := range spec.Variables {
		val, moreDiags := variableValue(v, given[v.Name])
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() {
			vals[v.Name] = cty.DynamicVal
			continue
		}
		vals[v.Name] = val
		diags = append(diags, checkValidations(v, val)...)
	}
	return vals, diags
}

// givenValues returns the values given for the declared variables
// outside the spec, the last one of each winning: environment variables,
// variable files, then --var flags.
func givenValues(declared map[string]*schema.Variable, opts Options) (map[string]givenValue, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	given := map[string]givenValue{}
	for i := range opts.EnvVars {
		vv := opts.EnvVars[i]
		if _, ok := declared[vv.Name]; ok {
			given[vv.Name] = givenValue{raw: &vv}
		}
	}
	for _, path := range opts.VarFiles {
		diags = append(diags, readVarFile(path, declared, given, opts.Inputs)...)
	}
	for i := range opts.Vars {
		vv := opts.Vars[i]
		if _, ok := declared[vv.Name]; !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Undeclared variable",
				Detail: fmt.Sprintf("A value for %q was given with %s, but the spec declares no such variable.", vv.Name, vv.Source)})
			continue
		}
		given[vv.Name] = givenValue{raw: &vv}
	}
	return given, diags
}

// readVarFile adds the values of the variable file at path to given, in
// the order of their names.
func readVarFile(path string, declared map[string]*schema.Variable, given map[string]givenValue, inputs *Inputs) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	inputs.Stat(path)
	if err == nil {
		inputs.File(path, src)
	}
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read variable file", Detail: fmt.Sprintf("Reading %q failed: %v.", path, err)}}
	}
	f, diags := parseVarFile(path, src)
	if diags.HasErrors() {
		return diags
	}
	attrs, moreDiags := f.Body.JustAttributes()
	diags = append(diags, moreDiags...)
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := attrs[n]
		if _, ok := declared[n]; !ok {
			diags = append(diags, errorAt(a.NameRange, "Undeclared variable",
				"The spec declares no variable %q. Declare it with a variable block, or remove it from this file.", n))
			continue
		}
		v, moreDiags := a.Expr.Value(nil)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			given[n] = givenValue{value: v, expr: a.Expr}
		}
	}
	return diags
}

// parseVarFile parses a variable file: a JSON object when its name ends
// in .json (as terraform's *.tfvars.json), else HCL attributes.
func parseVarFile(path string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(path, ".json") {
		return hcljson.Parse(src, path)
	}
	return hclsyntax.ParseConfig(src, path, hcl.InitialPos)
}

func variableValue(v *schema.Variable, g givenValue) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var val cty.Value
	var rng = v.DeclRange
	source := "default"
	switch {
	case g.raw != nil:
		source = g.raw.Source
		rv, moreDiags := rawValue(v, g.raw)
		if moreDiags.HasErrors() {
			return cty.NilVal, moreDiags
		}
		val = rv
	case g.expr != nil:
		source = "a variable file"
		val = g.value
		rng = g.expr.Range()
	case v.Default != nil:
		dv, moreDiags := v.Default.Expr.Value(nil)
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() {
			return cty.NilVal, diags
		}
		val = dv
		rng = v.Default.Expr.Range()
	default:
		return cty.NilVal, hcl.Diagnostics{errorAt(v.DeclRange, "No value for required variable",
			"The variable %q has no default and no value was given. Set it with --var %s=VALUE, a --var-file, or the environment variable ENVC_VAR_%s, or give it a default.",
			v.Name, v.Name, v.Name)}
	}
	cv, err := convert.Convert(val, v.Type)
	if err != nil {
		return cty.NilVal, append(diags, errorAt(rng, "Invalid value for variable",
			"The value for variable %q (from %s) does not match its type %s: %s.", v.Name, source, v.Type.FriendlyName(), err))
	}
	return cv, diags
}

// rawValue reads the value raw given for v as text: literally for a
// string variable, as an HCL expression for any other type.
func rawValue(v *schema.Variable, raw *VarValue) (cty.Value, hcl.Diagnostics) {
	if v.Type == cty.String || v.Type == cty.DynamicPseudoType {
		return cty.StringVal(raw.Raw), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw.Raw), raw.Source, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{errorAt(v.DeclRange, "Invalid value for variable",
			"The value given for variable %q with %s is not a valid expression for type %s: %s.",
			v.Name, raw.Source, v.Type.FriendlyName(), diags[0].Summary)}
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{errorAt(v.DeclRange, "Invalid value for variable",
			"The value %q given for variable %q with %s is not a %s: %s. Quote text values only for string variables.",
			raw.Raw, v.Name, raw.Source, v.Type.FriendlyName(), diags[0].Summary)}
	}
	return val, nil
}

func checkValidations(v *schema.Variable, val cty.Value) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ctx, release := evalContext(map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})})
	defer release()
	for _, vb := range v.Validations {
		cond, moreDiags := vb.Condition.Value(ctx)
		if moreDiags.HasErrors() {
			diags = append(diags, moreDiags...)
			continue
		}
		cond, err := convert.Convert(cond, cty.Bool)
		if err != nil || cond.IsNull() {
			diags = append(diags, errorAt(vb.Condition.Range(), "Invalid validation condition", "A validation condition must be true or false."))
			continue
		}
		if cond.True() {
			continue
		}
		msg, moreDiags := vb.ErrorMessage.Value(ctx)
		text := "The value is not valid."
		if !moreDiags.HasErrors() {
			if s, err := convert.Convert(msg, cty.String); err == nil && !s.IsNull() {
				text = s.AsString()
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", text, vb.DeclRange),
			Subject:  v.DeclRange.Ptr(),
		})
	}
	return diags
}

// evalLocals evaluates the local values in dependency order.
func evalLocals(locals []*hcl.Attribute, ctx *hcl.EvalContext, w *watch) (map[string]cty.Value, hcl.Diagnostics) {
	byName := map[string]*hcl.Attribute{}
	for _, a := range locals {
		byName[a.Name] = a
	}
	order, diags := localOrder(locals, byName)
	vals := map[string]cty.Value{}
	for _, a := range locals {
		vals[a.Name] = cty.DynamicVal
	}
	for _, a := range order {
		// An expression that names only declared locals (local.NAME) sees
		// an object of just those, so that evaluating n locals is linear in
		// n; any other use of local (a missing name, local as a whole, an
		// index) sees every local, as diagnostics then need.
		ctx.Variables["local"] = localsFor(a, byName, vals)
		w.evaluating(a.Expr.Range())
		v, moreDiags := a.Expr.Value(ctx)
		diags = append(diags, moreDiags...)
		if moreDiags.HasErrors() {
			continue
		}
		if valueSize(v, maxLocalSize) > maxLocalSize {
			diags = append(diags, errorAt(a.Expr.Range(), "Local value too large",
				"The local value %q is larger than envc allows (%d bytes of text and elements). Build a smaller value.", a.Name, maxLocalSize))
			continue
		}
		vals[a.Name] = v
	}
	ctx.Variables["local"] = cty.ObjectVal(vals)
	return vals, diags
}

// localOrder returns locals ordered so that each comes after the locals
// it names (byName holds them all). A local in a cycle, or after one, is
// left out; each cycle is reported.
func localOrder(locals []*hcl.Attribute, byName map[string]*hcl.Attribute) ([]*hcl.Attribute, hcl.Diagnostics) {
	s := &localSort{byName: byName, state: map[string]int{}}
	for _, a := range locals {
		if s.state[a.Name] == 0 {
			s.visit(a)
		}
	}
	return s.order, s.diags
}

// localSort is a depth-first sort of the locals by what they name.
type localSort struct {
	byName map[string]*hcl.Attribute
	state  map[string]int // 0 new, 1 visiting, 2 done
	stack  []string       // the locals being visited, outermost first
	order  []*hcl.Attribute
	diags  hcl.Diagnostics
}

// visit orders a after the locals it names; it returns false when a is
// in a cycle or after one.
func (s *localSort) visit(a *hcl.Attribute) bool {
	switch s.state[a.Name] {
	case 1:
		s.reportCycle(a)
		return false
	case 2:
		return true
	}
	s.state[a.Name] = 1
	s.stack = append(s.stack, a.Name)
	ok := true
	for _, d := range localDeps(a, s.byName) {
		if !s.visit(s.byName[d]) {
			ok = false
			break
		}
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.state[a.Name] = 2
	if ok {
		s.order = append(s.order, a)
	}
	return ok
}

// reportCycle reports the cycle that reaches a again.
func (s *localSort) reportCycle(a *hcl.Attribute) {
	i := 0
	for i < len(s.stack) && s.stack[i] != a.Name {
		i++
	}
	cycle := append(append([]string(nil), s.stack[i:]...), a.Name)
	for j := range cycle {
		cycle[j] = "local." + cycle[j]
	}
	s.diags = append(s.diags, errorAt(a.NameRange, "Cycle in local values",
		"The local value %q depends on itself: %s. Break the cycle.", a.Name, strings.Join(cycle, " -> ")))
}

// localDeps returns the locals of byName that a names, as local.NAME.
func localDeps(a *hcl.Attribute, byName map[string]*hcl.Attribute) []string {
	var out []string
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() != "local" || len(tr) < 2 {
			continue
		}
		if step, ok := tr[1].(hcl.TraverseAttr); ok {
			if _, ok := byName[step.Name]; ok {
				out = append(out, step.Name)
			}
		}
	}
	return out
}

// localsFor returns the value of "local" for evaluating a: the object of
// the locals a names, or of all of vals when a names one not in byName or
// uses local other than as local.NAME.
func localsFor(a *hcl.Attribute, byName map[string]*hcl.Attribute, vals map[string]cty.Value) cty.Value {
	some := map[string]cty.Value{}
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() != "local" {
			continue
		}
		var step hcl.TraverseAttr
		ok := len(tr) >= 2
		if ok {
			step, ok = tr[1].(hcl.TraverseAttr)
		}
		if ok {
			_, ok = byName[step.Name]
		}
		if !ok {
			return cty.ObjectVal(vals)
		}
		some[step.Name] = vals[step.Name]
	}
	return cty.ObjectVal(some)
}
