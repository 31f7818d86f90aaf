package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// app holds what every subcommand shares.
type app struct {
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	environ []string
	// code is the exit code a subcommand asks for.
	code int
	root *cobra.Command
	// build makes the build command (WithBuild); nil hands `envc build`
	// to the envc-build program.
	build func(Host) *cobra.Command
	// lockConnect resolves for envc lock (WithLock); nil hands envc lock
	// to the envc-build program. args is the command line, for it.
	lockConnect func(context.Context, Host, LockConn) (LockResolver, error)
	args        []string
	// hclw writes HCL (WithHCLWriter); without it fmt hands the command
	// line to the envc-build program.
	hclw HCLWriter
	// stopFollow ends the huge-page advice that load started for a
	// large spec (hugeheap.Follow); execute calls it.
	stopFollow func()
}

// usageError marks an error in the command line (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// specError marks a failure already reported as diagnostics (exit 1).
var errSpec = errors.New("the spec has errors")

func newApp(stdin io.Reader, stdout, stderr io.Writer, environ []string, opts ...Option) *app {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	for _, o := range opts {
		o(a)
	}
	root := &cobra.Command{
		Use:   "envc",
		Short: "Compile one environment spec into Vagrant, Docker, BuildKit and Singularity",
		Long: `envc compiles one HCL spec of an environment (base OS, packages, env vars,
files, mounts, ports, setup steps, the run command) into a Vagrantfile plus
bootstrap.sh, a Dockerfile plus compose.yaml, a BuildKit LLB graph with its
image config, and a Singularity/Apptainer definition file. What a target
cannot express is reported as a named warning, never dropped silently.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	a.root = root
	return a
}

// commands are envc's commands by name, in the order help lists them.
var commands = []struct {
	name string
	make func(*app) *cobra.Command
}{
	{"compile", (*app).compileCommand},
	{"build", (*app).buildCommand},
	{"lock", (*app).lockCommand},
	{"validate", (*app).validateCommand},
	{"explain", (*app).explainCommand},
	{"fmt", (*app).fmtCommand},
	{"targets", (*app).targetsCommand},
	{"version", (*app).versionCommand},
}

// addCommands adds to the root the command args name first, or every
// command when args start with none of them (help, completion, a flag, a
// mistake to suggest a name for): making every command and its flags is
// a noticeable part of a small compile.
func (a *app) addCommands(args []string) {
	for _, c := range commands {
		if len(args) > 0 && args[0] == c.name {
			a.root.AddCommand(c.make(a))
			return
		}
	}
	for _, c := range commands {
		a.root.AddCommand(c.make(a))
	}
}

func (a *app) execute(args []string) int {
	a.addCommands(args)
	args = a.longFlags(args)
	a.args = args
	a.root.SetArgs(args)
	err := a.root.Execute()
	if a.stopFollow != nil {
		a.stopFollow()
	}
	asJSON := usageFormat(args) == formatJSON
	switch {
	case err == nil:
		return a.code
	case errors.Is(err, errSpec):
		return exitSpec
	default:
		var ue usageError
		if errors.As(err, &ue) || isCobraUsage(err) {
			if asJSON {
				reportError(a.stdout, "Invalid command line", err)
			} else {
				fmt.Fprintf(a.stderr, "envc: %v\nRun 'envc --help' for usage.\n", err)
			}
			return exitUsage
		}
		if asJSON {
			reportError(a.stdout, "Command failed", err)
		} else {
			fmt.Fprintf(a.stderr, "envc: %v\n", err)
		}
		return exitSpec
	}
}

// longFlags accepts the long flags of the command args name with a single
// dash, as terraform and gofmt spell them (-var, -var-file, -check, -w,
// -json): "-var=x" becomes "--var=x". A single-dash word is left alone
// when it is not the name of a long flag of that command (-e, -o, -t and
// their joined values such as -tdocker stay shorthands), and so is
// everything after "--".
func (a *app) longFlags(args []string) []string {
	cmd, _, err := a.root.Find(args)
	if err != nil || cmd == nil || cmd.DisableFlagParsing {
		return args
	}
	out := append([]string(nil), args...)
	for i, arg := range out {
		if arg == "--" {
			break
		}
		if len(arg) < 3 || arg[0] != '-' || arg[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(arg[1:], "=")
		if len(name) > 1 && (cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil) {
			out[i] = "-" + arg
		}
	}
	return out
}

// isCobraUsage recognises cobra's own argument errors (unknown command,
// wrong number of arguments).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}
