package schema

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// MaxNesting is how deeply a spec may nest brackets, braces, parentheses,
// strings inside template interpolations, conditionals and unary
// operators. HCL's parser and evaluator recurse once a level, so a file of
// a few hundred kilobytes of "(" would exhaust the stack; no real spec
// comes near this depth.
const MaxNesting = 100

// scanner finds how deeply src nests, without HCL's lexer (which would
// cost as much as the parse): it knows just enough of the syntax to skip
// comments and the literal text of strings and heredocs.
type scanner struct {
	src []byte
	// stack holds what each open level is: '(' '[' '{', '"' for a quoted
	// string, 'h' for a heredoc (its marker in markers), '$' for a
	// template interpolation or directive.
	stack   []byte
	markers [][]byte
	// conds counts the conditionals ("?") open at each level: the parser
	// recurses into each one's results until the expression ends.
	conds []int
	// condSum is the sum of conds.
	condSum int
	// unary is the run of unary operators ("!", "-") just seen.
	unary int
}

// checkNesting returns an error at the first place where src nests more
// deeply than MaxNesting, nil when it does not.
func checkNesting(filename string, src []byte) *hcl.Diagnostic {
	s := &scanner{src: src, conds: []int{0}}
	at := s.scan()
	if at < 0 {
		return nil
	}
	pos := hcl.Pos{Line: 1 + bytes.Count(src[:at], []byte("\n")), Byte: at}
	pos.Column = at - bytes.LastIndexByte(src[:at], '\n')
	end := pos
	end.Column, end.Byte = pos.Column+1, pos.Byte+1
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Nested too deeply",
		Detail: fmt.Sprintf("The spec nests brackets, strings in templates, conditionals or unary operators more than %d deep here; envc refuses that before parsing, "+
			"so that a spec cannot exhaust the parser's stack. Build the value in steps with local values.", MaxNesting),
		Subject: &hcl.Range{Filename: filename, Start: pos, End: end},
	}
}

// depth is the current nesting.
func (s *scanner) depth() int { return len(s.stack) + s.unary + s.condSum }

func (s *scanner) push(kind byte) {
	s.stack = append(s.stack, kind)
	s.conds = append(s.conds, 0)
	s.unary = 0
}

func (s *scanner) pop() {
	if len(s.stack) > 0 {
		s.stack = s.stack[:len(s.stack)-1]
		s.condSum -= s.conds[len(s.conds)-1]
		s.conds = s.conds[:len(s.conds)-1]
	}
	s.unary = 0
}

func (s *scanner) top() byte {
	if len(s.stack) == 0 {
		return 0
	}
	return s.stack[len(s.stack)-1]
}

// special marks the bytes that may change the depth: in code (bit 1) and
// in a string (bit 2); every other byte is skipped in a tight loop.
var special = func() (t [256]byte) {
	for _, c := range []byte("#/([{)]}\"<?,\n!-") {
		t[c] |= 1
	}
	for _, c := range []byte("\\\"\n$%") {
		t[c] |= 2
	}
	return t
}()

// scan returns the offset at which the depth first passes MaxNesting, or
// -1.
func (s *scanner) scan() int {
	src := s.src
	for i := 0; i < len(src); i++ {
		switch s.top() {
		case '"':
			for i < len(src) && special[src[i]]&2 == 0 {
				i++
			}
			if i == len(src) {
				return -1
			}
			i = s.inString(i)
		case 'h':
			i = s.inHeredoc(i)
		default:
			operand := false
			for ; i < len(src) && special[src[i]]&1 == 0; i++ {
				if c := src[i]; c != ' ' && c != '\t' && c != '\r' {
					operand = true
				}
			}
			if i == len(src) {
				return -1
			}
			if operand {
				s.unary = 0 // an operand or another operator
			}
			i = s.inCode(i)
		}
		if s.depth() > MaxNesting {
			return min(i, len(src)-1)
		}
	}
	return -1
}

// inCode reads the code byte at i (or the construct starting there) and
// returns the offset of its last byte.
func (s *scanner) inCode(i int) int {
	src := s.src
	c := src[i]
	switch {
	case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
		for i < len(src) && src[i] != '\n' {
			i++
		}
		return i - 1
	case c == '/' && i+1 < len(src) && src[i+1] == '*':
		end := bytes.Index(src[i+2:], []byte("*/"))
		if end < 0 {
			return len(src) - 1
		}
		return i + 2 + end + 1
	case c == '(' || c == '[' || c == '{':
		s.push(c)
	case c == ')' || c == ']' || c == '}':
		s.pop()
	case c == '"':
		s.push('"')
	case c == '<' && i+1 < len(src) && src[i+1] == '<':
		return s.heredocStart(i)
	case c == '?':
		s.conds[len(s.conds)-1]++
		s.condSum++
		s.unary = 0
	case c == ',' || c == '\n':
		s.condSum -= s.conds[len(s.conds)-1]
		s.conds[len(s.conds)-1] = 0
		s.unary = 0
	case c == '!' || c == '-':
		s.unary++
	case c == ' ' || c == '\t' || c == '\r':
	default:
		s.unary = 0
	}
	return i
}

// heredocStart reads "<<MARKER" or "<<-MARKER" and the rest of its line.
func (s *scanner) heredocStart(i int) int {
	src := s.src
	j := i + 2
	if j < len(src) && src[j] == '-' {
		j++
	}
	k := j
	for k < len(src) && (src[k] == '_' || src[k] >= 'a' && src[k] <= 'z' || src[k] >= 'A' && src[k] <= 'Z' || src[k] >= '0' && src[k] <= '9') {
		k++
	}
	if k == j || k >= len(src) || src[k] != '\n' {
		return i + 1 // not a heredoc: a "<" comparison, read on
	}
	s.push('h')
	s.markers = append(s.markers, src[j:k])
	return k
}

// inString reads the quoted-string byte at i.
func (s *scanner) inString(i int) int {
	src := s.src
	switch c := src[i]; {
	case c == '\\':
		return i + 1
	case c == '"':
		s.pop()
	case c == '\n':
		s.pop() // an unterminated string: the parser reports it
	default:
		return s.template(i)
	}
	return i
}

// inHeredoc reads the heredoc byte at i: the closing marker at the start
// of a line ends it.
func (s *scanner) inHeredoc(i int) int {
	src := s.src
	if i == 0 || src[i-1] == '\n' {
		j := i
		for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		m := s.markers[len(s.markers)-1]
		if bytes.HasPrefix(src[j:], m) && (j+len(m) == len(src) || src[j+len(m)] == '\n' || src[j+len(m)] == '\r') {
			s.pop()
			s.markers = s.markers[:len(s.markers)-1]
			return j + len(m) - 1
		}
	}
	return s.template(i)
}

// template reads a template sequence at i in a string or heredoc: "$${"
// and "%%{" are literal, "${" and "%{" open an interpolation or a
// directive, which closes at its "}".
func (s *scanner) template(i int) int {
	src := s.src
	c := src[i]
	if (c == '$' || c == '%') && i+1 < len(src) {
		switch {
		case src[i+1] == c && i+2 < len(src) && src[i+2] == '{':
			return i + 2
		case src[i+1] == '{':
			s.push('$')
			return i + 1
		}
	}
	return i
}
