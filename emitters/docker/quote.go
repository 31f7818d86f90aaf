package docker

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/envc-dev/envc/compiler/ir"
)

// A Dockerfile value goes through up to three readers before the builder
// uses it: the parser's line splitting (continuation lines, comments), the
// instruction's own argument splitting (key=value words for ENV and LABEL,
// white space for COPY, JSON arrays), and BuildKit's shell lexer
// (frontend/dockerfile/shell), which removes quotes and escapes and
// expands $NAME and ${NAME} in ENV, LABEL, COPY, WORKDIR, USER and VOLUME.
// The functions here write literals for the last reader; the emitter picks
// the instruction form that keeps the first two from touching them.

// isPlain reports whether s can stand unquoted in every instruction: it
// is not empty, does not start with "-", and holds only characters that
// no reader treats specially.
func isPlain(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_./:@+,=-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// dqEscape escapes s for the inside of a double-quoted lexer word, where a
// backslash escapes only `"`, `$` and itself (a backtick is literal).
func dqEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '"' || r == '$' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lexQuote returns s as one lexer word that expands to exactly s: as it is
// when plain, otherwise double-quoted. Double quotes also keep white space
// inside one key=value word and away from the line's ends.
func lexQuote(s string) string {
	if isPlain(s) {
		return s
	}
	return `"` + dqEscape(s) + `"`
}

// lexEscape returns s with a backslash before each character the lexer
// treats specially outside quotes (`\`, `$`, `'` and `"`). It suits words
// that no earlier reader splits, such as the strings of a JSON array.
func lexEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '"' || r == '$' || r == '\\' || r == '\'' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// jsonWord returns s as it must be written in a JSON array whose strings
// the lexer expands (COPY, VOLUME): escaped, or double-quoted when it has
// white space at either end (VOLUME trims it before the lexer runs).
func jsonWord(s string) string {
	if strings.TrimFunc(s, unicode.IsSpace) != s {
		return `"` + dqEscape(s) + `"`
	}
	return lexEscape(s)
}

// envValue returns w as the value of an ENV key=value word: literal parts
// escaped, references as ${NAME} so that the builder expands them against
// the variables set earlier and the base image's.
func envValue(w ir.Word) string {
	plain := true
	for _, p := range w {
		if p.Ref == "" && !isPlain(p.Lit) {
			plain = false
		}
	}
	var b strings.Builder
	if !plain || len(w) == 0 {
		b.WriteByte('"')
	}
	for _, p := range w {
		if p.Ref != "" {
			b.WriteString("${" + p.Ref + "}")
		} else if plain {
			b.WriteString(p.Lit)
		} else {
			b.WriteString(dqEscape(p.Lit))
		}
	}
	if !plain || len(w) == 0 {
		b.WriteByte('"')
	}
	return b.String()
}

// jsonArray renders args as a JSON array of strings in Docker's usual
// layout (`["a", "b"]`), without HTML escaping.
func jsonArray(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(a); err != nil {
			panic("docker: encoding a string as JSON: " + err.Error())
		}
		parts[i] = strings.TrimSuffix(buf.String(), "\n")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// flagEscape escapes s for the value of a builder flag (--chown=VALUE):
// the parser splits flags at white space and removes one level of quotes
// and backslashes before the lexer sees the value. s must be ASCII (the
// flag parser reads bytes, not runes).
func flagEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '\'' || c == '"' || c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isASCIIPrint reports whether s holds only printable ASCII.
func isASCIIPrint(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// maxLine is the longest physical line the emitter writes (without the
// newline). The parser's scanner rejects lines over 64 KiB, so longer
// logical lines are folded into continuation lines.
const maxLine = 32 * 1024

// fold splits line into physical lines of at most limit bytes joined by
// line continuations ("\" at the end of each line but the last) so that
// the parser rebuilds exactly line. A cut is made only where the parser
// joins the pieces back unchanged: the piece before it must not end in a
// backslash (it would escape the continuation) or a CR (it would be
// trimmed), and the piece after it must start with a printable ASCII
// character that is neither white space (which could make the piece empty)
// nor "#" (a comment line inside an instruction is dropped). ok is false
// when no such cut exists within a window.
func fold(line string, limit int) (string, bool) {
	if len(line) <= limit {
		return line, true
	}
	var pieces []string
	for len(line) > limit {
		cut := -1
		for i := limit - 1; i > 0; i-- {
			prev, next := line[i-1], line[i]
			if prev == '\\' || prev == '\r' || next <= ' ' || next >= 0x7f || next == '#' {
				continue
			}
			cut = i
			break
		}
		if cut < 0 {
			return "", false
		}
		pieces = append(pieces, line[:cut])
		line = line[cut:]
	}
	pieces = append(pieces, line)
	return strings.Join(pieces, "\\\n"), true
}
