package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

func (a *app) compileCommand() *cobra.Command {
	var f specFlags
	var out string
	var force, check, diff bool
	var targetList []string
	cmd := &cobra.Command{
		Use:   "compile SPEC",
		Short: "Compile a spec to every target (or those chosen with -t)",
		Long:  compileLong,
		Example: `  envc compile examples/fenics/fenics.hcl -o out
  envc compile spec.hcl -t docker,llb --var tag=2019.1.0
  envc compile spec.hcl -t singularity -o -`,
		Args:              exactArgs(1),
		ValidArgsFunction: completeSpec,
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := parseTargets(targetList)
			if err != nil {
				return err
			}
			switch {
			case check && out == "-":
				return usagef("--check compares the files in an output folder: it cannot be combined with -o -")
			case check && force:
				return usagef("--check writes nothing: it cannot be combined with --force")
			case diff && !check:
				return usagef("--diff goes with --check (envc compile --check --diff SPEC)")
			}
			format, err := f.outFormat()
			if err != nil {
				return err
			}
			// A record of the last compile into out whose inputs and
			// outputs are all unchanged: nothing to do (uptodate.go).
			rec := a.newStateRecord(out, args[0], check, force, format)
			if rec != nil && a.upToDate(out, rec, format) {
				return nil
			}
			outDir := out
			if out == "-" {
				outDir = ""
			}
			l, r, err := a.loadReporting(args[0], &f, outDir)
			if err != nil {
				return err
			}
			if out == "-" {
				return a.compileToStdout(l, ts, r, int64(f.maxFileSize))
			}
			if l.diags.HasErrors() {
				return r.report(l.diags, nil)
			}
			if check {
				return a.checkOutputs(out, args[0], l, ts, r, diff)
			}
			return a.compileTo(out, args[0], l, ts, r, force, rec)
		},
	}
	f.register(cmd)
	f.registerLocked(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "out", "output `dir`ectory, or - for standard output")
	cmd.Flags().StringSliceVarP(&targetList, "target", "t", nil, "targets to emit, comma-separated (default all; see envc targets)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite output files, and remove those the spec no longer makes, even when they were changed by hand")
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 when the files in the output folder are not what the spec makes now (for CI)")
	cmd.Flags().BoolVar(&diff, "diff", false, "with --check, print a unified diff of each file that differs on standard output")
	_ = cmd.RegisterFlagCompletionFunc("target", completeTargets)
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	return cmd
}

// compileLong is compile's help text.
const compileLong = `Compile the environments of SPEC into DIR/<environment>/, one set of files per
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
signal. With -o - a single-file target is written to standard output.

A record of what the last compile into DIR read and wrote is kept outside
DIR, in the user's cache folder: $ENVC_CACHE_DIR/uptodate/, or envc/uptodate/
under the user's cache folder (on Linux $XDG_CACHE_HOME or ~/.cache) when
ENVC_CACHE_DIR is unset or empty; one file per output folder, named by a
hash of its absolute path. When none of what the record lists changed (the
files' sizes, times, inodes and modes; a file changed about when that
compile ran is hashed again) and the command line, the ENVC_ variables, the
folder it runs in and envc are the same, compile prints what that compile
printed, says the files are up to date and writes nothing. Delete the
record, or use --force, to compile in full. --check, --force, --json, -o -
and a spec on standard input always compile, and so does every compile
when there is no cache folder to keep the record in.`

// compileToStdout emits the single file of the one target in ts to
// standard output. Standard output carries the file: diagnostics go to
// standard error, whatever their format.
func (a *app) compileToStdout(l *loaded, ts []emitters.Emitter, r *reporter, maxFileSize int64) error {
	r.out = a.stderr
	diags := l.diags
	var results []emitted
	if !diags.HasErrors() {
		var moreDiags hcl.Diagnostics
		results, moreDiags = emitAll(l.envs, ts, nil, false, maxFileSize)
		diags = append(diags, moreDiags...)
	}
	if err := r.report(diags, nil); err != nil {
		return err
	}
	return writeStdout(a.stdout, results)
}

