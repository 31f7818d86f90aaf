package singularity

import (
	"strings"
	"unicode"

	"github.com/envc-dev/envc/emitters"
)

// emitLabels writes %labels: one "key value" line per label. Apptainer
// takes the key up to the first space and the value as the rest with
// surrounding white space trimmed, so a key must be one word and a value
// must be one line without surrounding white space; anything else is an
// error, since no escape exists.
func (e *emission) emitLabels() {
	var lines []string
	for _, l := range e.env.Labels {
		why := ""
		switch {
		case l.Key == "" || strings.ContainsFunc(l.Key, unicode.IsSpace):
			why = "the key must be one word: Apptainer splits a label line at the first space"
		case strings.HasPrefix(l.Key, "#"):
			why = `a line starting with "#" is a comment`
		case strings.ContainsAny(l.Value, "\n"):
			why = "a label is one line: the value cannot hold a line break"
		case strings.TrimSpace(l.Value) != l.Value:
			why = "Apptainer trims white space around a label value"
		}
		line := l.Key
		if l.Value != "" {
			line += " " + l.Value
		}
		if why == "" {
			why = lineHazard(line)
		}
		if why != "" {
			e.diags = append(e.diags, emitters.Errorf(l.Range, "Label cannot be carried", "The label %q (value %q) cannot be written to %%labels: %s. Change the label.", l.Key, l.Value, why))
			continue
		}
		lines = append(lines, line)
	}
	e.add("labels", lines)
}
