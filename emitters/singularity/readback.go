package singularity

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/envc-dev/envc/internal/lazyre"
	"mvdan.cc/sh/v3/syntax"
)

// Recipe is what a definition file written by this package says, read
// back into plain values.
type Recipe struct {
	// Bootstrap and From are the header keywords; Stage is the Stage:
	// keyword ("" in a file of one stage).
	Bootstrap string
	From      string
	Stage     string
	// Stages are the build stages before the last (Name, Bootstrap, From,
	// Files and Steps only); only the last stage, the image, has them.
	Stages []*Recipe
	// StageFiles are the "%files from STAGE" transfers, by their
	// destination in the image.
	StageFiles map[string]StageFile
	// Labels are the %labels lines in order.
	Labels []Label
	// Help is the %help text.
	Help string
	// Files are the plain %files transfers.
	Files []FileTransfer
	// Steps are the %post steps in order.
	Steps []Step
	// MountTargets are the directories %post creates after the steps.
	MountTargets []string
	// Env are the exports of %environment, in order.
	Env []EnvVar
	// Source are the scripts %environment sources after the exports
	// where they exist, in order (the environment's source scripts).
	Source []string
	// Workdir is the directory %runscript changes to ("" for none).
	Workdir string
	// Run is the run command %runscript executes without arguments
	// (after the entrypoint); nil when it has none.
	Run []string
	// Entrypoint is what %runscript executes before the caller's
	// arguments; nil when it has none.
	Entrypoint []string
}

// EnvVar is one exported variable with its value as an ir.Word (literal
// text and references).
type EnvVar struct {
	Name  string
	Value ir.Word
}

// Step is one %post step, found by its "# step N: KIND" comment.
type Step struct {
	// Kind is "install", "copy", "env", "run", "user" or "workdir".
	Kind string
	// Script is the step's lines as written.
	Script string
	// Env holds the exports of an env step.
	Env []EnvVar
	// Copy describes a copy step.
	Copy *Copy
	// Run describes a run step.
	Run *Run
	// Platforms are those the step's guard (shell.MachineGuard) names;
	// Script is then the lines inside it. Nil for every platform.
	Platforms []string
}

// Copy is a copy step: the build context file Source (mapped back from
// its staged path through %files) installed at Target, or, with Stage,
// the file or folder Source of that stage (Mode 0 keeps its modes).
type Copy struct {
	Stage  string
	Source string
	Target string
	Mode   uint32
	Owner  string
	// Folder says Source is a folder of the build context.
	Folder bool
}

// StageFile is one "%files from STAGE" transfer.
type StageFile struct {
	Stage  string
	Source string
}

// Run is a run step.
type Run struct {
	Command string
	Shell   string // "sh" or "bash"
	User    string
	Workdir string
}

var stepComment = lazyre.New(`^# step [0-9]+: ([a-z]+)$`)

// ReadBack parses a definition file written by this package and returns
// the recipe it encodes. Every shell section is parsed with mvdan.cc/sh;
// words are read back as literal text (and ${NAME} references in
// exports), and anything else is an error.
func ReadBack(data []byte) (*Recipe, error) { return ReadBackFor(data, "") }

// ReadBackFor is ReadBack as a machine of platform runs the definition
// file: %environment's case on uname -m (values per platform,
// shell.MachineCase) is read as platform's branch of it. Without a
// platform (""), a definition file with such a case is an error.
func ReadBackFor(data []byte, platform string) (*Recipe, error) {
	defs, err := ParseAll(data)
	if err != nil {
		return nil, err
	}
	var stages []*Recipe
	names := map[string]bool{}
	for i, d := range defs[:len(defs)-1] {
		st, err := readStage(d, names)
		if err != nil {
			return nil, fmt.Errorf("build stage %d: %w", i+1, err)
		}
		if st.Stage == "" || names[st.Stage] {
			return nil, fmt.Errorf("build stage %d has no name of its own", i+1)
		}
		if d.Environment.Body != "" || d.Runscript.Body != "" || len(d.Labels) > 0 {
			return nil, fmt.Errorf("build stage %s has run-time sections", st.Stage)
		}
		names[st.Stage] = true
		stages = append(stages, st)
	}
	d := defs[len(defs)-1]
	r, err := readStage(d, names)
	if err != nil {
		return nil, err
	}
	r.Stages = stages
	r.Labels, r.Help = d.Labels, strings.TrimRight(d.Help.Body, "\n")
	environment, _, err := shell.ReadMachineCase(d.Environment.Body, platform)
	if err != nil {
		return nil, fmt.Errorf("%%environment: %w", err)
	}
	if r.Env, r.Source, err = readExports(environment); err != nil {
		return nil, fmt.Errorf("%%environment: %w", err)
	}
	if err := r.readRunscript(d.Runscript.Body); err != nil {
		return nil, fmt.Errorf("%%runscript: %w", err)
	}
	return r, nil
}

