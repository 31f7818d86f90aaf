package shquote

import (
	"io"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// TestQuoteReadsBack quotes values POSIX sh has no escape for, and others,
// and reads each word back with mvdan.cc/sh's expansion: the value itself.
func TestQuoteReadsBack(t *testing.T) {
	for _, s := range []string{
		"plain", "", "it's", "a b", "tab\there", "nbsp\u00a0x", "zero\u200bwidth", "bidi\u202eevil",
		"cr\rlf\n", "$(touch CANARY)`x`", "'''", "\u2028\u2029", "é€😀",
	} {
		q, err := Quote(s)
		if err != nil {
			t.Fatalf("Quote(%q): %v", s, err)
		}
		f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader("x="+q), "")
		if err != nil {
			t.Fatalf("Quote(%q) = %s does not parse: %v", s, q, err)
		}
		w := f.Stmts[0].Cmd.(*syntax.CallExpr).Assigns[0].Value
		got, err := expand.Literal(&expand.Config{CmdSubst: crSubst}, w)
		if err != nil || got != s {
			t.Errorf("Quote(%q) = %s reads back as %q, %v", s, q, got, err)
		}
	}
	if _, err := Quote("a\x00b"); err != ErrNUL {
		t.Errorf("a NUL byte: %v", err)
	}
	if _, err := Quote("\xff"); err != ErrUTF8 {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

// crSubst stands in for $(printf '\r'), the one command substitution
// Quote writes.
func crSubst(w io.Writer, cs *syntax.CmdSubst) error {
	_, err := io.WriteString(w, "\r")
	return err
}
