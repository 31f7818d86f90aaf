package shell

import (
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/shquote"
	"mvdan.cc/sh/v3/syntax"
)

// ErrNUL and ErrUTF8 are the errors of Quote.
var (
	ErrNUL  = shquote.ErrNUL
	ErrUTF8 = shquote.ErrUTF8
)

// Quote returns s as one POSIX sh word that expands to exactly s
// (shquote.Quote, which the compiler quotes with too). It fails only for a
// NUL byte or invalid UTF-8.
func Quote(s string) (string, error) { return shquote.Quote(s) }

// MustQuote is Quote for values already checked to hold no NUL byte.
func MustQuote(s string) string { return shquote.MustQuote(s) }

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
			parts = append(parts, shquote.LiteralParts(p.Lit)...)
		}
	}
	return shquote.PrintWord(parts)
}

// CRPart returns the word part "$(printf '\r')", which carries a carriage
// return without writing one.
func CRPart() syntax.WordPart { return shquote.CRPart() }

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
