package singularity

import (
	"fmt"
	"path"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// postCopies says which staging folders the copies of %post read, for
// the epilogue to remove.
type postCopies struct {
	context, stage bool
}

// postStep returns the lines of step s in %post; false leaves it out
// (reported elsewhere, or here as unsupported). It notes in copies the
// staging folder a copy reads.
func (e *emission) postStep(s ir.Step, staged map[*ir.CopyStep]string, copies *postCopies) ([]string, bool) {
	family := e.env.Family()
	switch s := s.(type) {
	case *ir.InstallStep:
		cmd := shell.InstallOf(s, false)
		return []string{safeCommand(cmd, s.Packages...) + " || exit"}, true
	case *ir.CopyStep:
		src, ok := staged[s]
		if !ok {
			return nil, false // reported by emitFiles
		}
		if s.Stage != "" {
			copies.stage = true
			return []string{stageCopyLine(src, s.Target, s.Mode, s.Owner)}, true
		}
		copies.context = true
		if s.Files != nil {
			return []string{folderCopyLine(src, s)}, true
		}
		return copyLines(src, s), true
	case *ir.EnvStep:
		var body []string
		for _, v := range s.Vars {
			body = append(body, exportLine(v))
		}
		return body, true
	case *ir.RunStep:
		return runLines(s, family), true
	case *ir.UserStep:
		lits := append([]string{s.Name, s.Home, s.Shell}, s.Groups...)
		return []string{safeCommand(shell.EnsureUserCommand(shell.UserOf(s), family), lits...) + " || exit"}, true
	case *ir.WorkdirStep:
		return []string{mkdirLine(s.Path, s.Owner)}, true
	}
	e.diags = append(e.diags, emitters.Errorf(s.StepRange(), "Unsupported step", "The singularity target cannot write a step of type %T.", s))
	return nil, false
}

// emitPost writes %post: the steps in order, in one sh script that stops
// at the first failure.
//
// Apptainer runs %post with `/bin/sh -ex`, but the script does not rely on
// it and starts with `set -e`, then `umask 022`: apptainer build runs
// %post with umask 002, so the folders and files the steps make would be
// group-writable where Docker's and BuildKit's build steps (umask 022)
// make them 755 and 644. envc's own commands end in `|| exit`, since
// errexit ignores a failure inside an && list. A run step is a subshell
// with errexit off and the command verbatim, like Docker's `sh -c`, so
// neither a cd nor a variable leaks into the next step; exports (env
// steps) are made at their position, visible to every later step.
// postPrologue opens every %post.
const postPrologue = "set -e\numask 022"

func (e *emission) emitPost(staged map[*ir.CopyStep]string) {
	lines := strings.Split(postPrologue, "\n")
	var copies postCopies
	lines = append(lines, shell.ScriptSteps(e.env.Steps, func(s ir.Step) ([]string, bool) {
		return e.postStep(s, staged, &copies)
	}, func(s ir.Step) {
		e.diags = append(e.diags, emitters.Errorf(s.StepRange(), "Platform without a machine name", "The singularity target guards a step by the machine's name (uname -m), and one of %v has none it knows.", s.StepPlatforms()))
	})...)

	var tail []string
	if copies.context {
		tail = append(tail, "rm -rf "+word(StageDir))
	}
	if copies.stage {
		tail = append(tail, "rm -rf "+word(StageCopyDir))
	}
	for _, m := range e.env.Mounts {
		// A bind needs its target to exist in the (read-only) image.
		tail = append(tail, mkdirLine(m.Target, ""))
	}
	if len(tail) > 0 {
		lines = append(lines, shell.EpilogueComment)
		lines = append(lines, tail...)
	}
	e.add("post", lines)
}

// safeCommand returns cmd, a command from package shell, with each of
// lits quoted by word instead when cmd would not survive the definition
// file.
func safeCommand(cmd string, lits ...string) string {
	if textHazard(cmd) == "" {
		return cmd
	}
	for _, l := range lits {
		cmd = strings.ReplaceAll(cmd, shell.MustQuote(l), word(l))
	}
	return cmd
}

// mkdirLine creates dir (and parents) unless it exists, given to owner.
func mkdirLine(dir, owner string) string {
	lits := []string{dir}
	if owner != "" {
		lits = append(lits, owner)
	}
	return safeCommand(shell.MkdirCommand(dir, owner), lits...) + " || exit"
}

// copyLines installs the staged file src at s.Target with s.Mode,
// creating missing parents, then gives it to s.Owner.
func copyLines(src string, s *ir.CopyStep) []string {
	lines := []string{fmt.Sprintf("install -D -m %04o %s %s", s.Mode&0o7777, word(src), word(s.Target))}
	if s.Owner != "" {
		o := word(s.Owner)
		lines = append(lines, `chown "$(id -u `+o+`):$(id -g `+o+`)" `+word(s.Target))
	}
	return lines
}

// stageCopyLine installs src, what "%files from STAGE" staged, at target
// with shell.StageCopyCommand (a folder's contents; mode 0 keeps the
// modes, owner "" the owners), each literal quoted by word when the shared
// form would not survive the definition file.
func stageCopyLine(src, target string, mode uint32, owner string) string {
	lits := []string{src, target, path.Dir(target)}
	if owner != "" {
		lits = append(lits, owner)
	}
	return safeCommand(shell.StageCopyCommand(src, target, mode, owner), lits...) + " || exit"
}

// folderCopyLine installs src, a folder of the build context %files
// staged, at s.Target with shell.FolderCopyCommand (each literal quoted by
// word when the shared form would not survive the definition file).
func folderCopyLine(src string, s *ir.CopyStep) string {
	lits := []string{src, s.Target, path.Dir(s.Target)}
	if s.Owner != "" {
		lits = append(lits, s.Owner)
	}
	for _, f := range s.Files {
		lits = append(lits, path.Join(s.Target, f.Path))
	}
	return safeCommand(shell.FolderCopyCommand(src, s.Target, s.Files, s.Owner), lits...) + " || exit"
}

// runLines runs a RunStep with shell.RunStepLines, quoting with word so
// that no line of a quoted command can be mistaken for a section header.
func runLines(s *ir.RunStep, family string) []string {
	return shell.RunStepLines(s, shell.RunStepOptions{Family: family, Quote: word, Verbatim: verbatim, Export: exportLine})
}

// verbatim reports whether a step's command can stand as written in
// %post: every line reaches the script unchanged (no line Apptainer would
// read as a section or stage), and shell.Verbatim holds.
func verbatim(cmd string) bool {
	return textHazard(cmd) == "" && shell.Verbatim(cmd)
}
