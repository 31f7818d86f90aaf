package compiler

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Modules and for_each repeat blocks that a spec writes once: a module
// call reads a module file and lowers its steps with its own variables,
// and for_each lowers a block once for each element of a value. Both are
// bounded, so that a short spec cannot make an environment of millions of
// steps (docs/safety.md).
const (
	// maxModuleDepth is how deeply module calls may nest: a spec calls a
	// module, that one another, and so on.
	maxModuleDepth = 8
	// maxForEach bounds the elements of one for_each (range() makes 1024
	// at most).
	maxForEach = 1024
	// maxBlocks bounds the blocks an environment lowers, counting each
	// instance of a for_each and each block, local and output of each
	// module call: every one evaluates its expressions again. One
	// attribute within the value limits can take some 30 ms to evaluate
	// (a join over a for expression of 1000 elements), so this keeps a
	// short spec to about two minutes at worst, what a spec that wrote
	// the blocks out would take.
	maxBlocks = 4096
	// maxModuleFile bounds a module file.
	maxModuleFile = 4 << 20
)

// scope is where the blocks being lowered were written: the spec (in an
// environment or a stage) or a module file, called with its arguments.
type scope struct {
	// ctx is the scope's evaluation context: the spec's, or a module's
	// (its var and local), with the outputs of the module calls so far
	// (module.NAME).
	ctx *hcl.EvalContext
	// file is the file the blocks are in, as diagnostics name it.
	file string
	// dir is the folder of file, slash-separated and relative to the
	// spec's folder ("" for the spec's folder itself): copy sources in
	// the file are relative to it.
	dir string
	// call names the module call the scope is for (module.NAME, nested
	// calls after their outer one); "" for the spec.
	call string
	// stack holds the module files being lowered (dir-relative paths),
	// outermost first, for cycles and depth.
	stack []string
	// outputs are the module calls' outputs so far, by call name; calls
	// says where each call is, for duplicates.
	outputs map[string]cty.Value
	calls   map[string]hcl.Range
}

// loadedModule is a module file read once per compilation.
type loadedModule struct {
	mod   *schema.Module
	diags hcl.Diagnostics
	// reported says the diags were reported (at the first call).
	reported bool
}

// specScope returns the scope of an environment or stage block of the
// spec: a child of the spec's context, so that its module outputs stay
// its own.
func (el *envLowerer) specScope() *scope {
	ctx := el.l.ev.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{}
	return &scope{
		ctx:     ctx,
		file:    el.l.spec.Filename,
		outputs: map[string]cty.Value{},
		calls:   map[string]hcl.Range{},
	}
}

// lowerStepList lowers step, pip and module blocks in order onto
// env.Steps, each once or once for each element of its for_each.
func (el *envLowerer) lowerStepList(steps []*schema.Step) {
	for _, st := range steps {
		if st.Module != nil {
			el.lowerModule(st)
			continue
		}
		el.repeat(st.ForEach, st.DeclRange, func(string) {
			el.env.Steps = append(el.env.Steps, el.lowerStepBlock(st)...)
		})
	}
}

// instance is one element of a for_each: its each.key and each.value.
type instance struct {
	key, value cty.Value
}

// repeat calls f once (forEach nil) or once for each element of
// forEach's value, with each.key and each.value set while it runs and
// the element's key as text. A block counts against maxBlocks each time.
// It reports false when for_each had errors.
func (el *envLowerer) repeat(forEach *hcl.Attribute, rng hcl.Range, f func(key string)) bool {
	if forEach == nil {
		if el.countBlock(rng) {
			f("")
		}
		return true
	}
	insts, ok := el.forEach(forEach)
	if !ok {
		return false
	}
	saved := el.ev
	defer func() { el.ev = saved }()
	for _, in := range insts {
		if !el.countBlock(rng) {
			return true
		}
		ctx := saved.ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": in.key, "value": in.value})}
		el.ev = &evaluator{ctx: ctx, watch: saved.watch}
		f(keyText(in.key))
	}
	return true
}

// countBlock counts one more block lowered; past maxBlocks it reports an
// error (once) and returns false.
func (el *envLowerer) countBlock(rng hcl.Range) bool { return el.countBlocks(1, rng) }

// countBlocks counts n more blocks (or locals, or outputs) lowered.
func (el *envLowerer) countBlocks(n int, rng hcl.Range) bool {
	before := el.blocks
	el.blocks += n
	if before <= maxBlocks && el.blocks > maxBlocks {
		el.errorf(rng, "Too many blocks",
			"The environment %q lowers more than %d blocks, counting each element of a for_each and each block, local and output of a module as often as it is called; envc stops there, so that a spec stays quick to compile. Repeat less, or split the environment.", el.env.Name, maxBlocks)
	}
	return el.blocks <= maxBlocks
}

