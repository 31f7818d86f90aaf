package singularity

// emitEnvironment writes %environment: an export per env var. Apptainer
// sources it with /bin/sh when the image runs (never during the build:
// %post exports the vars itself), so references such as "${PATH}" expand
// against the image's environment at run time.
func (e *emission) emitEnvironment() {
	var lines []string
	for _, v := range e.env.Env {
		lines = append(lines, exportLine(v))
	}
	e.add("environment", lines)
}

// runArgsLine runs the caller's arguments instead of the run command, as
// Docker's CMD is replaced by `docker run IMAGE ARGS`.
const runArgsLine = `if [ "$#" -gt 0 ]; then exec "$@"; fi`

// emitRunscript writes %runscript: change to the working directory, run
// the caller's arguments when given, otherwise the run command. It is
// always written, so that `apptainer run IMAGE COMMAND` behaves the same
// whether or not the spec has a run command (without one and without
// arguments it does nothing; `apptainer shell` gives a shell).
func (e *emission) emitRunscript() {
	var lines []string
	if e.env.Workdir != "" {
		lines = append(lines, "cd "+word(e.env.Workdir)+" || exit")
	}
	lines = append(lines, runArgsLine)
	if e.env.Run != nil {
		lines = append(lines, "exec "+join(e.env.Run))
	}
	e.add("runscript", lines)
}
