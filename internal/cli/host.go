package cli

import (
	"io"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// Host is what a command made outside this package (the build command of
// the envc-build program, package buildcmd) gets of the CLI: its writers,
// its environment, and the spec loading and diagnostics every command
// shares.
type Host struct{ a *app }

// Stdout and Stderr are the CLI's writers.
func (h Host) Stdout() io.Writer { return h.a.stdout }
func (h Host) Stderr() io.Writer { return h.a.stderr }

// Environ is the process environment (NAME=value).
func (h Host) Environ() []string { return h.a.environ }

// SpecFlags are the flags of every command that reads a spec (--var,
// --var-file, -e) and prints its diagnostics (--json, --ignore, --strict,
// --quiet, --all-warnings, and the format flag).
type SpecFlags struct{ f specFlags }

// Register adds the flags to cmd, the diagnostics format flag named
// formatFlag ("format", or another name where the command has a --format
// of its own).
func (f *SpecFlags) Register(cmd *cobra.Command, formatFlag string) {
	f.f.registerAs(cmd, formatFlag)
}

// Quiet reports whether --quiet was given.
func (f *SpecFlags) Quiet() bool { return f.f.quiet }

// Loaded is a spec after the compiler: its environments (those -e names)
// and every diagnostic so far.
type Loaded struct {
	Envs  []*ir.Env
	Diags hcl.Diagnostics
	// Spec and SpecFile are the spec's bytes and the name it was read
	// under (StdinName for -).
	Spec     []byte
	SpecFile string
	l        *loaded
	r        *reporter
}

// Load parses, decodes and compiles the spec at path ("-" for standard
// input). The error is a usage error (an unknown -e name, a wrong
// diagnostics flag); a spec that cannot be read is an error diagnostic.
func (h Host) Load(path string, f *SpecFlags) (*Loaded, error) {
	l, r, err := h.a.loadReporting(path, &f.f, "")
	if err != nil {
		return nil, err
	}
	return &Loaded{Envs: l.envs, Diags: l.diags, Spec: l.spec, SpecFile: l.specFile, l: l, r: r}, nil
}

// Report prints diags against the spec files of l as the flags ask
// (leaving out the warnings ignored and those off by default) and
// returns ErrSpec when they fail the command: an error, or with --strict
// a warning. With stdoutBusy (an output written to standard output) the
// formats for programs go to standard error.
func (h Host) Report(l *Loaded, diags hcl.Diagnostics, stdoutBusy bool) error {
	if stdoutBusy {
		l.r.out = h.a.stderr
	}
	return l.r.report(diags, nil)
}

// Fails reports whether diags would fail the command (Report's verdict,
// printing nothing).
func (h Host) Fails(l *Loaded, diags hcl.Diagnostics) bool {
	return l.r.fails(l.r.filter(diags))
}

// Note prints a line of envc's own on standard error ("envc: ..."), in
// the text format and without --quiet.
func (h Host) Note(l *Loaded, format string, args ...any) {
	l.r.note(format, args...)
}

// Usagef returns a usage error (exit 2).
func Usagef(format string, args ...any) error { return usagef(format, args...) }

// UsageError marks err as a usage error (exit 2).
func UsageError(err error) error { return usageError{err} }

// ErrSpec is returned by a command whose diagnostics were printed and hold
// an error (exit 1).
var ErrSpec = errSpec

// ExactArgs is cobra.ExactArgs with a usage error.
func ExactArgs(n int) cobra.PositionalArgs { return exactArgs(n) }

// WriteOutputs writes files (paths relative to the environment's folder)
// and the build context files env copies (from specDir, the spec's
// folder) under root/<env>/, as compile does, replacing what is there.
func WriteOutputs(root, specDir string, env *ir.Env, files []emitters.File) error {
	e := emitted{env: env}
	for _, f := range files {
		e.files = append(e.files, output{File: f})
	}
	tree := newTree(root)
	defer tree.close()
	if err := tree.open([]string{env.Name}, nil); err != nil {
		return err
	}
	return writeOutputs(tree, []emitted{e}, writeOptions{specDir: specDir, force: true})
}