// keyText is an each.key as text: a string as it is, a list index in
// decimal.
func keyText(k cty.Value) string {
	if k.Type() == cty.String {
		return k.AsString()
	}
	bf := k.AsBigFloat()
	i, _ := bf.Int64()
	return strconv.FormatInt(i, 10)
}

// forEach evaluates a for_each: a map or object (each.key is the key, in
// key order), a set of strings (each.key and each.value are the element,
// in sorted order) or a list or tuple (each.key is the index, in list
// order). ok is false when it has errors.
func (el *envLowerer) forEach(a *hcl.Attribute) ([]instance, bool) {
	v, diags := el.ev.value(a.Expr)
	if !el.report(diags) {
		return nil, false
	}
	ty := v.Type()
	rng := a.Expr.Range()
	switch {
	case ty.IsMapType() || ty.IsObjectType() || ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
	default:
		el.errorf(rng, "Invalid for_each", "for_each takes a map, an object, a set of strings or a list, not %s: the block is lowered once for each element, with each.key and each.value.", ty.FriendlyName())
		return nil, false
	}
	if n := v.LengthInt(); n > maxForEach {
		el.errorf(rng, "Too many for_each elements", "This for_each has %d elements; envc allows %d in one block, so that a spec stays quick to compile. Repeat less, or split the list.", n, maxForEach)
		return nil, false
	}
	var out []instance
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			el.errorf(rng, "Null value", "An element of for_each is null. Remove it, or give it a value.")
			return nil, false
		}
		if ty.IsSetType() {
			s, err := convert.Convert(e, cty.String)
			if err != nil {
				el.errorf(rng, "Invalid for_each", "A set in for_each must hold strings (each.key is the element), not %s. Use a map to repeat over other values.", e.Type().FriendlyName())
				return nil, false
			}
			k, e = s, s
		}
		out = append(out, instance{key: k, value: e})
	}
	// cty iterates maps, objects and sets of strings in key order, lists
	// in their order: the order never depends on the run.
	return out, true
}

// lowerModule lowers a module block: once, or once for each element of
// its for_each; the steps after it see its outputs as module.NAME (a map
// of them by each.key with for_each).
func (el *envLowerer) lowerModule(st *schema.Step) {
	call := st.Module
	sc := el.scope
	if prev, dup := sc.calls[call.Name]; dup {
		el.errorf(call.NameRange, "Duplicate module call",
			"A module call named %q was already made at %s: the steps after a call read its outputs as module.%s. Give each call a unique name.", call.Name, prev, call.Name)
		return
	}
	sc.calls[call.Name] = st.DeclRange
	var outputs map[string]cty.Value
	if st.ForEach != nil {
		outputs = map[string]cty.Value{}
	}
	ok := el.repeat(st.ForEach, st.DeclRange, func(key string) {
		name := sc.call + "module." + call.Name
		if st.ForEach != nil {
			name += "[" + strconv.Quote(key) + "]"
		}
		out := el.lowerModuleCall(st, name)
		if outputs != nil {
			outputs[key] = out
		} else {
			sc.outputs[call.Name] = out
		}
	})
	switch {
	case !ok:
		// Reported: the blocks after the call add no errors of their own.
		sc.outputs[call.Name] = cty.DynamicVal
	case outputs != nil:
		sc.outputs[call.Name] = cty.ObjectVal(outputs)
	}
	sc.ctx.Variables["module"] = cty.ObjectVal(sc.outputs)
}

