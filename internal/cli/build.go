package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// BuildProgram is the program that runs `envc build`, `envc lock` and
// `envc fmt`: it links BuildKit's client (gRPC and the rest) and hclwrite,
// which would slow down the start of every other command if envc linked
// them.
const BuildProgram = "envc-build"

// buildCommand returns the build command: the one WithBuild gave, or one
// that hands the command line to envc-build (beside the envc executable,
// else on PATH) and exits as it does.
func (a *app) buildCommand() *cobra.Command {
	if a.build != nil {
		return a.build(Host{a})
	}
	return &cobra.Command{
		Use:                "build SPEC",
		Short:              "Build environments into images on BuildKit or Docker Engine's builder",
		Long:               "Build the environments of SPEC on BuildKit (buildkitd, or Docker Engine's own builder) and export the results.\n\nThis is the " + BuildProgram + " program's build command: `envc build --help` shows its options.",
		DisableFlagParsing: true,
		ValidArgsFunction:  completeSpec,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runBuildProgram(append([]string{"build"}, args...))
		},
	}
}

// runBuildProgram runs the envc-build program with argv (a command and
// its arguments) and exits as it does.
func (a *app) runBuildProgram(argv []string) error {
	prog, err := findBuildProgram(a.environ, argv[0])
	if err != nil {
		return err
	}
	c := exec.Command(prog, argv...)
	c.Stdin, c.Stdout, c.Stderr, c.Env = a.stdin, a.stdout, a.stderr, a.environ
	// Ctrl-C reaches both processes; envc waits for envc-build to
	// stop and exits as it does.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	err = c.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		a.code = exitErr.ExitCode()
		return nil
	case errors.As(err, &exitErr):
		// Stopped by a signal: exit as a shell reports it, quietly
		// for an interrupt or a closed pipe (envc build ... | head).
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			a.code = 128 + int(ws.Signal())
			if ws.Signal() != syscall.SIGINT && ws.Signal() != syscall.SIGPIPE {
				fmt.Fprintf(a.stderr, "envc: %s stopped: %v\n", BuildProgram, ws.Signal())
			}
			return nil
		}
		return fmt.Errorf("running %s: %w", prog, err)
	default:
		return fmt.Errorf("running %s: %w", prog, err)
	}
}

// findBuildProgram looks for envc-build beside the running executable,
// then in the PATH of environ, for the envc command named command.
func findBuildProgram(environ []string, command string) (string, error) {
	var dirs []string
	if self, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(self))
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			dirs = append(dirs, filepath.SplitList(v)...)
		}
	}
	for _, d := range dirs {
		if d == "" {
			continue // not the working directory
		}
		p := filepath.Join(d, BuildProgram)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", usagef("envc %s needs the %s program, beside envc or on PATH; install it with: go install github.com/envc-dev/envc/cmd/%s@latest (or go install ./cmd/... in a checkout)", command, BuildProgram, BuildProgram)
}
