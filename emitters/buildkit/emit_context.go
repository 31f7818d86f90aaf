package buildkit

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
)

// includePatterns returns one include pattern per distinct source of a
// CopyStep from the build context, in step order (the stages' steps
// first, as they are built first), each matching exactly that path.
func includePatterns(env *ir.Env) []string {
	var out []string
	seen := map[string]bool{}
	var steps []ir.Step
	for _, st := range env.Stages {
		steps = append(steps, st.Steps...)
	}
	steps = append(steps, env.Steps...)
	for _, s := range steps {
		cs, ok := s.(*ir.CopyStep)
		if !ok || cs.Stage != "" {
			continue
		}
		p := literalPattern(path.Clean(cs.Source))
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// literalPattern returns a BuildKit include pattern (moby/patternmatcher
// syntax) that matches the path p literally. Pattern characters (* ? [ ]
// and \) are escaped with a backslash, and so is a leading "!" (an
// exclusion). The matcher trims surrounding white space and reads its
// patterns as UTF-8, so a space at either end and a byte of invalid UTF-8
// become "?" (any one character but "/"): the pattern then matches a few
// more paths, never fewer, and an include pattern only filters what is
// sent to the builder.
func literalPattern(p string) string {
	var b strings.Builder
	lead := len(p) - len(strings.TrimLeftFunc(p, unicode.IsSpace))
	trail := len(strings.TrimRightFunc(p, unicode.IsSpace))
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte('?')
		case i < lead || i >= trail:
			b.WriteByte('?')
		case r == '*', r == '?', r == '[', r == ']', r == '\\', r == '!' && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
