package cli

import (
	"io"

	"github.com/envc-dev/envc/lockfile"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitSpec  = 1 // the spec has errors
	exitUsage = 2 // the command line is wrong
)

// Option changes the CLI that Run builds.
type Option func(*app)

// WithBuild makes `envc build` run the command made by build (the
// envc-build program's, which links BuildKit's client) instead of handing
// the command line to the envc-build program.
func WithBuild(build func(Host) *cobra.Command) Option {
	return func(a *app) { a.build = build }
}

// HCLWriter is what writes HCL text: hclwrite's formatter (Format, for
// envc fmt) and the lock file's writer (WriteLock, package lockwrite).
// The envc program has none: hclwrite links go-cmp, whose initialisers
// every compile would pay for at start. Its fmt hands the command line to
// the envc-build program, which runs with one (WithHCLWriter), as does
// envc lock.
type HCLWriter struct {
	Format    func(src []byte) []byte
	WriteLock func(*lockfile.File) []byte
}

// WithHCLWriter gives the CLI its HCL writers.
func WithHCLWriter(w HCLWriter) Option {
	return func(a *app) { a.hclw = w }
}

// Run is the whole program: it prints only to the given writers and
// returns the exit code: 0, 1 for errors in the spec, 2 for a wrong
// command line. It calls os.Exit only where the process must end midway:
// at a signal during compile (after removing its temporary files), and
// when evaluating a spec would exhaust memory (after reporting it).
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string, opts ...Option) int {
	return run(args, stdin, stdout, stderr, environ, opts...)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string, opts ...Option) int {
	app := newApp(stdin, stdout, stderr, environ, opts...)
	return app.execute(args)
}