// compileTo emits the environments of l for the targets ts into the
// folder out, each environment's folder locked meanwhile (another compile
// into it is waited for). A SIGINT or SIGTERM removes the temporary files
// and ends the process by the signal. The diagnostics are reported by r,
// then what was written.
//
// rec, when not nil, is the record of this compile to keep in out when it
// succeeds (upToDate).
func (a *app) compileTo(out, spec string, l *loaded, ts []emitters.Emitter, r *reporter, force bool, rec *stateRecord) error {
	var names []string
	for _, env := range l.envs {
		names = append(names, env.Name)
	}
	// The message saying compile waits is for people: the other formats
	// and --quiet leave it out.
	var wait io.Writer
	if r.format == formatText && !r.quiet {
		wait = a.stderr
	}
	tree := newTree(out)
	stop := tree.catchSignals()
	defer stop()
	// Whatever happens, no temporary file stays, nor a folder made that
	// stayed empty.
	defer tree.close()
	if err := tree.open(names, wait); err != nil {
		return r.fail(l.diags, "Cannot write outputs", fmt.Errorf("writing outputs: %w", err))
	}
	// The sums the last compile recorded spare hashing the outputs it
	// left; a root just made holds none.
	if !tree.rootNew {
		tree.loadKnown(a.statePath(out))
	}
	results, diags := emitAll(l.envs, ts, tree, false, l.maxFileSize)
	diags = append(l.diags, diags...)
	if r.fails(r.filter(diags)) {
		return r.report(diags, nil)
	}
	o := writeOptions{specDir: filepath.Dir(spec), all: len(ts) == len(targets.All()), force: force, summary: &writeSummary{}}
	for _, t := range ts {
		o.targets = append(o.targets, t.Name())
	}
	if err := writeOutputs(tree, results, o); err != nil {
		var refused *refusedError
		if errors.As(err, &refused) {
			return r.fail(diags, "Output files changed by hand", err)
		}
		return r.fail(diags, "Cannot write outputs", fmt.Errorf("writing outputs: %w", err))
	}
	extra := &jsonExtra{Files: []jsonFile{}, Removed: o.summary.removed}
	written := 0
	for _, f := range o.summary.files {
		jf := jsonFile{Path: filepath.Join(out, f.env, filepath.FromSlash(f.rel)), Environment: f.env, Changed: f.changed}
		jf.Target, _ = strings.CutPrefix(f.owner, "target ")
		if f.owner == ownerCopied {
			jf.Target = ""
		}
		extra.Files = append(extra.Files, jf)
		if f.changed {
			written++
		}
	}
	// The diagnostics are kept to be printed again by a compile that finds
	// the files up to date, with its own success line.
	stdout, stderr := r.out, r.errw
	if rec != nil {
		r.out, r.errw = rec.printed.tee(1, stdout), rec.printed.tee(2, stderr)
	}
	err := r.report(diags, extra)
	r.out, r.errw = stdout, stderr
	if err != nil {
		return err
	}
	r.note("%s", successLine(out, names, o.targets, len(o.summary.files), written, len(o.summary.removed), r))
	if rec != nil {
		if r.format == formatText && !r.quiet {
			line := fmt.Sprintf("envc: %s\n", upToDateLine(out, names, o.targets, len(o.summary.files), r))
			rec.printed.chunks = append(rec.printed.chunks, printedChunk{Stream: 2, Data: []byte(line)})
		}
		if l.lockMissing != "" {
			rec.missing = append(rec.missing, l.lockMissing)
		}
		tree.writeState(rec, l, results, o.summary)
	}
	return nil
}

// successLine says what compile wrote where, with the warning count:
// "compiled fenics to out/fenics/ (docker, llb, singularity, vagrant): 10
// files, 3 written; 9 warnings (2 ignored)".
func successLine(out string, envs, ts []string, files, written, removed int, r *reporter) string {
	where := outWhere(out, envs)
	what := fmt.Sprintf("%s, %d written", plural(files, "file"), written)
	switch {
	case written == 0 && files > 0:
		what = plural(files, "file") + ", all unchanged"
	case written == files:
		what = plural(files, "file") + " written"
	}
	if removed > 0 {
		what += fmt.Sprintf(", %d removed", removed)
	}
	return fmt.Sprintf("compiled %s to %s (%s): %s; %s", strings.Join(envs, ", "), where, strings.Join(ts, ", "), what, r.warningCount())
}

// upToDateLine is the success line of a compile that found the files of
// the last one up to date: "compiled fenics to out/fenics/ (docker, llb,
// singularity, vagrant): 10 files up to date; 9 warnings (2 ignored)".
func upToDateLine(out string, envs, ts []string, files int, r *reporter) string {
	return fmt.Sprintf("compiled %s to %s (%s): %s up to date; %s", strings.Join(envs, ", "), outWhere(out, envs), strings.Join(ts, ", "), plural(files, "file"), r.warningCount())
}

func (a *app) validateCommand() *cobra.Command {
	var f specFlags
	cmd := &cobra.Command{
		Use:   "validate SPEC",
		Short: "Check a spec and report every problem, writing nothing",
		Long: `Check SPEC as compile would, on every target, and print its diagnostics
(errors and the named warnings of each target). Nothing is written.
Exits 0 when the spec has no errors, 1 when it has (or, with --strict,
when a warning remains).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, r, err := a.loadReporting(args[0], &f, "")
			if err != nil {
				return err
			}
			diags := l.diags
			if !diags.HasErrors() {
				ts, _ := parseTargets(nil)
				_, moreDiags := emitAll(l.envs, ts, nil, true, int64(f.maxFileSize))
				diags = append(diags, moreDiags...)
			}
			return r.report(diags, nil)
		},
		ValidArgsFunction: completeSpec,
	}
	f.register(cmd)
	return cmd
}