// readStage reads the header, %files and %post of one build stage; names
// are the earlier stages, which "%files from" may name.
func readStage(d *Definition, names map[string]bool) (*Recipe, error) {
	r := &Recipe{StageFiles: map[string]StageFile{}}
	r.Bootstrap, _ = d.Get("bootstrap")
	r.From, _ = d.Get("from")
	r.Stage, _ = d.Get("stage")
	for _, f := range d.Files {
		switch {
		case f.Args == "":
			r.Files = append(r.Files, f.Files...)
		case f.Stage != "" && names[f.Stage]:
			for _, ft := range f.Files {
				r.StageFiles[ft.Dst] = StageFile{Stage: f.Stage, Source: ft.Src}
			}
		default:
			return nil, fmt.Errorf("unexpected %%files %s", f.Args)
		}
	}
	if err := r.readPost(d.Post.Body); err != nil {
		return nil, fmt.Errorf("%%post: %w", err)
	}
	return r, nil
}

// parseScript parses src for reading back. The scripts are POSIX sh (the
// tests check that), but the bash variant gives exports their own node.
func parseScript(src string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
}

// readExports reads a script made of exports, then the lines that source
// scripts where they exist (sourceLine), each written exactly as the
// emitter writes it; it returns the variables and the sourced files.
func readExports(src string) ([]EnvVar, []string, error) {
	f, err := parseScript(src)
	if err != nil {
		return nil, nil, err
	}
	stmts := f.Stmts
	var sourced []string
	for len(stmts) > 0 {
		last := stmts[len(stmts)-1]
		file, ok := sourcedBy(last)
		if !ok || sourceLine(file) != src[last.Pos().Offset():last.End().Offset()] {
			break
		}
		sourced = append([]string{file}, sourced...)
		stmts = stmts[:len(stmts)-1]
	}
	vars, err := exportsOf(stmts)
	return vars, sourced, err
}

// sourcedBy returns the file `if [ -f FILE ]; then . FILE; fi` sources.
func sourcedBy(st *syntax.Stmt) (string, bool) {
	ifc, ok := st.Cmd.(*syntax.IfClause)
	if !ok || len(ifc.Cond) != 1 {
		return "", false
	}
	args := callArgs(ifc.Cond[0].Cmd)
	if len(args) != 4 || args[0] != "[" || args[1] != "-f" {
		return "", false
	}
	return args[2], true
}

// exportsOf reads `export NAME=WORD` statements, and `export NAME`
// followed by `NAME=WORD`.
func exportsOf(stmts []*syntax.Stmt) ([]EnvVar, error) {
	var out []EnvVar
	awaiting := map[string]int{} // exported without a value: index in out
	value := func(a *syntax.Assign) (ir.Word, error) {
		if a.Name == nil || a.Append || a.Index != nil || a.Array != nil {
			return nil, fmt.Errorf("not a NAME=value assignment")
		}
		if a.Value == nil {
			return nil, nil
		}
		return shell.ReadWord(a.Value)
	}
	for _, st := range stmts {
		line := st.Pos().Line()
		var assign *syntax.Assign
		if call, ok := st.Cmd.(*syntax.CallExpr); ok && len(call.Args) == 0 && len(call.Assigns) == 1 {
			assign = call.Assigns[0]
		} else if a, ok := shell.ReadDefault(st); ok {
			assign = a // a run_env default: the caller's value wins
		}
		if assign != nil {
			a := assign
			w, err := value(a)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			i, ok := awaiting[a.Name.Value]
			if !ok {
				return nil, fmt.Errorf("line %d: %s is assigned but not exported first", line, a.Name.Value)
			}
			delete(awaiting, a.Name.Value)
			out[i].Value = w
			continue
		}
		decl, ok := st.Cmd.(*syntax.DeclClause)
		if !ok || decl.Variant.Value != "export" {
			return nil, fmt.Errorf("line %d: not an export", line)
		}
		for _, a := range decl.Args {
			if a.Naked {
				awaiting[a.Name.Value] = len(out)
				out = append(out, EnvVar{Name: a.Name.Value})
				continue
			}
			w, err := value(a)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			out = append(out, EnvVar{Name: a.Name.Value, Value: w})
		}
	}
	if len(awaiting) > 0 {
		return nil, fmt.Errorf("exports without a value")
	}
	return out, nil
}

