package singularity

import "github.com/envc-dev/envc/emitters/internal/shell"

// emitEnvironment writes %environment: an export per env var. Apptainer
// sources it with /bin/sh when the image runs (never during the build:
// %post exports the vars itself), so references such as "${PATH}" expand
// against the image's environment at run time.
//
// It then sources the environment's source scripts where they exist, so
// that `apptainer shell` and `apptainer exec` see what the run command
// sees.
func (e *emission) emitEnvironment() {
	var lines []string
	for _, v := range e.env.RunEnv() {
		lines = append(lines, exportLine(v))
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
	var lines []string
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
