package vagrant

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/envc-dev/envc/internal/lazyre"
)

// errRubyNUL and errRubyUTF8 are the only values rubyString refuses.
var (
	errRubyNUL  = errors.New("a NUL byte cannot be written in a Vagrantfile")
	errRubyUTF8 = errors.New("the value is not valid UTF-8")
)

// rubyString returns s as a Ruby string literal expression that evaluates
// to exactly s and never runs code.
//
// Printable text is written in single quotes, where Ruby knows only two
// escapes, \\ and \', and interpolation (#{...}) does not exist. A
// character that is not printable (a control character such as CR, LF or
// tab, or a Unicode format or separator character) is written as its own
// double-quoted literal holding nothing but a \u{...} escape, and Ruby
// joins adjacent literals into one string: 'a' "\u{D}" 'b' is "a\rb". So
// the file never holds a raw CR (Ruby reads CR LF inside a literal as LF,
// and git and editors convert line ends), no line break inside a literal,
// and no character that displays differently from what it is.
func rubyString(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", errRubyNUL
	}
	if !utf8.ValidString(s) {
		return "", errRubyUTF8
	}
	if s == "" {
		return "''", nil
	}
	var b strings.Builder
	open := false
	for _, r := range s {
		if strconv.IsPrint(r) {
			if !open {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteByte('\'')
				open = true
			}
			if r == '\\' || r == '\'' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			continue
		}
		if open {
			b.WriteByte('\'')
			open = false
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, `"\u{%X}"`, r)
	}
	if open {
		b.WriteByte('\'')
	}
	return b.String(), nil
}

// rubyComment returns text as the body of a one-line Ruby comment: Go
// quoted, so no character (a line break above all) can end the comment.
func rubyComment(text string) string {
	return strconv.Quote(text)
}

// magicComment matches what Ruby reads as a magic comment on a file's
// first line: an encoding ("coding: NAME" anywhere in the line) or an
// Emacs-style "-*- ... -*-" setting.
var magicComment = lazyre.New(`(?i)coding\s*[:=]|-\*-`)
