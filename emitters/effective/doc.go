// Package effective is the target-neutral view of an environment that
// envc's equivalence checks compare: the "effective environment", what a
// built image or machine actually is, rather than how a file spells it.
//
// An Env holds the base image, the build steps in order (a closed set of
// typed steps, one kind per kind of ir.Step: InstallStep, CopyStep,
// EnvStep, RunStep, UserStep, WorkdirStep), and the run-time facts (the
// variables the run command sees, user, working directory, run argv,
// ports, mounts, labels, VM resources). FromIR gives the view the spec
// asks for; each target supplies a reader (ReadFunc) that turns its own
// files into the same view: dockerread.Read, llbread.Read,
// singularity.Read and vagrant.Read, which package emitters/readback
// lists, so that effdiff.Compare can show, construct by construct, that a
// target says what the spec says.
//
// Where a target cannot say something, the capability matrix
// (emitters.Capabilities) declares it; Expect applies exactly those
// declared differences to the spec's view before the comparison, each
// with its reason, and nothing else is forgiven.
//
// Variable values are words (ir.Word), never text read again: references
// to variables the spec set earlier are replaced by those variables'
// values, and what remains are references to the base image's variables
// (Scope).
//
// The package also holds the shell readers the script-based targets share
// (ReadInstallStep, ReadEnsureUser, ReadMkdir, ReadRunStep, ReadStageCopy,
// ReadOwnerWord; words with shell.ReadWord), and the loop over a script's
// steps (ScriptSteps) that bootstrap.sh's and %post's readers both use:
// they read envc's own commands back with mvdan.cc/sh, by meaning, not by
// spelling. (The loop lives here rather than in emitters/internal/shell,
// which this package imports: it builds this package's steps.)
//
// It sits beside the target packages: it imports emitters (for the
// matrix) and the shared shell package, and is imported by the targets'
// readers (the singularity and vagrant packages hold theirs, so the envc
// command links it) and by the tests.
package effective
