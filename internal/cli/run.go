package cli

import (
	"github.com/envc-dev/envc/lockfile"
	"io"
	"runtime"

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

// WithProcs tells envc that the process runs on one processor
// (GOMAXPROCS 1) and should run on n once it reads a spec larger than
// smallSpec: a small spec compiles faster on one thread than the runtime
// takes to start a second for the parallel targets (docs/performance.md).
func WithProcs(n int) Option {
	return func(a *app) { a.procs = n }
}

// smallSpec is the size of spec, in bytes, up to which envc stays on one
// processor (WithProcs). The preCICE example (1.6 KiB) and specs up to
// 7 KiB compile no slower on one; at 12 KiB, two gave 10% less time.
const smallSpec = 8 << 10

// useProcs moves the process to the processors WithProcs gave, once, for
// a spec of size bytes larger than smallSpec.
func (a *app) useProcs(size int) {
	if a.procs > 1 && size > smallSpec {
		runtime.GOMAXPROCS(a.procs)
		a.procs = 0
	}
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