func literals(ws []*syntax.Word) ([]string, error) {
	out := make([]string, len(ws))
	for i, w := range ws {
		s, err := shell.ReadLiteral(w)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// callArgs returns the literal argv of a simple command (without
// assignments or redirections), or nil.
func callArgs(cmd syntax.Command) []string {
	c, ok := cmd.(*syntax.CallExpr)
	if !ok || len(c.Assigns) > 0 {
		return nil
	}
	args, err := literals(c.Args)
	if err != nil {
		return nil
	}
	return args
}

// cdOf reads `cd DIR || exit`.
func cdOf(st *syntax.Stmt) (string, bool) {
	b, ok := st.Cmd.(*syntax.BinaryCmd)
	if !ok || b.Op != syntax.OrStmt {
		return "", false
	}
	args := callArgs(b.X.Cmd)
	if len(args) != 2 || args[0] != "cd" {
		return "", false
	}
	if exit := callArgs(b.Y.Cmd); len(exit) != 1 || exit[0] != "exit" {
		return "", false
	}
	return args[1], true
}

func (r *Recipe) readRunscript(src string) error {
	f, err := parseScript(src)
	if err != nil {
		return err
	}
	stmts := f.Stmts
	if len(stmts) > 0 {
		if dir, ok := cdOf(stmts[0]); ok {
			r.Workdir = dir
			stmts = stmts[1:]
		}
	}
	if len(stmts) == 0 {
		return fmt.Errorf("no line that runs the caller's arguments")
	}
	entry, err := shell.ReadArgsLine(stmts[0])
	if err != nil {
		return err
	}
	r.Entrypoint = entry
	stmts = stmts[1:]
	switch len(stmts) {
	case 0:
		if entry != nil {
			return fmt.Errorf("no exec of the entrypoint without arguments")
		}
	case 1:
		c, ok := stmts[0].Cmd.(*syntax.CallExpr)
		if !ok || len(c.Assigns) > 0 || len(c.Args) < 2 {
			return fmt.Errorf("line %d: not an exec of the run command", stmts[0].Pos().Line())
		}
		args, err := literals(c.Args)
		if err != nil {
			return err
		}
		if args[0] != "exec" || len(args)-1 < len(entry) || !slices.Equal(args[1:1+len(entry)], entry) {
			return fmt.Errorf("line %d: not an exec of the entrypoint and the run command", stmts[0].Pos().Line())
		}
		if rest := args[1+len(entry):]; len(rest) > 0 {
			r.Run = rest
		}
	default:
		return fmt.Errorf("unexpected lines after the run command")
	}
	return nil
}

func (r *Recipe) readPost(src string) error {
	lines := strings.SplitAfter(src, "\n")
	type chunk struct {
		kind string
		text string
	}
	var chunks []chunk
	cur := &chunk{kind: "prologue"}
	for _, l := range lines {
		head := strings.TrimSuffix(l, "\n")
		if m := stepComment().FindStringSubmatch(head); m != nil {
			chunks = append(chunks, *cur)
			cur = &chunk{kind: m[1]}
			continue
		}
		if head == shell.EpilogueComment {
			chunks = append(chunks, *cur)
			cur = &chunk{kind: "epilogue"}
			continue
		}
		cur.text += l
	}
	chunks = append(chunks, *cur)
	// (A stage before another ends with the comment lines that open the
	// next.)
	if pro := strings.TrimSpace(chunks[0].text); pro != postPrologue && !onlyComments(strings.TrimPrefix(pro, postPrologue+"\n")) {
		return fmt.Errorf("does not start with %q", postPrologue)
	}
	for _, c := range chunks[1:] {
		f, err := parseScript(c.text)
		if err != nil {
			return fmt.Errorf("%s step: %w", c.kind, err)
		}
		if c.kind == "epilogue" {
			if err := r.readEpilogue(f); err != nil {
				return err
			}
			continue
		}
		s := Step{Kind: c.kind, Script: strings.TrimRight(c.text, "\n")}
		if ps, body, ok := shell.ReadMachineGuard(s.Script); ok {
			s.Platforms, s.Script = ps, body
			if f, err = parseScript(body); err != nil {
				return fmt.Errorf("%s step: %w", c.kind, err)
			}
		}
		switch c.kind {
		case shell.KindEnv:
			if s.Env, err = exportsOf(f.Stmts); err != nil {
				return fmt.Errorf("env step: %w", err)
			}
		case shell.KindCopy:
			switch {
			case strings.Contains(c.text, " && cp -R "):
				s.Copy, err = r.readFolderCopy(c.text)
			case strings.Contains(c.text, "if [ -d "):
				s.Copy, err = r.readStageCopy(c.text)
			default:
				s.Copy, err = r.readCopy(f)
			}
			if err != nil {
				return fmt.Errorf("copy step: %w", err)
			}
		case shell.KindRun:
			if s.Run, err = readRun(s.Script); err != nil {
				return fmt.Errorf("run step: %w", err)
			}
		case shell.KindInstall, shell.KindUser, shell.KindWorkdir:
		default:
			return fmt.Errorf("unknown step kind %q", c.kind)
		}
		r.Steps = append(r.Steps, s)
	}
	return nil
}

// readStageCopy reads shell.StageCopyCommand's command, `|| exit`, for a
// path staged by "%files from STAGE".
func (r *Recipe) readStageCopy(script string) (*Copy, error) {
	cmd, ok := strings.CutSuffix(strings.TrimSpace(script), " || exit")
	if !ok {
		return nil, fmt.Errorf("a copy from a stage without || exit")
	}
	shared, err := sharedQuoting(cmd)
	if err != nil {
		return nil, err
	}
	src, target, mode, owner, err := effective.ReadStageCopy(shared)
	if err != nil {
		return nil, err
	}
	sf, ok := r.StageFiles[src]
	if !ok {
		return nil, fmt.Errorf("%q was not staged by %%files from a stage", src)
	}
	c := &Copy{Stage: sf.Stage, Source: sf.Source, Target: target, Mode: uint32(mode), Owner: owner}
	if want := stageCopyLine(src, target, c.Mode, owner); strings.TrimSpace(script) != want {
		return nil, fmt.Errorf("a copy from a stage written differently: %q, want %q", strings.TrimSpace(script), want)
	}
	return c, nil
}

// readFolderCopy reads shell.FolderCopyCommand's command, `|| exit`, for
// a folder of the build context that %files staged.
func (r *Recipe) readFolderCopy(script string) (*Copy, error) {
	cmd, ok := strings.CutSuffix(strings.TrimSpace(script), " || exit")
	if !ok {
		return nil, fmt.Errorf("a copy of a folder without || exit")
	}
	shared, err := sharedQuoting(cmd)
	if err != nil {
		return nil, err
	}
	src, target, owner, entries, err := effective.ReadFolderCopy(shared)
	if err != nil {
		return nil, err
	}
	c := &Copy{Target: target, Owner: owner, Folder: true}
	for _, ft := range r.Files {
		if rest, ok := strings.CutPrefix(src, ft.Dst+"/"); ok {
			c.Source = ft.Src + "/" + rest
		}
	}
	if c.Source == "" {
		return nil, fmt.Errorf("%q was not staged by %%files", src)
	}
	if want := folderCopyLine(src, &ir.CopyStep{Target: target, Owner: owner, Files: entries}); strings.TrimSpace(script) != want {
		return nil, fmt.Errorf("a copy of a folder written differently: %q, want %q", strings.TrimSpace(script), want)
	}
	return c, nil
}

// sharedQuoting undoes what safeCommand did to a command of package
// shell: each literal word (and a word's literal less a final "/") that
// word quoted apart is put back as shell.MustQuote writes it. The caller
// checks that the command read is exactly what the emitter writes.
func sharedQuoting(cmd string) (string, error) {
	f, err := parseScript(cmd)
	if err != nil {
		return "", err
	}
	var lits []string
	syntax.Walk(f, func(n syntax.Node) bool {
		if w, ok := n.(*syntax.Word); ok {
			if l, err := shell.ReadLiteral(w); err == nil {
				lits = append(lits, l, strings.TrimSuffix(l, "/"))
			}
		}
		return true
	})
	// Longest first, so that a folder never replaces part of its file.
	slices.SortStableFunc(lits, func(a, b string) int { return len(b) - len(a) })
	for _, l := range lits {
		if w, q := word(l), shell.MustQuote(l); w != q {
			cmd = strings.ReplaceAll(cmd, w, q)
		}
	}
	return cmd, nil
}

// readCopy reads `install -D -m MODE STAGED TARGET` and an optional
// `chown "$(id -u OWNER):$(id -g OWNER)" TARGET`.
func (r *Recipe) readCopy(f *syntax.File) (*Copy, error) {
	if len(f.Stmts) == 0 || len(f.Stmts) > 2 {
		return nil, fmt.Errorf("%d commands", len(f.Stmts))
	}
	args := callArgs(f.Stmts[0].Cmd)
	if len(args) != 6 || args[0] != "install" || args[1] != "-D" || args[2] != "-m" {
		return nil, fmt.Errorf("not an install command")
	}
	mode, err := strconv.ParseUint(args[3], 8, 32)
	if err != nil {
		return nil, err
	}
	c := &Copy{Mode: uint32(mode), Target: args[5]}
	for _, ft := range r.Files {
		if rest, ok := strings.CutPrefix(args[4], ft.Dst+"/"); ok {
			c.Source = ft.Src + "/" + rest
		} else if args[4] == ft.Dst {
			c.Source = ft.Src
		}
	}
	if c.Source == "" {
		return nil, fmt.Errorf("%q was not staged by %%files", args[4])
	}
	if len(f.Stmts) == 2 {
		call, ok := f.Stmts[1].Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) != 3 {
			return nil, fmt.Errorf("not a chown command")
		}
		if name, _ := shell.ReadLiteral(call.Args[0]); name != "chown" {
			return nil, fmt.Errorf("not a chown command")
		}
		if t, err := shell.ReadLiteral(call.Args[2]); err != nil || t != c.Target {
			return nil, fmt.Errorf("chown of another file")
		}
		if c.Owner, err = effective.ReadOwnerWord(call.Args[1]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// readRun reads a run step's subshell with the reader the script targets
// share: an optional `cd DIR || exit`, then `set +e` and the command
// verbatim, or the command handed quoted to a shell.
func readRun(src string) (*Run, error) {
	st, err := effective.ReadSubshell(src)
	if err != nil {
		return nil, err
	}
	return &Run{Command: st.Command, Shell: st.Shell, User: st.User, Workdir: st.Workdir}, nil
}

// readEpilogue reads the staging cleanup and the mount target mkdirs.
func (r *Recipe) readEpilogue(f *syntax.File) error {
	for _, st := range f.Stmts {
		if args := callArgs(st.Cmd); len(args) == 3 && args[0] == "rm" && args[1] == "-rf" && (args[2] == StageDir || args[2] == StageCopyDir) {
			continue
		}
		b, ok := st.Cmd.(*syntax.BinaryCmd)
		if ok && b.Op == syntax.OrStmt {
			if args := callArgs(b.X.Cmd); len(args) == 3 && args[0] == "mkdir" && args[1] == "-p" {
				r.MountTargets = append(r.MountTargets, args[2])
				continue
			}
		}
		return fmt.Errorf("unexpected command on line %d after the steps", st.Pos().Line())
	}
	return nil
}

// onlyComments reports whether every line of text is blank or a comment.
func onlyComments(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}
