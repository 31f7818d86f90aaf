package vagrant

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/envc-dev/envc/internal/lazyre"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// Bootstrap is bootstrap.sh as read back by mvdan.cc/sh: its steps (as
// marked by the "# step N: KIND" comments), what it does after them, and
// the files it writes with here-documents.
type Bootstrap struct {
	// Prologue holds the commands before the first step.
	Prologue []Command
	Steps    []ScriptStep
	// Epilogue holds the commands after the steps, here-documents left out
	// (they are in Files).
	Epilogue []Command
	Files    []ScriptFile
}

// ScriptStep is one step of the script.
type ScriptStep struct {
	Number   int
	Kind     string
	Commands []Command
	// Notes are the step's other comment lines, "#" included.
	Notes []string
	// Exports are the variables the step exports, in order.
	Exports []Export
}

// Command is one top-level command.
type Command struct {
	// Source is the command's text in the script.
	Source string
	// Args are the fields of a simple command whose words are all literal
	// (quotes, and the $(printf '\r') that stands for a carriage return);
	// nil otherwise.
	Args []string
}

// Export is a variable exported by the script: Value is its word,
// literal text and references (such as ${PATH}, which expand when the
// script runs).
type Export struct {
	Name  string
	Value ir.Word
}

// ScriptFile is a file the script writes with `cat > PATH <<'DELIM'`.
type ScriptFile struct {
	Path    string
	Content string
	// Mode is the argument of the `chmod MODE PATH` that follows, if any.
	Mode string
}

var stepComment = lazyre.New(`^ step (\d+): (\w+)$`)

// ReadBootstrap parses a bootstrap.sh written by this package.
func ReadBootstrap(data []byte) (*Bootstrap, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX), syntax.KeepComments(true)).Parse(bytes.NewReader(data), BootstrapName)
	if err != nil {
		return nil, err
	}
	b := &Bootstrap{}
	section := 0 // 0 prologue, 1 steps, 2 epilogue
	var cur *ScriptStep
	pending := map[string]bool{} // exported, not yet assigned
	for _, st := range f.Stmts {
		for _, c := range st.Comments {
			if m := stepComment().FindStringSubmatch(c.Text); m != nil {
				n, _ := strconv.Atoi(m[1])
				b.Steps = append(b.Steps, ScriptStep{Number: n, Kind: m[2]})
				cur = &b.Steps[len(b.Steps)-1]
				section = 1
			} else if "#"+c.Text == shell.EpilogueComment {
				section, cur = 2, nil
			} else if cur != nil {
				cur.Notes = append(cur.Notes, "#"+c.Text)
			}
		}
		if file, ok := heredocFile(st); ok {
			b.Files = append(b.Files, file)
			continue
		}
		cmd := Command{Source: string(data[st.Pos().Offset():st.End().Offset()]), Args: literalArgs(st)}
		if section == 2 && len(cmd.Args) == 3 && cmd.Args[0] == "chmod" && len(b.Files) > 0 && b.Files[len(b.Files)-1].Path == cmd.Args[2] {
			b.Files[len(b.Files)-1].Mode = cmd.Args[1]
			continue
		}
		switch section {
		case 0:
			b.Prologue = append(b.Prologue, cmd)
		case 1:
			cur.Commands = append(cur.Commands, cmd)
			ex, err := exports(st, pending)
			if err != nil {
				return nil, fmt.Errorf("step %d: %w", cur.Number, err)
			}
			cur.Exports = append(cur.Exports, ex...)
		default:
			b.Epilogue = append(b.Epilogue, cmd)
		}
	}
	return b, nil
}

// ReadExports parses a script of exports (such as the profile a
// bootstrap.sh writes) and returns them in order.
func ReadExports(script string) ([]Export, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(script), "")
	if err != nil {
		return nil, err
	}
	var out []Export
	pending := map[string]bool{}
	for _, st := range f.Stmts {
		ex, err := exports(st, pending)
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
	}
	return out, nil
}

