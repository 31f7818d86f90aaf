package shell

import (
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
)

// BashUserPrefix gives a bash step run as another user the options of
// `bash -eo pipefail -c`, which su's -c cannot pass.
const BashUserPrefix = "set -eo pipefail\n"

// ShellcheckQuotedCommand is the directive written before a line that
// hands a quoted command holding "$" or "`" to another shell: shellcheck
// would otherwise take the single quotes for a mistake (SC2016).
const ShellcheckQuotedCommand = "# shellcheck disable=SC2016"

// HasExpansion reports whether a word holds "$" or "`": quoted for a shell
// that is to expand it, it needs ShellcheckQuotedCommand.
func HasExpansion(words ...string) bool {
	for _, w := range words {
		if strings.ContainsAny(w, "$`") {
			return true
		}
	}
	return false
}

// RunStepOptions adapt RunStepLines to one script format.
type RunStepOptions struct {
	// Family is the distro family; "alpine" runs other users' steps with
	// BusyBox su instead of runuser.
	Family string
	// Quote quotes one word for the script; nil means MustQuote.
	Quote func(string) string
	// Verbatim reports whether a command can stand as written in the
	// script; nil means Verbatim.
	Verbatim func(cmd string) bool
	// Export writes the export line of one of the step's own variables;
	// nil means ExportLine.
	Export func(ir.EnvVar) string
}

// ShellcheckSourced is the directive written before a SourceLine: the
// script is the image's, which shellcheck cannot follow (SC1091).
const ShellcheckSourced = "# shellcheck source=/dev/null"

// SourceLine returns the line that sources the script file when it
// exists: `if [ -f FILE ]; then . FILE; fi`.
func SourceLine(file string) string {
	q := MustQuote(file)
	return "if [ -f " + q + " ]; then . " + q + "; fi"
}

// StepCommand returns the command a RunStep runs: a SourceLine per script
// it sources, an export line per variable of the step's own env (export,
// nil means ExportLine), each on its own line, then the command.
func StepCommand(s *ir.RunStep, export func(ir.EnvVar) string) string {
	if len(s.Env) == 0 && len(s.Source) == 0 {
		return s.Command
	}
	if export == nil {
		export = ExportLine
	}
	var b strings.Builder
	for _, f := range s.Source {
		b.WriteString(ShellcheckSourced + "\n" + SourceLine(f))
		b.WriteByte('\n')
	}
	for _, v := range s.Env {
		b.WriteString(export(v))
		b.WriteByte('\n')
	}
	b.WriteString(s.Command)
	return b.String()
}

// RunStepLines renders a RunStep for a script that runs every step in
// order under `set -e` (bootstrap.sh, %post), with the semantics of
// Docker's RUN shell form: a subshell that changes to the step's
// directory, then either runs the command verbatim with errexit off, or
// (for bash, another user, or a command the script cannot carry verbatim)
// hands it quoted to a new shell. A cd or a variable set in one step never
// reaches the next, and a step fails when its last command fails.
func RunStepLines(s *ir.RunStep, o RunStepOptions) []string {
	quote, verbatim := o.Quote, o.Verbatim
	if quote == nil {
		quote = MustQuote
	}
	if verbatim == nil {
		verbatim = Verbatim
	}
	lines := []string{"("}
	if s.Workdir != "" {
		lines = append(lines, "cd "+quote(s.Workdir)+" || exit")
	}
	argv := []string{"/bin/sh", "-c"}
	cmd := StepCommand(s, o.Export)
	if s.Shell == "bash" {
		argv = []string{"/bin/bash", "-eo", "pipefail", "-c"}
	}
	if (s.User != "" || s.Shell == "bash" || !verbatim(cmd)) && HasExpansion(cmd) {
		// The command is handed quoted to another shell, which expands it:
		// tell shellcheck that the quotes are meant.
		lines = append(lines, ShellcheckQuotedCommand)
	}
	switch {
	case s.User != "":
		runner := "runuser"
		if o.Family == "alpine" {
			runner = "su" // BusyBox su takes the same options
		}
		if s.Shell == "bash" {
			cmd = BashUserPrefix + cmd
		}
		lines = append(lines, runner+" -s "+argv[0]+" -c "+quote(cmd)+" "+quote(s.User))
	case s.Shell == "bash" || !verbatim(cmd):
		lines = append(lines, strings.Join(argv, " ")+" "+quote(cmd))
	default:
		lines = append(lines, "set +e", cmd)
	}
	return append(lines, ")")
}

// Verbatim reports whether a command can stand as written in a script: it
// holds no carriage return (editors, git and Vagrant's upload turn CR LF
// into LF) and does not end in a line continuation that would swallow the
// subshell's closing parenthesis.
func Verbatim(cmd string) bool {
	if strings.Contains(cmd, "\r") {
		return false
	}
	trimmed := strings.TrimRight(cmd, " \t\n")
	return !strings.HasSuffix(trimmed, `\`)
}
