// Package effective is the target-neutral view of an environment that
// envc's equivalence checks compare: the "effective environment", what a
// built image or machine actually is, rather than how a file spells it.
//
// An Env holds the base image, the build steps in order (packages
// installed, files copied, variables set, setup commands with the
// variables they see, users and directories created), and the run-time
// facts (the variables the run command sees, user, working directory,
// run argv, ports, mounts, labels, VM resources). FromIR gives the view
// the spec asks for; each target package turns its own read-back into the
// same view (dockerread.Effective, buildkit.Effective, singularity.Effective,
// vagrant.Effective), so that effdiff.Compare can show, construct by construct,
// that a target says what the spec says.
//
// Where a target cannot say something, the capability matrix
// (emitters.Capabilities) declares it; Expect applies exactly those
// declared differences to the spec's view before the comparison, each
// with its reason, and nothing else is forgiven.
//
// Variable values are effective words: references to variables the spec
// set earlier are replaced by those variables' values, and what remains
// are references to the base image's variables, written ${NAME} (a
// literal "$" is "$$", as in ir.Word.String).
//
// The package also holds the shell readers the script-based targets share
// (ReadInstall, ReadEnsureUser, ReadMkdir, ReadRunStep; words with shell.ReadWord): they
// read envc's own commands back with mvdan.cc/sh, by meaning, not by
// spelling.
//
// It sits beside the target packages: it imports emitters (for the
// matrix) and the shared shell package, and is imported by the targets'
// adapters and by the tests and the explain command of the CLI (internal/cli).
package effective
