package compiler

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// lowerFiles lowers the file blocks to the steps copying them.
func (el *envLowerer) lowerFiles() []ir.Step {
	var copies []ir.Step
	for _, f := range el.e.Files {
		el.repeat(f.ForEach, f.DeclRange, func(string) {
			if step := el.lowerFile(f); step != nil {
				copies = append(copies, step)
			}
		})
	}
	return copies
}

// lowerFile lowers a file block, or a copy block from the spec's
// directory, to the step copying the file or folder, and adds the files
// to the build context; nil when it has errors.
func (el *envLowerer) lowerFile(f *schema.File) *ir.CopyStep {
	if f.Source == nil || f.Target == nil {
		return nil
	}
	src, srcOK := el.str(f.Source, "file source")
	dst, dstOK := el.str(f.Target, "file target")
	mode, modeOK := el.fileMode(f.Mode)
	srcRange, dstRange := f.Source.Expr.Range(), f.Target.Expr.Range()
	if hasNUL(src) {
		el.errorf(srcRange, "Invalid character", "The file source contains a NUL byte. Remove it.")
		return nil
	}
	if hasNUL(dst) {
		el.errorf(dstRange, "Invalid character", "The file target contains a NUL byte. Remove it.")
		return nil
	}
	host, clean, found := el.fileSource(src, srcRange)
	if !found {
		return nil
	}
	el.opts.Inputs.Stat(host)
	if st, err := os.Stat(host); err == nil && st.IsDir() {
		return el.lowerFolder(f, host, clean, dst, srcOK && dstOK && modeOK)
	}
	if !el.checkRegularFile(host, src, srcRange) {
		return nil
	}
	for _, a := range []*hcl.Attribute{f.Include, f.Exclude} {
		if a != nil {
			el.errorf(a.NameRange, "Not a folder", "%s filters the files of a folder, but %q is a file. Remove %s.", a.Name, src, a.Name)
			return nil
		}
	}
	dst, ok := el.fileTarget(dst, src, dstRange, srcOK && dstOK && modeOK)
	if !ok || !el.claimTarget(dst, dstRange, f.Overwrite) {
		return nil
	}
	cf := ir.ContextFile{HostPath: host, ContextPath: "files/" + clean}
	el.env.ContextFiles = append(el.env.ContextFiles, cf)
	return &ir.CopyStep{Source: cf.ContextPath, Target: dst, Mode: mode, Range: f.DeclRange}
}

// fileMode evaluates a file block's mode (a == nil: none, 0644).
func (el *envLowerer) fileMode(a *hcl.Attribute) (uint32, bool) {
	if a == nil {
		return 0o644, true
	}
	ms, ok := el.str(a, "file mode")
	if !ok {
		return 0o644, false
	}
	m, ok := parseFileMode(ms)
	if !ok {
		el.errorf(a.Expr.Range(), "Invalid file mode", "%q is not a file mode: write it in octal as a string, e.g. \"0644\" or \"0755\".", ms)
		return 0o644, false
	}
	return m, true
}

// fileTarget checks the target dst of a file (src is its source) and
// returns it clean; ok is false when it has errors. sound says the
// block's values had no error so far.
func (el *envLowerer) fileTarget(dst, src string, rng hcl.Range, sound bool) (clean string, ok bool) {
	ok = sound
	if why := valueProblem(dst, false); why != "" {
		el.errorf(rng, "Invalid file target", "The file target %s. Change it.", why)
		ok = false
	}
	if dst == "" && !ok {
		// The target did not evaluate; its error is already reported.
	} else if !el.checkAbs(dst, rng, "file target") {
		ok = false
	} else if strings.HasSuffix(dst, "/") || path.Clean(dst) == "/" {
		el.errorf(rng, "Invalid file target", "The file target %q must name the file to create, not a directory (e.g. %q).", dst, path.Join(dst, path.Base(src)))
		ok = false
	}
	return path.Clean(dst), ok
}

// claimTarget records that a copy (at rng) writes target, and reports
// false, with an error, when an earlier copy of the environment (or of
// what it builds on) writes it too and the copy does not say overwrite =
// true: in one environment and across from alike, a second copy to a
// target replaces the first file only when it says so.
func (el *envLowerer) claimTarget(target string, rng hcl.Range, overwrite *hcl.Attribute) bool {
	return el.claimFolder(target, nil, rng, overwrite)
}