// exports returns what st exports: `export NAME=VALUE`, or `export NAME`
// and an assignment `NAME=VALUE` (in either order). In POSIX mode
// mvdan.cc/sh reads export as a plain command, so NAME=VALUE is one word,
// whose value is what follows "NAME=".
func exports(st *syntax.Stmt, pending map[string]bool) ([]Export, error) {
	if a, ok := shell.ReadDefault(st); ok {
		// A run_env default, after `export NAME`: the caller's value wins.
		st = &syntax.Stmt{Cmd: &syntax.CallExpr{Assigns: []*syntax.Assign{a}}}
	}
	c, ok := st.Cmd.(*syntax.CallExpr)
	if !ok {
		return nil, nil
	}
	var out []Export
	add := func(name string, w *syntax.Word) error {
		v, err := shell.ReadWord(w)
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		out = append(out, Export{Name: name, Value: v})
		return nil
	}
	if len(c.Args) == 0 {
		for _, a := range c.Assigns {
			if pending[a.Name.Value] {
				delete(pending, a.Name.Value)
				if err := add(a.Name.Value, a.Value); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	if c.Args[0].Lit() != "export" || len(c.Assigns) > 0 {
		return nil, nil
	}
	for _, w := range c.Args[1:] {
		first, ok := w.Parts[0].(*syntax.Lit)
		if !ok {
			continue
		}
		name, rest, assigned := strings.Cut(first.Value, "=")
		if !assigned {
			pending[name] = true
			continue
		}
		value := &syntax.Word{Parts: w.Parts[1:]}
		if rest != "" {
			value.Parts = append([]syntax.WordPart{&syntax.Lit{Value: rest}}, w.Parts[1:]...)
		}
		if err := add(name, value); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// heredocFile recognises `cat > PATH <<'DELIM'`.
func heredocFile(st *syntax.Stmt) (ScriptFile, bool) {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) != 1 || call.Args[0].Lit() != "cat" || len(st.Redirs) != 2 {
		return ScriptFile{}, false
	}
	out, doc := st.Redirs[0], st.Redirs[1]
	if out.Op != syntax.RdrOut || doc.Op != syntax.Hdoc || doc.Hdoc == nil {
		return ScriptFile{}, false
	}
	path, ok := literalWord(out.Word)
	if !ok {
		return ScriptFile{}, false
	}
	// A quoted delimiter leaves the body as one literal.
	body := ""
	for _, p := range doc.Hdoc.Parts {
		lit, ok := p.(*syntax.Lit)
		if !ok {
			return ScriptFile{}, false
		}
		body += lit.Value
	}
	return ScriptFile{Path: path, Content: body}, true
}

// literalArgs returns the fields of a simple command whose words are all
// literal, or nil.
func literalArgs(st *syntax.Stmt) []string {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 || len(call.Args) == 0 || len(st.Redirs) > 0 {
		return nil
	}
	var args []string
	for _, w := range call.Args {
		s, ok := literalWord(w)
		if !ok {
			return nil
		}
		args = append(args, s)
	}
	return args
}

// literalWord expands w when it holds only quoted or plain text and the
// $(printf '\r') that stands for a carriage return.
func literalWord(w *syntax.Word) (string, bool) {
	ok := true
	syntax.Walk(w, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob, *syntax.BraceExp:
			ok = false
		case *syntax.CmdSubst:
			if shell.PrintNode(n) != `$(printf '\r')` {
				ok = false
			}
			return false
		}
		return ok
	})
	if !ok {
		return "", false
	}
	cfg := &expand.Config{CmdSubst: func(wr io.Writer, _ *syntax.CmdSubst) error {
		_, err := io.WriteString(wr, "\r")
		return err
	}}
	s, err := expand.Literal(cfg, w)
	if err != nil {
		return "", false
	}
	return s, true
}
