package compiler

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/envc-dev/envc/internal/lazyre"
)

// The rules in this file say which values every target can carry as the
// same literal text. The emitters check the same things again as a safety
// net; checking them here reports a value once, at the value, whichever
// targets are chosen, and before any file is written.

// maxValue is the longest single value (an env value, a label, a path, a
// run argument, a VM setting) envc carries. Dockerfile lines are folded at
// 32 KiB and quoting may double a value, so 8 KiB stays clear of every
// target's limits with room to spare.
const maxValue = 8 << 10

// maxCommand bounds one setup step and the run command as a whole.
const maxCommand = 16 << 10

// valueProblem returns why s cannot be carried as a literal value, or "".
// A tab is always fine; a line break only where allowNewline is set (a run
// argument, which every target writes in a quoted form).
func valueProblem(s string, allowNewline bool) string {
	switch {
	case hasNUL(s):
		return "contains a NUL byte, which no target can carry"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case len(s) > maxValue:
		return fmt.Sprintf("is %d bytes long; envc carries values of up to %d bytes", len(s), maxValue)
	}
	for _, r := range s {
		if r == '\t' || allowNewline && (r == '\n' || r == '\r') {
			continue
		}
		if r < 0x20 || r == 0x7f {
			if r == '\n' {
				return "contains a line break, which a Dockerfile instruction cannot carry (a value ends at the end of its line)"
			}
			return fmt.Sprintf("contains the control character %q, which a Dockerfile cannot carry in this position", r)
		}
		if r >= 0x80 && r <= 0x9f || r == '\u2028' || r == '\u2029' {
			return fmt.Sprintf("contains the character %q, which some targets read as a line break", r)
		}
	}
	return ""
}

var (
	// buildArgPattern is what Apptainer replaces by a build argument in
	// every part of a definition file.
	buildArgPattern = lazyre.New(`{{\s*\w+\s*}}`)
	// magicComment is what Ruby reads as an encoding comment on a
	// Vagrantfile's first line, which names the spec file.
	magicComment = lazyre.New(`(?i)coding\s*[:=]|-\*-`)
)

// labelKeyProblem returns why key cannot be a label key on every target.
func labelKeyProblem(key string) string {
	switch {
	case key == "":
		return "a label key must not be empty"
	case strings.ContainsFunc(key, unicode.IsSpace):
		return "a label key must be one word: Singularity's %labels splits a label line at the first space"
	case strings.HasPrefix(key, "#"):
		return `a label key must not start with "#": Singularity's %labels would read the line as a comment`
	case strings.HasPrefix(key, "%"):
		return `a label key must not start with "%": Singularity would read the line as a new section`
	case strings.HasPrefix(strings.ToLower(key), "bootstrap:"):
		return `a label key must not start with "Bootstrap:": Singularity would read the line as a new build stage`
	case buildArgPattern().MatchString(key):
		return `a label key must not hold "{{ NAME }}": Apptainer replaces it by a build argument`
	}
	return ""
}

// labelValueProblem returns why value cannot be a label value (or the
// description, which is a label) on every target.
func labelValueProblem(value string) string {
	switch {
	case strings.TrimFunc(value, unicode.IsSpace) != value:
		return "a label value must not start or end with white space: Singularity's %labels trims it"
	case buildArgPattern().MatchString(value):
		return `a label value must not hold "{{ NAME }}": Apptainer replaces it by a build argument`
	}
	return ""
}

// copySourceProblem returns why the file source (relative, clean) cannot
// be copied by every target.
func copySourceProblem(src string) string {
	if strings.ContainsAny(src, `*?[\`) {
		return `its name holds "*", "?", "[" or "\", which a Dockerfile COPY takes for a wildcard pattern with no way to escape it`
	}
	for _, part := range strings.Split(src, "/") {
		if strings.HasPrefix(part, "<<") {
			return `a name starting with "<<" is a heredoc to a Dockerfile COPY`
		}
	}
	return ""
}

// mountTargetProblem returns why a mount's guest path cannot be carried:
// Vagrant passes a synced folder's guest path to shell commands and
// /etc/fstab in the machine, not always quoted.
func mountTargetProblem(p string) string {
	for _, r := range p {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("/._+,:@=-", r) {
			return fmt.Sprintf("the character %q cannot be carried: Vagrant passes a synced folder's guest path to shell commands and /etc/fstab in the machine, not always quoted. Use letters, digits and the characters / . _ + , : @ = - only", r)
		}
	}
	return ""
}

// mountSourceProblem returns why a mount's host path cannot be carried:
// Vagrant writes it into files on the host (NFS exports) and treats "\"
// as a separator on Windows.
func mountSourceProblem(p string) string {
	for _, r := range p {
		if !unicode.IsPrint(r) && r != ' ' || r == '"' || r == '\\' {
			return fmt.Sprintf("the character %q cannot be carried: Vagrant writes a synced folder's host path into files on the host (NFS exports) and treats \"\\\" as a separator on Windows. Use a path without control characters, '\"' or '\\'", r)
		}
	}
	return ""
}
