package compiler

import (
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/lockfile"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Options are the inputs to a compilation besides the spec itself.
type Options struct {
	// SpecDir is the directory of the spec file: file and mount sources are
	// relative to it.
	SpecDir string
	// OutDir is the output root; each environment is written to
	// OutDir/<name>. Mount sources are made relative to that folder. Empty
	// means the outputs are not written to disk (they are made relative to
	// SpecDir).
	OutDir string
	// EnvVars, VarFiles and Vars give variable values, in rising
	// precedence: ENVC_VAR_ environment variables, variable files (in
	// order), then --var flags (in order).
	EnvVars  []VarValue
	VarFiles []string
	Vars     []VarValue
	// Only, when non-empty, names the environments to lower; others are
	// still checked.
	Only []string
	// Targets maps each target name and alias to the target's name: the
	// names a step's only and except may use. Nil accepts any name as is.
	Targets map[string]string
	// Exhausted, when set, is called (on another goroutine) with an error
	// at the expression being evaluated when the compilation grows the
	// heap by more than MemoryLimit bytes (0: DefaultMemoryLimit) past
	// its size 20 ms into the compilation (watch.go). It
	// must end the process: an evaluation cannot be stopped midway.
	Exhausted   func(*hcl.Diagnostic)
	MemoryLimit int64
	// Lock, when set, pins the environments to a lock file (applyLock);
	// LockName names it in messages. With Locked, what the lock does not
	// cover is an error rather than a warning.
	Lock     *lockfile.File
	LockName string
	Locked   bool
	// Files, when not nil, receives each module file Compile reads,
	// parsed, by the name its diagnostics give it, so that they can be
	// shown with their source.
	Files map[string]*hcl.File
	// Inputs, when not nil, records every file and folder Compile reads
	// or looks at (variable files, modules, the files and folders the
	// spec copies); the spec itself and its lock file are the caller's.
	Inputs *Inputs
}

// Compile evaluates spec and lowers each of its environments. It returns
// every problem it finds; the environments are complete only when the
// diagnostics hold no error.
func Compile(spec *schema.Spec, opts Options) ([]*ir.Env, hcl.Diagnostics) {
	if diags := checkNesting(spec); diags.HasErrors() {
		return nil, diags
	}
	w := startWatch(opts)
	defer w.end()
	vars, diags := evalVariables(spec, opts)
	ctx, release := evalContext(map[string]cty.Value{"var": cty.ObjectVal(vars)})
	defer release()
	_, moreDiags := evalLocals(spec.Locals, ctx, w)
	diags = append(diags, moreDiags...)

	l := newLowerer(&evaluator{ctx: ctx, watch: w}, spec, opts)
	var envs []*ir.Env
	for _, e := range spec.Environments {
		if _, seen := l.done[e.Name]; seen && l.byName[e.Name] != e {
			continue // a duplicate name, reported by Decode
		}
		if env := l.environment(e); env != nil {
			envs = append(envs, env)
		}
	}
	diags = append(diags, l.diags...)
	if opts.Lock != nil && !diags.HasErrors() {
		var lockDiags hcl.Diagnostics
		envs, lockDiags = applyLock(envs, opts)
		diags = append(diags, lockDiags...)
	}
	diags = dropFollowOn(diags)
	return envs, diags
}
