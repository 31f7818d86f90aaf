package cli

import (
	"errors"
	"fmt"
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
names each such file; --force overwrites them. With -o - a single-file
target is written to standard output.`,
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
			diags := l.diags
			var results []emitted
			if !diags.HasErrors() {
				var moreDiags hcl.Diagnostics
				results, moreDiags = emitAll(l.envs, ts, outDir, false)
				diags = append(diags, moreDiags...)
				// Whatever happens, no temporary file stays (those put in
				// place are gone from their temporary names already).
				defer removeTemps(results)
			}
			printDiags(a.stderr, l.files, diags, f.json)
			if diags.HasErrors() {
				return errSpec
			}
			if out == "-" {
				return writeStdout(a.stdout, results)
			}
			if err := writeOutputs(out, results, force); err != nil {
				var refused *refusedError
				if errors.As(err, &refused) {
					return err
				}
				return fmt.Errorf("writing outputs: %w", err)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "out", "output `dir`ectory, or - for standard output")
	cmd.Flags().StringSliceVarP(&targetList, "target", "t", nil, "targets to emit, comma-separated (default all; see envc targets)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite output files even when they were changed by hand")
	return cmd
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
				_, moreDiags := emitAll(l.envs, ts, "", true)
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
