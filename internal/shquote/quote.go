package shquote

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// ErrNUL is returned for a value with a NUL byte, which no shell word (and
// no C string) can carry.
var ErrNUL = errors.New("a NUL byte cannot be carried by a shell word")

// ErrUTF8 is returned for a value that is not valid UTF-8 (spec values
// always are: HCL strings are Unicode).
var ErrUTF8 = errors.New("the value is not valid UTF-8")

// Quote returns s as one POSIX sh word that expands to exactly s. It fails
// only for a NUL byte or invalid UTF-8.
func Quote(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", ErrNUL
	}
	if !utf8.ValidString(s) {
		return "", ErrUTF8
	}
	if q, err := syntax.Quote(s, syntax.LangPOSIX); err == nil && !strings.Contains(s, "\r") {
		return q, nil
	}
	// POSIX has no escapes for non-printable characters, but single quotes
	// carry every byte but NUL and the quote itself.
	return PrintWord(LiteralParts(s)), nil
}

// MustQuote is Quote for values already checked to hold no NUL byte and
// to be valid UTF-8.
func MustQuote(s string) string {
	q, err := Quote(s)
	if err != nil {
		panic(fmt.Sprintf("shquote.MustQuote: %v", err))
	}
	return q
}

// LiteralParts splits s at single quotes into single-quoted runs and
// escaped quotes. A carriage return is written as "$(printf '\r')": a raw
// CR in a script does not survive editors, git's line-ending conversion or
// every parser (mvdan.cc/sh reads CR LF as LF).
func LiteralParts(s string) []syntax.WordPart {
	var parts []syntax.WordPart
	for i, line := range strings.Split(s, "\r") {
		if i > 0 {
			parts = append(parts, CRPart())
		}
		for j, run := range strings.Split(line, "'") {
			if j > 0 {
				parts = append(parts, &syntax.Lit{Value: `\'`})
			}
			if run != "" {
				parts = append(parts, &syntax.SglQuoted{Value: run})
			}
		}
	}
	if len(parts) == 0 {
		parts = append(parts, &syntax.SglQuoted{Value: ""})
	}
	return parts
}

// CRPart returns the word part "$(printf '\r')", which carries a carriage
// return without writing one; it is built without source positions so that
// the printer keeps it on one line.
func CRPart() syntax.WordPart {
	word := func(p syntax.WordPart) *syntax.Word { return &syntax.Word{Parts: []syntax.WordPart{p}} }
	printf := &syntax.CallExpr{Args: []*syntax.Word{word(&syntax.Lit{Value: "printf"}), word(&syntax.SglQuoted{Value: `\r`})}}
	return &syntax.DblQuoted{Parts: []syntax.WordPart{&syntax.CmdSubst{Stmts: []*syntax.Stmt{{Cmd: printf}}}}}
}

// PrintWord prints a word of parts.
func PrintWord(parts []syntax.WordPart) string {
	s, err := Print(&syntax.Word{Parts: parts})
	if err != nil {
		panic(fmt.Sprintf("shquote: printing a word: %v", err)) // a strings.Builder does not fail
	}
	return s
}

// printers holds printers with the default settings: making one costs
// more than printing a word with it, and every quoted word is printed.
var printers = sync.Pool{New: func() any { return syntax.NewPrinter() }}

// Print prints n as syntax.NewPrinter().Print does, with a printer used
// again (Print resets a printer's state before it prints).
func Print(n syntax.Node) (string, error) {
	p := printers.Get().(*syntax.Printer)
	defer printers.Put(p)
	var b strings.Builder
	err := p.Print(&b, n)
	return b.String(), err
}