// claimFolder is claimTarget for a copy to target that writes files too
// (a folder copy's entries, relative to target): each file is a target
// of its own, so that a folder copy writing a file an earlier copy wrote,
// or a copy to a file an earlier folder copy wrote, is the same error.
// One error names the first file written twice.
func (el *envLowerer) claimFolder(target string, files []ir.FolderEntry, rng hcl.Range, overwrite *hcl.Attribute) bool {
	written := []string{target}
	for _, e := range files {
		if !e.Dir {
			written = append(written, path.Join(target, e.Path))
		}
	}
	for i, w := range written {
		prev, dup := el.targets[w]
		if !dup {
			continue
		}
		replace := false
		if overwrite != nil {
			var ok bool
			if replace, ok = el.boolean(overwrite, "overwrite"); !ok {
				return false
			}
		}
		if replace {
			break
		}
		where := prev.String()
		if el.inheritedTargets[w] {
			from := "environment." + el.env.From
			if name, ok := strings.CutPrefix(el.env.From, "stage "); ok {
				from = "stage." + name
			}
			where += fmt.Sprintf(" (in %s, which this %s builds on)", from, kindOf(el.e))
		}
		if i == 0 {
			el.errorf(rng, "Duplicate file target",
				"Another file is already copied to %q at %s. Copy to another target, or set overwrite = true on this copy if it is meant to replace that file.", w, where)
		} else {
			el.errorf(rng, "Duplicate file target",
				"The folder copied to %q writes %q, which another copy already writes at %s. Copy the folder to another target, leave the file out with exclude, or set overwrite = true on this copy if it is meant to replace that file.", target, w, where)
		}
		return false
	}
	for _, w := range written {
		el.targets[w] = rng
		delete(el.inheritedTargets, w)
	}
	return true
}

// inheritTargets records the copy targets of the steps of what the
// environment builds on, a folder copy's files included, for
// claimTarget.
func (el *envLowerer) inheritTargets() {
	for _, s := range el.parent.Steps {
		c, ok := s.(*ir.CopyStep)
		if !ok {
			continue
		}
		if el.inheritedTargets == nil {
			el.inheritedTargets = map[string]bool{}
		}
		written := []string{c.Target}
		for _, e := range c.Files {
			if !e.Dir {
				written = append(written, path.Join(c.Target, e.Path))
			}
		}
		for _, w := range written {
			el.targets[w] = c.Range
			el.inheritedTargets[w] = true
		}
	}
}

// specRel returns src, a path relative to the file being lowered (a
// module's sources are relative to the module's folder), as a clean path
// relative to the spec's folder, and whether it names something below
// that folder.
func (el *envLowerer) specRel(src string) (rel string, inside bool) {
	rel = path.Clean(path.Join(el.scope.dir, filepath.ToSlash(src)))
	return rel, rel != ".." && !strings.HasPrefix(rel, "../") && rel != "."
}

// fileSource checks the source src of a file: a regular file inside the
// spec's directory that every target can copy. It returns the file's
// path on the host and its clean relative path.
func (el *envLowerer) fileSource(src string, rng hcl.Range) (host, clean string, ok bool) {
	if filepath.IsAbs(src) {
		el.errorf(rng, "Absolute file source",
			"The file source %q must be relative to the spec's directory, so the spec works on every checkout. Move the file next to the spec.", src)
		return "", "", false
	}
	clean, inside := el.specRel(src)
	if !inside {
		el.errorf(rng, "File source outside the spec's directory",
			"The file source %q leaves the spec's directory. Keep copied files in the spec's directory or below it.", src)
		return "", "", false
	}
	if why := valueProblem(clean, false); why != "" {
		el.errorf(rng, "Invalid file source", "The file source %s. Rename the file.", why)
		return "", "", false
	}
	if why := copySourceProblem(clean); why != "" {
		el.errorf(rng, "File name cannot be copied", "The file source %q cannot be copied: %s. Rename the file.", src, why)
		return "", "", false
	}
	host = filepath.Join(el.opts.SpecDir, filepath.FromSlash(clean))
	if diag := checkInside(el.opts.SpecDir, host, src, rng); diag != nil {
		el.diags = append(el.diags, diag)
		return "", "", false
	}
	el.opts.Inputs.Stat(host)
	if _, err := os.Stat(host); err != nil {
		el.errorf(rng, "File not found",
			"The file source %q does not exist (looked for it relative to %s). Create it, or correct the path.", src, el.relativeTo())
		return "", "", false
	}
	return host, clean, true
}

// checkRegularFile reports a file source (src, at host) that is missing
// or not a regular file.
func (el *envLowerer) checkRegularFile(host, src string, rng hcl.Range) bool {
	el.opts.Inputs.Stat(host)
	st, err := os.Stat(host)
	switch {
	case err != nil:
		el.errorf(rng, "File not found",
			"The file source %q does not exist (looked for it relative to %s). Create it, or correct the path.", src, el.relativeTo())
	case !st.Mode().IsRegular():
		el.errorf(rng, "File source is not a regular file", "The file source %q is not a regular file.", src)
	default:
		return true
	}
	return false
}
