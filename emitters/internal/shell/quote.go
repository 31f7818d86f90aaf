package shell

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
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
	return printWord(literalParts(s)), nil
}

// MustQuote is Quote for values already checked to hold no NUL byte.
func MustQuote(s string) string {
	q, err := Quote(s)
	if err != nil {
		panic(fmt.Sprintf("shell.MustQuote: %v", err))
	}
	return q
}

// Join quotes each element of argv and joins them with spaces.
func Join(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = MustQuote(a)
	}
	return strings.Join(out, " ")
}

// ExpandWord returns w as one sh word: literal parts quoted, references as
// "${NAME}" expanded by the shell at run time.
func ExpandWord(w ir.Word) string {
	if w.IsLiteral() {
		return MustQuote(w.Expand(nil))
	}
	var parts []syntax.WordPart
	for _, p := range w {
		if p.Ref != "" {
			parts = append(parts, &syntax.DblQuoted{Parts: []syntax.WordPart{
				&syntax.ParamExp{Param: &syntax.Lit{Value: p.Ref}},
			}})
			continue
		}
		if q, err := syntax.Quote(p.Lit, syntax.LangPOSIX); err == nil && q == p.Lit && !strings.Contains(p.Lit, "\r") {
			parts = append(parts, &syntax.Lit{Value: p.Lit})
		} else {
			parts = append(parts, literalParts(p.Lit)...)
		}
	}
	return printWord(parts)
}

// literalParts splits s at single quotes into single-quoted runs and
// escaped quotes. A carriage return is written as "$(printf '\r')": a raw
// CR in a script does not survive editors, git's line-ending conversion or
// every parser (mvdan.cc/sh reads CR LF as LF).
func literalParts(s string) []syntax.WordPart {
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

func printWord(parts []syntax.WordPart) string {
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, &syntax.Word{Parts: parts}); err != nil {
		panic(fmt.Sprintf("shell: printing a word: %v", err))
	}
	return b.String()
}

// Parse parses script as POSIX sh (or bash when bash is true) and returns
// the parser's error, if any.
func Parse(script string, bash bool) error {
	lang := syntax.LangPOSIX
	if bash {
		lang = syntax.LangBash
	}
	_, err := syntax.NewParser(syntax.Variant(lang)).Parse(strings.NewReader(script), "")
	return err
}