// lowerModuleCall lowers one call of a module, named name, and returns
// its outputs (an object, DynamicVal after an error). Every problem found
// in the module file names the call.
func (el *envLowerer) lowerModuleCall(st *schema.Step, name string) cty.Value {
	call := st.Module
	start := len(el.diags)
	defer el.nameCallSite(start, name, st.DeclRange)
	if call.Source == nil {
		return cty.DynamicVal
	}
	src, ok := el.str(call.Source, "module source")
	if !ok {
		return cty.DynamicVal
	}
	rel, host, ok := el.moduleSource(src, call.Source.Expr.Range())
	if !ok {
		return cty.DynamicVal
	}
	sc := el.scope
	for i, s := range sc.stack {
		if s == rel {
			chain := append(append([]string{}, sc.stack[i:]...), rel)
			el.errorf(call.Source.Expr.Range(), "Module cycle",
				"The module %q is already being called: %s. A module cannot call itself, directly or through others; break the cycle.", src, strings.Join(chain, " calls "))
			return cty.DynamicVal
		}
	}
	if len(sc.stack) >= maxModuleDepth {
		el.errorf(st.DeclRange, "Modules nested too deeply",
			"This call would nest modules %d deep; envc allows %d. Call the inner modules from the spec, one after another.", len(sc.stack)+1, maxModuleDepth)
		return cty.DynamicVal
	}
	lm := el.l.loadModule(rel, host, el.moduleFilename(rel))
	if !lm.reported {
		lm.reported = true
		el.diags = append(el.diags, lm.diags...)
	}
	if lm.mod == nil || lm.diags.HasErrors() {
		return cty.DynamicVal
	}
	vars, ok := el.moduleVariables(st, lm.mod)
	if !ok {
		return cty.DynamicVal
	}
	ctx := scopeContext(el.l.ev.ctx, map[string]cty.Value{"var": cty.ObjectVal(vars)})
	if !el.countBlocks(len(lm.mod.Locals)+len(lm.mod.Outputs), st.DeclRange) {
		return cty.DynamicVal
	}
	_, diags := evalLocals(lm.mod.Locals, ctx, el.ev.watch)
	if !el.report(diags) {
		return cty.DynamicVal
	}
	inner := &scope{
		ctx:     ctx,
		file:    lm.mod.Filename,
		dir:     path.Dir(rel),
		call:    name + ".",
		stack:   append(append([]string(nil), sc.stack...), rel),
		outputs: map[string]cty.Value{},
		calls:   map[string]hcl.Range{},
	}
	if inner.dir == "." {
		inner.dir = ""
	}
	first := len(el.env.Steps)
	index := len(el.env.Modules)
	el.env.Modules = append(el.env.Modules, ir.Module{Call: name, Source: rel, Range: st.DeclRange})
	savedEv, savedScope := el.ev, el.scope
	el.ev, el.scope = &evaluator{ctx: ctx, watch: savedEv.watch}, inner
	el.lowerStepList(lm.mod.Steps)
	out := map[string]cty.Value{}
	for _, o := range lm.mod.Outputs {
		v, diags := el.ev.value(o.Value)
		if el.report(diags) {
			out[o.Name] = v
		} else {
			out[o.Name] = cty.DynamicVal
		}
	}
	el.ev, el.scope = savedEv, savedScope
	el.env.Modules[index].Steps = len(el.env.Steps) - first
	return cty.ObjectVal(out)
}

// callNote starts the paragraph nameCallSite adds.
const callNote = "\n\nIn module"

// nameCallSite adds, to each problem reported since start that lies in
// another file than the call's, the call that led there.
func (el *envLowerer) nameCallSite(start int, name string, at hcl.Range) {
	for _, d := range el.diags[start:] {
		if d.Subject == nil || d.Subject.Filename == at.Filename {
			continue
		}
		if _, ok := d.Extra.(followOnMarker); ok {
			continue
		}
		if strings.Contains(d.Detail, callNote) {
			// An inner call named itself: its name holds this one's.
			d.Detail = strings.TrimSuffix(d.Detail, ".") + fmt.Sprintf(", from %s.", at)
			continue
		}
		d.Detail = strings.TrimRight(d.Detail, "\n") + fmt.Sprintf("%s%s, called at %s.", callNote, strings.TrimPrefix(name, "module"), at)
	}
}

// moduleSource resolves a module source (relative to the file of the
// call) to its path relative to the spec's folder and on the host. The
// module file must be in the spec's folder or below it, as copied files
// are: the spec and its modules travel together.
func (el *envLowerer) moduleSource(src string, rng hcl.Range) (rel, host string, ok bool) {
	if hasNUL(src) || src == "" {
		el.errorf(rng, "Invalid module source", "The module source must name a file, relative to this file, e.g. \"./modules/openmpi.hcl\".")
		return "", "", false
	}
	if filepath.IsAbs(src) || path.IsAbs(src) {
		el.errorf(rng, "Absolute module source",
			"The module source %q must be relative to the file that calls it, so the spec works on every checkout. Move the module next to the spec.", src)
		return "", "", false
	}
	rel, inside := el.specRel(src)
	if !inside {
		el.errorf(rng, "Module outside the spec's directory",
			"The module source %q leaves the spec's directory. Keep modules in the spec's directory or below it (e.g. modules/), as the files the spec copies.", src)
		return "", "", false
	}
	host = filepath.Join(el.opts.SpecDir, filepath.FromSlash(rel))
	if diag := checkInside(el.opts.SpecDir, host, src, rng); diag != nil {
		diag.Summary = "Module outside the spec's directory"
		diag.Detail = fmt.Sprintf("The module source %q is a symbolic link (or lies under one) that leads outside the spec's directory. Copy the module into the spec's directory instead of linking to it.", src)
		el.diags = append(el.diags, diag)
		return "", "", false
	}
	el.opts.Inputs.Stat(host)
	st, err := os.Stat(host)
	switch {
	case err != nil:
		el.errorf(rng, "Module not found",
			"The module file %q does not exist (looked for it relative to %s). Create it, or correct the path.", src, el.relativeTo())
		return "", "", false
	case !st.Mode().IsRegular():
		el.errorf(rng, "Module is not a file", "The module source %q is not a regular file: name the module's .hcl file.", src)
		return "", "", false
	}
	return rel, host, true
}

