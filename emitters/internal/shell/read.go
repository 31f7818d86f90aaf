package shell

import (
	"fmt"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/shquote"
	"mvdan.cc/sh/v3/syntax"
)

// ReadWord reads back a word this package writes: literal text (plain,
// single- or double-quoted), ${NAME} or $NAME references, and the
// $(printf '\r') that stands for a carriage return. Anything else is an
// error. It is the inverse of ExpandWord and Quote.
func ReadWord(w *syntax.Word) (ir.Word, error) {
	var out ir.Word
	add := func(p ir.WordPart) {
		switch n := len(out); {
		case p.Ref == "" && p.Lit == "":
		case n > 0 && p.Ref == "" && out[n-1].Ref == "":
			out[n-1].Lit += p.Lit
		default:
			out = append(out, p)
		}
	}
	var walk func(parts []syntax.WordPart, quoted bool) error
	walk = func(parts []syntax.WordPart, quoted bool) error {
		for _, p := range parts {
			switch p := p.(type) {
			case *syntax.Lit:
				add(ir.WordPart{Lit: unescape(p.Value, quoted)})
			case *syntax.SglQuoted:
				if p.Dollar {
					return fmt.Errorf("$'...' is not POSIX")
				}
				add(ir.WordPart{Lit: p.Value})
			case *syntax.DblQuoted:
				if p.Dollar {
					return fmt.Errorf(`$"..." is not POSIX`)
				}
				if err := walk(p.Parts, true); err != nil {
					return err
				}
			case *syntax.ParamExp:
				if p.Excl || p.Length || p.Width || p.Index != nil || p.Slice != nil || p.Repl != nil || p.Exp != nil || p.Param == nil || !ir.ValidName(p.Param.Value) {
					return fmt.Errorf("parameter expansion %s is not a plain reference", PrintNode(p))
				}
				add(ir.WordPart{Ref: p.Param.Value})
			case *syntax.CmdSubst:
				if s := PrintNode(p); s != `$(printf '\r')` {
					return fmt.Errorf("unexpected command substitution %s", s)
				}
				add(ir.WordPart{Lit: "\r"})
			default:
				return fmt.Errorf("unexpected %s in a word", PrintNode(p))
			}
		}
		return nil
	}
	if err := walk(w.Parts, false); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadLiteral reads back a word that must be literal text (see ReadWord).
func ReadLiteral(w *syntax.Word) (string, error) {
	iw, err := ReadWord(w)
	if err != nil {
		return "", err
	}
	if !iw.IsLiteral() {
		return "", fmt.Errorf("word %s is not literal", PrintNode(w))
	}
	return iw.Expand(nil), nil
}

// unescape removes the backslashes of a literal: every one outside quotes,
// and inside double quotes those before $ ` " \ and newline.
func unescape(s string, quoted bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			next := s[i+1]
			if next == '\n' {
				i++
				continue
			}
			if !quoted || strings.IndexByte("$`\"\\", next) >= 0 {
				b.WriteByte(next)
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// PrintNode prints a syntax node as mvdan.cc/sh prints it, for messages
// and comparisons.
func PrintNode(n syntax.Node) string {
	s, err := shquote.Print(n)
	if err != nil {
		return fmt.Sprintf("<%T>", n)
	}
	return s
}
