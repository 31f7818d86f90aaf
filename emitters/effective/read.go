package effective

import (
	"errors"
	"fmt"
	"slices"
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

// ParseMode reads octal permission bits (e.g. "600" or "0644").
func ParseMode(s string) (Mode, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, Errorf("file", "mode %q: %v", s, err)
	}
	return Mode(m), nil
}

// ReadInstallFile reads `install -D -m MODE SRC TARGET` and returns the
// source, the target and the mode.
func ReadInstallFile(cmd string) (src, target string, mode Mode, err error) {
	f, err := parse(cmd)
	if err != nil {
		return "", "", 0, err
	}
	if len(f.Stmts) == 1 && len(f.Stmts[0].Redirs) == 0 {
		if args := CallArgs(f.Stmts[0].Cmd); len(args) == 6 && args[0] == "install" && args[1] == "-D" && args[2] == "-m" {
			mode, err := ParseMode(args[3])
			return args[4], args[5], mode, err
		}
	}
	return "", "", 0, fmt.Errorf("not an install -D -m command: %q", cmd)
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
// the target, the mode (0 when kept) and the owner ("" when kept).
func ReadStageCopy(cmd string) (src, target string, mode Mode, owner string, err error) {
	c, err := readCopyCommand(cmd)
	if err != nil {
		return "", "", 0, "", err
	}
	// What was read must be exactly what the writer writes.
	if want := shell.StageCopyCommand(c.src, c.target, uint32(c.mode), c.owner); strings.TrimSpace(cmd) != want {
		return "", "", 0, "", fmt.Errorf("a copy from a stage written differently: %q, want %q", cmd, want)
	}
	return c.src, c.target, c.mode, c.owner, nil
}

// ReadFolderCopy reads shell.FolderCopyCommand's command back: the staged
// source, the target, the owner ("" for root) and the entries, sorted by
// path.
func ReadFolderCopy(cmd string) (src, target, owner string, entries []ir.FolderEntry, err error) {
	bad := fmt.Errorf("not a copy of a folder: %q", cmd)
	f, err := parse(cmd)
	if err != nil {
		return "", "", "", nil, err
	}
	if len(f.Stmts) != 1 {
		return "", "", "", nil, bad
	}
	parts := andParts(f.Stmts[0])
	if len(parts) < 2 {
		return "", "", "", nil, bad
	}
	mk, cp := CallArgs(parts[0].Cmd), CallArgs(parts[1].Cmd)
	if len(mk) != 3 || mk[0] != "mkdir" || mk[1] != "-p" || len(cp) != 4 || cp[0] != "cp" || cp[1] != "-R" {
		return "", "", "", nil, bad
	}
	target = mk[2]
	src, ok := strings.CutSuffix(cp[2], "/.")
	if !ok || cp[3] != target+"/" {
		return "", "", "", nil, bad
	}
	for _, p := range parts[2:] {
		args := CallArgs(p.Cmd)
		w, _ := p.Cmd.(*syntax.CallExpr)
		switch {
		case len(args) >= 3 && args[0] == "chmod":
			m, err := strconv.ParseUint(args[1], 8, 32)
			if err != nil {
				return "", "", "", nil, bad
			}
			for _, a := range args[2:] {
				rel, ok := strings.CutPrefix(a, target+"/")
				if !ok {
					return "", "", "", nil, bad
				}
				entries = append(entries, ir.FolderEntry{Path: rel, Mode: uint32(m)})
			}
		case w != nil && len(w.Args) == 4 && literal(w.Args[0]) == "chown" && literal(w.Args[1]) == "-R":
			if owner, err = ReadOwnerWord(w.Args[2]); err != nil || literal(w.Args[3]) != target {
				return "", "", "", nil, bad
			}
		default:
			return "", "", "", nil, bad
		}
	}
	if want := shell.FolderCopyCommand(src, target, entries, owner); strings.TrimSpace(cmd) != want {
		return "", "", "", nil, fmt.Errorf("a copy of a folder written differently: %q, want %q", cmd, want)
	}
	slices.SortFunc(entries, func(a, b ir.FolderEntry) int { return strings.Compare(a.Path, b.Path) })
	return src, target, owner, entries, nil
}

// copyCommand is what a copy from a stage says.
type copyCommand struct {
	src, target string
	mode        Mode // chmod -R
	owner       string
}

// readCopyCommand reads the command of shell.StageCopyCommand; the caller
// checks it by writing it again.
func readCopyCommand(cmd string) (copyCommand, error) {
	var c copyCommand
	f, err := parse(cmd)
	if err != nil {
		return c, err
	}
	bad := fmt.Errorf("not a copy from a stage: %q", cmd)
	if len(f.Stmts) != 1 {
		return c, bad
	}
	// The && list: the if clause, then chmod and chown.
	parts := andParts(f.Stmts[0])
	if args := CallArgs(parts[0].Cmd); len(args) == 3 && args[0] == "mkdir" && args[1] == "-p" && len(parts) > 1 {
		parts = parts[1:] // the target's folder, checked by the caller
	}
	ifc, ok := parts[0].Cmd.(*syntax.IfClause)
	if !ok || len(ifc.Cond) != 1 {
		return c, bad
	}
	test := CallArgs(ifc.Cond[0].Cmd)
	if len(test) != 4 || test[0] != "[" || test[1] != "-d" {
		return c, bad
	}
	c.src = test[2]
	if ifc.Else == nil || len(ifc.Else.Then) != 1 {
		return c, bad
	}
	cp := CallArgs(ifc.Else.Then[0].Cmd)
	if len(cp) != 4 || cp[0] != "cp" {
		return c, bad
	}
	c.target = cp[3]
	for _, p := range parts[1:] {
		args := CallArgs(p.Cmd)
		w, _ := p.Cmd.(*syntax.CallExpr)
		switch {
		case len(args) == 4 && args[0] == "chmod" && args[1] == "-R":
			m, err := strconv.ParseUint(args[2], 8, 32)
			if err != nil || m == 0 {
				return c, bad
			}
			c.mode = Mode(m)
		case w != nil && len(w.Args) == 4 && literal(w.Args[0]) == "chown" && literal(w.Args[1]) == "-R":
			owner, err := ReadOwnerWord(w.Args[2])
			if err != nil || literal(w.Args[3]) != c.target {
				return c, bad
			}
			c.owner = owner
		default:
			return c, bad
		}
	}
	return c, nil
}

// andParts returns the commands of the && list st, in order.
func andParts(st *syntax.Stmt) []*syntax.Stmt {
	if b, ok := st.Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.AndStmt {
		return append(andParts(b.X), andParts(b.Y)...)
	}
	return []*syntax.Stmt{st}
}

// literal returns w's literal text, "" when it is not literal.
func literal(w *syntax.Word) string {
	s, _ := shell.ReadLiteral(w)
	return s
}

// ReadOwnerWord reads the word "$(id -u OWNER):$(id -g OWNER)" that
// gives a file to OWNER's user and primary group, and returns OWNER.
func ReadOwnerWord(w *syntax.Word) (string, error) {
	bad := fmt.Errorf("not a $(id -u OWNER):$(id -g OWNER) word")
	if len(w.Parts) != 1 {
		return "", bad
	}
	dq, ok := w.Parts[0].(*syntax.DblQuoted)
	if !ok || len(dq.Parts) != 3 {
		return "", bad
	}
	var owners []string
	for _, part := range []struct {
		i    int
		flag string
	}{{0, "-u"}, {2, "-g"}} {
		cs, ok := dq.Parts[part.i].(*syntax.CmdSubst)
		if !ok || len(cs.Stmts) != 1 {
			return "", bad
		}
		args := CallArgs(cs.Stmts[0].Cmd)
		if len(args) != 3 || args[0] != "id" || args[1] != part.flag {
			return "", bad
		}
		owners = append(owners, args[2])
	}
	if sep, ok := dq.Parts[1].(*syntax.Lit); !ok || sep.Value != ":" || owners[0] != owners[1] {
		return "", bad
	}
	return owners[0], nil
}

// Files are one environment's emitted files, by their slash-separated path
// in the environment's output folder.
type Files map[string][]byte

// ReadOptions are what a reader needs besides the files.
type ReadOptions struct {
	// Name is the environment's name (a machine's guest paths carry it).
	Name string
	// BaseEnv is the base image's environment the files were written
	// against (NAME=value entries); nil means unknown, as when compiling
	// (the llb target then assumed AssumedBaseEnv).
	BaseEnv []string
	// Platform, when set, reads the files as they build for that
	// platform alone (of the environment's platforms): the steps of
	// other platforms left out, those of this one for every platform,
	// the variables with this platform's values (ir.Env.ForPlatform is
	// the spec's side). An environment whose variables differ by
	// platform (ir.Env.PlatformValues) is read one platform at a time.
	Platform string
}

// ReadFunc reads one target's files back into the view. Each target
// package supplies one (emitters/readback lists them).
type ReadFunc func(files Files, opts ReadOptions) (*Env, error)
