// Package singularity is envc's Singularity/Apptainer target (emitter name
// "singularity", alias "apptainer"). It lowers an ir.Env to one file,
// Singularity.def, a definition file for `apptainer build` (and
// SingularityCE), bootstrapped from the Docker base image:
//
//   - a "#" comment header, then `Bootstrap: docker` and `From: REF`;
//   - %labels: one "key value" line per label (the description included);
//   - %help: the description, how to build and run, and the run-time facts
//     Apptainer leaves to the caller (ports, binds, user, host environment),
//     and the run-time contract (emit_contract.go): --nv for a gpu block,
//     the hpc block's --bind list and the MPI hybrid model's launch lines
//     (mpirun -n RANKS apptainer run, and srun with --mpi=pmix and with
//     --mpi=pmi2: the image's MPI decides), the healthcheck's test; each
//     with a line the read-back reads ("    gpu ...", "    healthcheck
//     ...", "    hpc ...", lists as JSON with "{" spelled \u007b; an hpc
//     block without binds is one sentence instead, "Cluster: no binds
//     ...");
//   - %files: the build context staged in the image (see below); "%files
//     from STAGE" stages what a copy takes out of a stage, each at
//     StageCopyDir/N, which %post installs at step N. Each stage of the
//     environment is a build stage of its own before the image's
//     (Stage: NAME, its own %files and %post; the image's is Stage: final);
//   - %post: the steps, in order, as one sh script;
//   - %environment: exports of the env vars, for run time (where their
//     values differ by platform, those of every platform, then a case on
//     uname -m with each platform's own: shell.RunEnvLines), then a line
//     per source script that sources it where it exists, so that
//     `apptainer shell` and `apptainer exec` see what the run command sees;
//   - %runscript: comment lines for the contract the caller must give
//     (--nv, the binds, the MPI launcher), then cd to the workdir, then `exec "$@"` when the caller gives
//     arguments, otherwise `exec` of the run command.
//
// # Steps in %post
//
// The script starts with `set -e` (Apptainer runs it with `/bin/sh -ex`,
// which is not relied upon). An install, user or workdir step is the
// shared command from package shell followed by `|| exit`, since errexit
// is ignored inside an && list. An env step exports its vars at its
// position, so later steps see them: %environment is only read at run
// time. (A value with a carriage return, written as a command
// substitution, is exported first and assigned on the next line, so that
// no export masks a failure.) A run step is a subshell, like Docker's `sh -c`: it changes to the
// step's directory, then runs the command verbatim with errexit off. A
// command that the definition file cannot carry verbatim (a line that
// Apptainer would read as a section or stage start, a "{{ NAME }}" build
// argument, a carriage return), a bash step and a step run as another user
// are handed to `/bin/sh -c`, `/bin/bash -eo pipefail -c` or
// `runuser -s SHELL -c` (BusyBox `su` on Alpine) as one quoted word.
// After the steps, the staged context is removed and the mount targets are
// created (a bind needs its target to exist in the image).
//
// # Copying files
//
// Apptainer copies %files before %post runs, with `cp -fLr`, creating
// missing parents of the destination (Apptainer 1.0 and later; older
// Singularity did not), and expands each source as a shell glob after
// splitting the line at spaces and quotes. So %files copies each top-level
// entry of the build context that a copy step reads (normally the folder
// "files", whose name is plain) to StageDir, /.envc-context, and the copy
// step, at its position in %post, runs `install -D -m MODE` from there to
// its target (creating parents) and chowns it to its owner's uid and
// primary gid. No file name other than that top-level entry ever appears
// on a %files line. `apptainer build` must run in the folder that holds
// Singularity.def: %files sources are relative to the current directory.
//
// A copy from a stage is staged by "%files from STAGE" at StageCopyDir/N,
// /.envc-stages/N for step N. Apptainer copies from a stage with a tar
// copy that keeps modes, the symlinks inside a folder and (built as root)
// owners, and creates the destination's parents; the source must be a
// clean absolute path of plain names, since the line is split and globbed
// as for %files. At step N, %post installs it with
// shell.StageCopyCommand: a file lands at the target, a folder's contents
// land in the target (created), as Docker's COPY --from does; a mode
// other than 0 is set on everything copied, an owner owns everything
// copied. After the steps StageCopyDir is removed. A stage copying from
// an earlier stage does the same inside the later stage.
//
// # Literals
//
// A definition file is split into sections and stages line by line before
// any shell reads it, and "{{ NAME }}" is replaced by a build argument
// everywhere. Every literal is therefore quoted by word, which falls back
// from shell.Quote to a form in which no line starts with anything but a
// double quote and "{{" never appears. Labels have no escape at all: a key
// with white space, a value with a line break or surrounding white space,
// or a line Apptainer would misread is an error. After writing, Emit parses
// the file back with Parse and demands the sections it wrote.
//
// # Reading back
//
// The package owns the way back too: Parse and ParseAll read any
// definition file (header keywords, every section Apptainer accepts,
// including "%files from STAGE", repeated sections and SCIF %app*
// sections) into plain Go values, following Apptainer's own parser
// (pkg/build/types/parser), and ReadBack interprets a file written by this
// package, with mvdan.cc/sh, as the recipe it encodes (base, stages,
// labels, env, sourced scripts, steps, runscript), for tests and
// equivalence checks.
//
// It sits after the compiler: it reads a finished ir.Env and imports
// neither schema nor compiler. It does not run Apptainer.
package singularity
