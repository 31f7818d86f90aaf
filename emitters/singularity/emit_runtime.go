package singularity

import (
	"strings"

	"github.com/envc-dev/envc/compiler/ir"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// emitEnvironment writes %environment: an export per env var. Apptainer
// sources it when the image runs (never during the build: %post exports
// the vars itself), with the shell interpreter built into Apptainer
// (mvdan.cc/sh in bash mode, running its action script), not with the
// image's /bin/sh, so references such as "${PATH}" expand against the
// image's environment at run time.
//
// It then sources the environment's source scripts where they exist, so
// that `apptainer shell` and `apptainer exec` see what the run command
// sees; for an environment whose shell is bash, that interpreter is not
// the image's bash (singularity-source-interpreter).
func (e *emission) emitEnvironment() {
	lines, ok := shell.RunEnvLines(e.env, func(v ir.EnvVar) []string { return []string{exportLine(v)} })
	if !ok {
		e.diags = append(e.diags, emitters.Errorf(e.env.PlatformsRange, "Platform without a machine name",
			"The singularity target sets a value per platform by the machine's name (uname -m), and one of %v has none it knows.", e.env.Platforms))
	}
	// The run command's own variables: the caller's value, else the
	// default (Apptainer passes the caller's environment).
	for _, v := range e.env.RunVars {
		if !v.Required {
			lines = append(lines, defaultLines(v.Name, v.Value)...)
		}
	}
	for _, f := range e.env.Source {
		lines = append(lines, shell.ShellcheckSourced, sourceLine(f))
	}
	if e.env.Shell == "bash" && len(e.env.Source) > 0 {
		e.diags = append(e.diags, emitters.RuleSingularitySourceInterpreter.Warn(e.env.ShellRange, strings.Join(e.env.Source, ", ")))
	}
	e.add("environment", lines)
}

// sourceLine is shell.SourceLine, with the file quoted by word when the
// shared form would not survive the definition file.
func sourceLine(file string) string {
	return safeCommand(shell.SourceLine(file), file)
}

// emitRunscript writes %runscript: change to the working directory, run
// the caller's arguments when given, otherwise the run command, both after
// the entrypoint when there is one. It is
// always written, so that `apptainer run IMAGE COMMAND` behaves the same
// whether or not the spec has a run command (without one and without
// arguments it does nothing; `apptainer shell` gives a shell).
func (e *emission) emitRunscript() {
	lines := e.runscriptNotes()
	if e.env.Workdir != "" {
		lines = append(lines, "cd "+word(e.env.Workdir)+" || exit")
	}
	entry := ""
	if e.env.Entrypoint != nil {
		entry = join(e.env.Entrypoint)
	}
	lines = append(lines, shell.ArgsLine(entry))
	if argv := append(append([]string{}, e.env.Entrypoint...), e.env.Run...); len(argv) > 0 {
		// shellcheck knows that sh -c '...' expands its argument, not that an
		// entrypoint's argument may.
		if e.env.Entrypoint != nil && shell.HasExpansion(argv...) {
			lines = append(lines, shell.ShellcheckQuotedCommand)
		}
		lines = append(lines, "exec "+join(argv))
	}
	e.add("runscript", lines)
}