// relativeTo names the folder the current scope's paths are relative to.
func (el *envLowerer) relativeTo() string {
	switch {
	case el.scope == nil || el.scope.call == "":
		return "the spec's directory"
	case el.scope.dir == "":
		return "the module's folder, the spec's directory"
	}
	return "the module's folder, " + el.scope.dir
}

// moduleFilename is the name diagnostics give the module file at rel:
// beside the spec's own name.
func (el *envLowerer) moduleFilename(rel string) string {
	return filepath.Join(filepath.Dir(el.l.spec.Filename), filepath.FromSlash(rel))
}

// loadModule reads, parses and decodes the module file at host once.
func (l *lowerer) loadModule(rel, host, filename string) *loadedModule {
	if lm, ok := l.modules[rel]; ok {
		return lm
	}
	lm := &loadedModule{}
	l.modules[rel] = lm
	src, err := readLimited(host, maxModuleFile)
	if err == nil {
		l.opts.Inputs.File(host, src)
	}
	if err != nil {
		lm.diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read module", Detail: fmt.Sprintf("Reading the module file %s: %v.", filename, err)}}
		return lm
	}
	f, diags := schema.Parse(filename, src)
	if l.opts.Files != nil {
		l.opts.Files[filename] = f
	}
	lm.diags = diags
	if diags.HasErrors() {
		return lm
	}
	if diags := checkForNesting(filename, src, f); diags.HasErrors() {
		lm.diags = append(lm.diags, diags...)
		return lm
	}
	mod, diags := schema.DecodeModule(f)
	mod.Filename = filename
	lm.mod = mod
	lm.diags = append(lm.diags, diags...)
	return lm
}

// readLimited reads the file at name, refusing one of more than limit
// bytes.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > limit {
		return nil, fmt.Errorf("it is larger than %d MiB", limit>>20)
	}
	return src, nil
}

// moduleVariables evaluates a call's arguments (in the caller's scope)
// as the module's variables: each converted to its type and validated,
// a variable no argument sets taking its default. ok is false when
// there was an error.
func (el *envLowerer) moduleVariables(st *schema.Step, mod *schema.Module) (map[string]cty.Value, bool) {
	call := st.Module
	declared := map[string]*schema.Variable{}
	var names []string
	for _, v := range mod.Variables {
		declared[v.Name] = v
		names = append(names, v.Name)
	}
	ok := true
	given := map[string]*hcl.Attribute{}
	for _, a := range call.Args {
		if declared[a.Name] == nil {
			list := "it declares no variables"
			if len(names) > 0 {
				list = "it declares " + strings.Join(names, ", ")
			}
			el.errorf(a.NameRange, "Unknown module argument",
				"The module %q declares no variable %q (%s). Remove the argument, or declare the variable in the module.", call.Name, a.Name, list)
			ok = false
			continue
		}
		given[a.Name] = a
	}
	vals := map[string]cty.Value{}
	for _, v := range mod.Variables {
		var val cty.Value
		rng := v.DeclRange
		if a := given[v.Name]; a != nil {
			x, diags := el.ev.value(a.Expr)
			if !el.report(diags) {
				ok = false
				continue
			}
			val, rng = x, a.Expr.Range()
		} else if v.Default != nil {
			x, diags := v.Default.Expr.Value(nil)
			if !el.report(diags) {
				ok = false
				continue
			}
			val, rng = x, v.Default.Expr.Range()
		} else {
			el.errorf(call.NameRange, "Missing module argument",
				"The module %q needs a value for its variable %q, which has no default (declared at %s). Add %s = ... to the module block.", call.Name, v.Name, v.DeclRange, v.Name)
			ok = false
			continue
		}
		cv, err := convert.Convert(val, v.Type)
		if err != nil {
			el.errorf(rng, "Invalid value for module variable",
				"The value for the variable %q of module %q does not match its type %s: %s.", v.Name, call.Name, v.Type.FriendlyName(), err)
			ok = false
			continue
		}
		if !el.report(checkValidations(v, cv)) {
			ok = false
			continue
		}
		vals[v.Name] = cv
	}
	return vals, ok
}
