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
// --var-file, --json, -e).
type SpecFlags struct{ f specFlags }

// Register adds the flags to cmd.
func (f *SpecFlags) Register(cmd *cobra.Command) { f.f.register(cmd) }

// Loaded is a spec after the compiler: its environments (those -e names)
// and every diagnostic so far.
type Loaded struct {
	Envs  []*ir.Env
	Diags hcl.Diagnostics
	l     *loaded
}

// Load parses, decodes and compiles the spec at path. The error is a
// usage error (a file that cannot be read, an unknown -e name).
func (h Host) Load(path string, f *SpecFlags) (*Loaded, error) {
	l, err := h.a.load(path, &f.f, "")
	if err != nil {
		return nil, err
	}
	return &Loaded{Envs: l.envs, Diags: l.diags, l: l}, nil
}

// PrintDiags prints diags against the spec files of l, as text or (with
// --json) as JSON.
func (h Host) PrintDiags(l *Loaded, f *SpecFlags, diags hcl.Diagnostics) {
	printDiags(h.a.stderr, l.l.files, diags, f.f.json)
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
