package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

func (a *app) compileCommand() *cobra.Command {
	var f specFlags
	var out string
	var force bool
	var targetList []string
	cmd := &cobra.Command{
		Use:   "compile SPEC",
		Short: "Compile a spec to every target (or those chosen with -t)",
		Long: `Compile the environments of SPEC into DIR/<environment>/, one set of files per
target. Each folder is self-contained: the files the spec copies in are copied
beside the outputs under files/, so docker build, docker compose up,
apptainer build, vagrant up and buildctl need no other path.

Outputs are written only when the whole compilation succeeded: every file
goes to a temporary file first and all are renamed into place together.
Each environment folder holds a manifest, .envc-manifest, listing what envc
wrote there with SHA-256 hashes (sha256sum -c can check it). compile
refuses to overwrite a file that was changed by hand since envc wrote it,
or that envc did not write (no generated header, not in the manifest), and
names each such file; --force overwrites them. Files the manifest lists
that the compiled targets no longer make are removed on the same terms.

Nothing is written through a symbolic link under DIR. Each environment's
folder is locked while compile writes it: another compile into it waits.
On SIGINT or SIGTERM compile removes its temporary files and ends by the
signal. With -o - a single-file target is written to standard output.`,
		Example: `  envc compile examples/fenics/fenics.hcl -o out
  envc compile spec.hcl -t docker,llb --var tag=2019.1.0
  envc compile spec.hcl -t singularity -o -`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := parseTargets(targetList)
			if err != nil {
				return err
			}
			outDir := out
			if out == "-" {
				outDir = ""
			}
			l, err := a.load(args[0], &f, outDir)
			if err != nil {
				return err
			}
			if l.diags.HasErrors() || out == "-" {
				diags := l.diags
				var results []emitted
				if !diags.HasErrors() {
					var moreDiags hcl.Diagnostics
					results, moreDiags = emitAll(l.envs, ts, nil, false, int64(f.maxFileSize))
					diags = append(diags, moreDiags...)
				}
				printDiags(a.stderr, l.files, diags, f.json)
				if diags.HasErrors() {
					return errSpec
				}
				return writeStdout(a.stdout, results)
			}
			return a.compileTo(out, args[0], l, ts, f.json, force)
		},
	}
	f.register(cmd)
	f.registerLocked(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "out", "output `dir`ectory, or - for standard output")
	cmd.Flags().StringSliceVarP(&targetList, "target", "t", nil, "targets to emit, comma-separated (default all; see envc targets)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite output files, and remove those the spec no longer makes, even when they were changed by hand")
	return cmd
}

// compileTo emits the environments of l for the targets ts into the
// folder out, each environment's folder locked meanwhile (another compile
// into it is waited for). A SIGINT or SIGTERM removes the temporary files
// and ends the process by the signal.
func (a *app) compileTo(out, spec string, l *loaded, ts []emitters.Emitter, json, force bool) error {
	var names []string
	for _, env := range l.envs {
		names = append(names, env.Name)
	}
	// The message saying compile waits is not JSON: --json leaves it out.
	var wait io.Writer = a.stderr
	if json {
		wait = nil
	}
	tree := newTree(out)
	stop := tree.catchSignals()
	defer stop()
	// Whatever happens, no temporary file stays, nor a folder made that
	// stayed empty.
	defer tree.close()
	if err := tree.open(names, wait); err != nil {
		return fmt.Errorf("writing outputs: %w", err)
	}
	results, diags := emitAll(l.envs, ts, tree, false, l.maxFileSize)
	diags = append(l.diags, diags...)
	printDiags(a.stderr, l.files, diags, json)
	if diags.HasErrors() {
		return errSpec
	}
	o := writeOptions{specDir: filepath.Dir(spec), all: len(ts) == len(targets.All()), force: force}
	for _, t := range ts {
		o.targets = append(o.targets, t.Name())
	}
	if err := writeOutputs(tree, results, o); err != nil {
		var refused *refusedError
		if errors.As(err, &refused) {
			return err
		}
		return fmt.Errorf("writing outputs: %w", err)
	}
	return nil
}

func (a *app) validateCommand() *cobra.Command {
	var f specFlags
	cmd := &cobra.Command{
		Use:   "validate SPEC",
		Short: "Check a spec and report every problem, writing nothing",
		Long: `Check SPEC as compile would, on every target, and print its diagnostics
(errors and the named warnings of each target). Nothing is written.
Exits 0 when the spec has no errors, 1 when it has.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.load(args[0], &f, "")
			if err != nil {
				return err
			}
			diags := l.diags
			if !diags.HasErrors() {
				ts, _ := parseTargets(nil)
				_, moreDiags := emitAll(l.envs, ts, nil, true, int64(f.maxFileSize))
				diags = append(diags, moreDiags...)
			}
			printDiags(a.stderr, l.files, diags, f.json)
			if diags.HasErrors() {
				return errSpec
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
