package effective

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/envc-dev/envc/internal/imageref"
	"mvdan.cc/sh/v3/syntax"
)

// ConstructError is a target's output that cannot be read into the view,
// located at the construct it concerns.
type ConstructError struct {
	Construct string
	Err       error
}

func (e *ConstructError) Error() string { return e.Construct + ": " + e.Err.Error() }
func (e *ConstructError) Unwrap() error { return e.Err }

// Errorf returns a ConstructError for construct.
func Errorf(construct, format string, args ...any) error {
	return &ConstructError{Construct: construct, Err: fmt.Errorf(format, args...)}
}

// ErrorConstruct returns the construct an error from an adapter concerns,
// or "" when it concerns the output as a whole.
func ErrorConstruct(err error) string {
	var ce *ConstructError
	if errors.As(err, &ce) {
		return ce.Construct
	}
	return ""
}

// CanonicalImage returns the fully qualified form of an image reference
// as Docker normalises it (docker.io/library/ubuntu:20.04; a name without
// tag or digest gets "latest"), with Docker's rules for what is valid.
func CanonicalImage(ref string) (string, error) {
	r, err := imageref.Parse(ref)
	if err != nil {
		return "", Errorf("base", "image reference %q: %v", ref, err)
	}
	return r.Canonical(), nil
}

// ParseMode reads octal permission bits (e.g. "600" or "0644") as Mode
// renders them.
func ParseMode(s string) (string, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return "", Errorf("file", "mode %q: %v", s, err)
	}
	return Mode(uint32(m)), nil
}

// ShellValue reads src, the source of one shell word (as in NAME=src),
// as a word: literal text and references.
func ShellValue(src string) (ir.Word, error) {
	f, err := parse("X=" + src)
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) != 1 {
		return nil, fmt.Errorf("%q is not one word", src)
	}
	c, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(c.Assigns) != 1 || len(c.Args) != 0 || c.Assigns[0].Value == nil {
		return nil, fmt.Errorf("%q is not one word", src)
	}
	return shell.ReadWord(c.Assigns[0].Value)
}

// ReadInstallFile reads `install -D -m MODE SRC TARGET` and returns the
// source, the target and the mode (4-digit octal).
func ReadInstallFile(cmd string) (src, target, mode string, err error) {
	f, err := parse(cmd)
	if err != nil {
		return "", "", "", err
	}
	if len(f.Stmts) == 1 && len(f.Stmts[0].Redirs) == 0 {
		if args := CallArgs(f.Stmts[0].Cmd); len(args) == 6 && args[0] == "install" && args[1] == "-D" && args[2] == "-m" {
			mode, err := ParseMode(args[3])
			return args[4], args[5], mode, err
		}
	}
	return "", "", "", fmt.Errorf("not an install -D -m command: %q", cmd)
}

// ReadChown reads `chown "$(id -u OWNER):$(id -g OWNER)" PATH` and returns
// the owner and the path.
func ReadChown(cmd string) (owner, path string, err error) {
	got, cs, err := canon(cmd)
	if err != nil {
		return "", "", err
	}
	if len(cs) == 3 && len(cs[0]) == 3 && cs[0][0] == "chown" && len(cs[1]) == 3 && cs[1][0] == "id" {
		owner, path = cs[1][2], cs[0][2]
		o := shell.MustQuote(owner)
		want, _, err := canon(`chown "$(id -u ` + o + `):$(id -g ` + o + `)" ` + shell.MustQuote(path))
		if err == nil && want == got {
			return owner, path, nil
		}
	}
	return "", "", fmt.Errorf("not a chown command: %q", cmd)
}

// ReadStageCopy reads shell.StageCopyCommand's command back: the source,
// the target, the mode (4-digit octal, "" when kept) and the owner.
func ReadStageCopy(cmd string) (src, target, mode, owner string, err error) {
	f, err := parse(cmd)
	if err != nil {
		return "", "", "", "", err
	}
	bad := fmt.Errorf("not a copy from a stage: %q", cmd)
	if len(f.Stmts) != 1 {
		return "", "", "", "", bad
	}
	// Flatten the && list: the if clause, then chmod and chown.
	var parts []*syntax.Stmt
	var walk func(st *syntax.Stmt)
	walk = func(st *syntax.Stmt) {
		if b, ok := st.Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.AndStmt {
			walk(b.X)
			walk(b.Y)
			return
		}
		parts = append(parts, st)
	}
	walk(f.Stmts[0])
	if args := CallArgs(parts[0].Cmd); len(args) == 3 && args[0] == "mkdir" && args[1] == "-p" && len(parts) > 1 {
		parts = parts[1:] // the target's folder, checked below
	}
	ifc, ok := parts[0].Cmd.(*syntax.IfClause)
	if !ok || len(ifc.Cond) != 1 {
		return "", "", "", "", bad
	}
	test := CallArgs(ifc.Cond[0].Cmd)
	if len(test) != 4 || test[0] != "[" || test[1] != "-d" {
		return "", "", "", "", bad
	}
	src = test[2]
	if ifc.Else == nil || len(ifc.Else.Then) != 1 {
		return "", "", "", "", bad
	}
	cp := CallArgs(ifc.Else.Then[0].Cmd)
	if len(cp) != 4 || cp[0] != "cp" {
		return "", "", "", "", bad
	}
	target = cp[3]
	var m uint64
	for _, p := range parts[1:] {
		args := CallArgs(p.Cmd)
		first := ""
		if w, ok := p.Cmd.(*syntax.CallExpr); ok && len(w.Args) > 0 {
			first, _ = shell.ReadLiteral(w.Args[0])
		}
		switch {
		case len(args) == 4 && args[0] == "chmod" && args[1] == "-R":
			if m, err = strconv.ParseUint(args[2], 8, 32); err != nil || m == 0 {
				return "", "", "", "", bad
			}
			mode = fmt.Sprintf("%04o", m)
		case first == "chown":
			w, ok := p.Cmd.(*syntax.CallExpr)
			if !ok || len(w.Args) != 4 {
				return "", "", "", "", bad
			}
			var printed strings.Builder
			if err := syntax.NewPrinter().Print(&printed, w.Args[2]); err != nil {
				return "", "", "", "", bad
			}
			o, _, err := ReadChown("chown " + printed.String() + " " + shell.MustQuote(target))
			if err != nil {
				return "", "", "", "", bad
			}
			owner = o
		default:
			return "", "", "", "", bad
		}
	}
	// What was read must be exactly what the writer writes.
	if want := shell.StageCopyCommand(src, target, uint32(m), owner); strings.TrimSpace(cmd) != want {
		return "", "", "", "", fmt.Errorf("a copy from a stage written differently: %q, want %q", cmd, want)
	}
	return src, target, mode, owner, nil
}
