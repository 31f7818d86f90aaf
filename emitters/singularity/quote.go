package singularity

import (
	"strings"
	"unicode"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/envc-dev/envc/internal/shquote"
	"mvdan.cc/sh/v3/syntax"
)

// A definition file is read line by line before any shell sees a script,
// and three kinds of line are not what they seem (see Apptainer's
// pkg/build/types/parser and internal/pkg/build/args):
//
//   - a line whose first word starts with "%" starts a new section;
//   - a line starting with "Bootstrap:" (any case) starts a new build stage;
//   - "{{ NAME }}" anywhere is a build argument, replaced before parsing
//     (and an error when NAME is not defined).
//
// The helpers below keep every literal envc writes clear of them.

var (
	// buildArgPattern is Apptainer's build-argument pattern.
	buildArgPattern = lazyre.New(`{{\s*(\w+)\s*}}`)
	// stagePattern is how Apptainer splits a file into build stages.
	stagePattern = lazyre.New(`(?mi)^bootstrap:`)
	// argCommentPattern is how Apptainer decides that a build argument is
	// in a comment: it is matched (unanchored) against the text of the line
	// before the argument.
	argCommentPattern = lazyre.New(`\s*[#][^!]\s*.*`)
)

// lineHazard returns why line would not reach a section body as itself,
// or "" when it would.
func lineHazard(line string) string {
	if f := firstWord(line); strings.HasPrefix(f, "%") {
		return `its first word starts with "%", which starts a new section`
	}
	if stagePattern().MatchString(line) {
		return `it starts with "Bootstrap:", which starts a new build stage`
	}
	if buildArgPattern().MatchString(line) {
		return `it holds "{{ NAME }}", which Apptainer replaces by a build argument`
	}
	return ""
}

// textHazard is lineHazard for every line of text.
func textHazard(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if h := lineHazard(line); h != "" {
			return h
		}
	}
	return ""
}

// firstWord returns the first whitespace-separated word of line, as
// bufio.ScanWords finds it.
func firstWord(line string) string {
	f := strings.FieldsFunc(line, unicode.IsSpace)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// word returns s as one sh word that expands to exactly s and that a
// definition file carries unchanged: shell.Quote's word when it is safe,
// otherwise s split into pieces quoted apart, so that no line of the word
// starts with anything but a double quote and no "{{" appears.
func word(s string) string {
	if q := shell.MustQuote(s); textHazard(q) == "" {
		return q
	}
	return splitWord(s)
}

// splitWord quotes s as single-quoted runs, with each newline in double
// quotes of its own (so that the next line starts with a quote) and runs
// cut between two braces (so that "{{" never appears). A single quote is `\'` and a
// carriage return `"$(printf '\r')"`, as shell.Quote writes them. The word
// is assembled as a syntax tree and printed by mvdan.cc/sh's printer.
func splitWord(s string) string {
	var parts []syntax.WordPart
	run := func(text string) {
		if text != "" {
			parts = append(parts, &syntax.SglQuoted{Value: text})
		}
	}
	for i, seg := range strings.Split(s, "\r") {
		if i > 0 {
			parts = append(parts, shell.CRPart())
		}
		for j, q := range strings.Split(seg, "'") {
			if j > 0 {
				parts = append(parts, &syntax.Lit{Value: `\'`})
			}
			for l, line := range strings.Split(q, "\n") {
				if l > 0 {
					parts = append(parts, &syntax.DblQuoted{Parts: []syntax.WordPart{&syntax.Lit{Value: "\n"}}})
				}
				start := 0
				for k := 0; k+1 < len(line); k++ {
					if line[k] == '{' && line[k+1] == '{' {
						run(line[start : k+1])
						start = k + 1
					}
				}
				run(line[start:])
			}
		}
	}
	if len(parts) == 0 {
		return shell.MustQuote("")
	}
	return shquote.PrintWord(parts)
}

// join is shell.Join with word.
func join(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = word(a)
	}
	return strings.Join(out, " ")
}

// exportLine is shell.ExportLine, with literal parts quoted by word when
// the shared form would not survive the definition file. A value with a
// carriage return (written as a command substitution) is exported first
// and assigned on the next line, so that no export masks a status.
func exportLine(v ir.EnvVar) string {
	w := safeWord(v.Value)
	for _, p := range v.Value {
		if strings.Contains(p.Lit, "\r") {
			return "export " + v.Name + "\n" + v.Name + "=" + w
		}
	}
	return "export " + v.Name + "=" + w
}

// defaultLines are shell.DefaultLines, with the word written as
// exportLine writes it.
func defaultLines(name string, value ir.Word) []string {
	return []string{"export " + name, `[ -n "${` + name + `:-}" ] || ` + name + "=" + safeWord(value)}
}

// safeWord is shell.ExpandWord, with each literal split by splitWord when
// the shared form would not survive the definition file.
func safeWord(value ir.Word) string {
	w := shell.ExpandWord(value)
	if textHazard(w) != "" {
		var b strings.Builder
		for _, p := range value {
			if p.Ref != "" {
				b.WriteString(shell.ExpandWord(ir.Word{p}))
			} else {
				b.WriteString(splitWord(p.Lit))
			}
		}
		w = b.String()
	}
	return w
}
