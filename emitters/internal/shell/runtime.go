package shell

import (
	"errors"

	"mvdan.cc/sh/v3/syntax"
)

// ArgsLine returns the line of a run script (a %runscript, the Vagrant run
// wrapper) that runs the caller's arguments after the entrypoint, as
// `docker run IMAGE ARGS` replaces CMD but keeps ENTRYPOINT:
// `if [ "$#" -gt 0 ]; then exec ENTRY... "$@"; fi`. entry holds the
// entrypoint's words, already quoted for the script ("" for none).
func ArgsLine(entry string) string {
	if entry != "" {
		entry += " "
	}
	return `if [ "$#" -gt 0 ]; then exec ` + entry + `"$@"; fi`
}

// ReadArgsLine reads an ArgsLine back and returns the entrypoint's words
// (nil for none).
func ReadArgsLine(stmt *syntax.Stmt) ([]string, error) {
	bad := errors.New("not the line that runs the caller's arguments: " + PrintNode(stmt))
	ifc, ok := stmt.Cmd.(*syntax.IfClause)
	if !ok || len(ifc.Cond) != 1 || len(ifc.Then) != 1 || ifc.Else != nil || len(stmt.Redirs) > 0 {
		return nil, bad
	}
	if PrintNode(ifc.Cond[0]) != `[ "$#" -gt 0 ]` {
		return nil, bad
	}
	c, ok := ifc.Then[0].Cmd.(*syntax.CallExpr)
	if !ok || len(c.Assigns) > 0 || len(c.Args) < 2 || len(ifc.Then[0].Redirs) > 0 {
		return nil, bad
	}
	n := len(c.Args)
	if first, err := ReadLiteral(c.Args[0]); err != nil || first != "exec" || PrintNode(c.Args[n-1]) != `"$@"` {
		return nil, bad
	}
	var entry []string
	for _, w := range c.Args[1 : n-1] {
		s, err := ReadLiteral(w)
		if err != nil {
			return nil, bad
		}
		entry = append(entry, s)
	}
	return entry, nil
}
