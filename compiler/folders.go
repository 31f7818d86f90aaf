package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// maxFolderEntries bounds the files and folders one folder copy takes:
// the shell targets name each in their scripts.
const maxFolderEntries = 10000

// lowerFolder lowers a file block (or a copy block from the spec's
// directory) whose source is a folder: its files, filtered by the include
// and exclude patterns, with the folders that hold them, copied as a tree
// into the target folder. A filtered folder's files go to a context
// folder named after the folder and its patterns (conf.envc-1a2b3c4d), so
// that every target can copy that folder whole. host and clean are the folder's path on the
// host and in the spec's directory; dst the target as written; sound says
// the block's values had no error so far.
func (el *envLowerer) lowerFolder(f *schema.File, host, clean, dst string, sound bool) *ir.CopyStep {
	if f.Mode != nil {
		el.errorf(f.Mode.NameRange, "Mode of a folder",
			"A folder's files keep each its own mode (and its folders 0755); mode applies to a copied file. Remove mode, or set the files' modes in the spec's directory.")
		sound = false
	}
	include, incOK := el.patterns(f.Include, []string{"**"})
	exclude, excOK := el.patterns(f.Exclude, nil)
	dstRange := f.Target.Expr.Range()
	target, ok := el.folderTarget(dst, dstRange, sound && incOK && excOK)
	if !ok {
		return nil
	}
	var entries []ir.FolderEntry
	var walkErr string
	var walk func(dir, rel string)
	walk = func(dir, rel string) {
		items, err := os.ReadDir(dir)
		if err != nil {
			walkErr = err.Error()
			return
		}
		names := make([]string, len(items))
		for i, it := range items {
			names[i] = it.Name()
		}
		el.opts.Inputs.Dir(dir, names)
		for _, it := range items {
			if walkErr != "" {
				return
			}
			p := path.Join(rel, it.Name())
			el.opts.Inputs.Stat(filepath.Join(dir, it.Name()))
			info, err := os.Lstat(filepath.Join(dir, it.Name()))
			switch {
			case err != nil:
				walkErr = err.Error()
			case info.IsDir() && matchAny(exclude, p):
				// An excluded folder is left out whole.
			case info.IsDir():
				n := len(entries)
				entries = append(entries, ir.FolderEntry{Path: p, Mode: 0o755, Dir: true})
				walk(filepath.Join(dir, it.Name()), p)
				if len(entries) == n+1 {
					entries = entries[:n] // a folder that holds nothing kept
				}
			case !info.Mode().IsRegular():
				walkErr = p + " is not a regular file (a link, a device or a pipe), which envc does not copy"
			case matchAny(include, p) && !matchAny(exclude, p):
				if why := valueProblem(p, false); why != "" {
					walkErr = p + " " + why
				} else if why := copySourceProblem(p); why != "" {
					walkErr = p + ": " + why
				}
				entries = append(entries, ir.FolderEntry{Path: p, Mode: uint32(info.Mode().Perm())})
			}
			if len(entries) > maxFolderEntries {
				walkErr = "it holds more than " + strconv.Itoa(maxFolderEntries) + " files and folders, more than envc copies"
			}
		}
	}
	walk(host, "")
	srcRange := f.Source.Expr.Range()
	switch {
	case walkErr != "":
		el.errorf(srcRange, "Folder cannot be copied", "The folder %q cannot be copied: %s. Change the folder, or leave the file out with exclude.", clean, walkErr)
		return nil
	case len(entries) == 0:
		el.errorf(srcRange, "Folder copies nothing", "The folder %q holds no file that include keeps and exclude leaves. Add files, or change the patterns.", clean)
		return nil
	}
	if !el.claimFolder(target, entries, dstRange, f.Overwrite) {
		return nil
	}
	// A filtered folder has a context folder of its own, holding just what
	// it copies: a target copies the context folder whole.
	source := "files/" + clean
	if f.Include != nil || f.Exclude != nil {
		sum := sha256.Sum256([]byte(strings.Join(include, "\x00") + "\x01" + strings.Join(exclude, "\x00")))
		source += ".envc-" + hex.EncodeToString(sum[:4])
	}
	step := &ir.CopyStep{Source: source, Target: target, Files: entries, Range: f.DeclRange}
	for _, e := range entries {
		if !e.Dir {
			el.env.ContextFiles = append(el.env.ContextFiles, ir.ContextFile{
				HostPath:    filepath.Join(host, filepath.FromSlash(e.Path)),
				ContextPath: step.Source + "/" + e.Path,
			})
		}
	}
	return step
}

// folderTarget checks the target folder dst of a folder copy and returns
// it clean; ok is false when it has errors.
func (el *envLowerer) folderTarget(dst string, rng hcl.Range, sound bool) (string, bool) {
	ok := sound
	if why := valueProblem(dst, false); why != "" {
		el.errorf(rng, "Invalid file target", "The file target %s. Change it.", why)
		ok = false
	}
	if dst == "" && !ok {
		return "", false // the target did not evaluate; its error is reported
	}
	if !el.checkAbs(dst, rng, "file target") {
		return "", false
	}
	clean := path.Clean(dst)
	if clean == "/" {
		el.errorf(rng, "Invalid file target", "A folder is copied into a folder of its own, not into the root folder: name it, e.g. \"/opt/data\".")
		return "", false
	}
	return clean, ok
}

// patterns evaluates a list of glob patterns (nil: def).
func (el *envLowerer) patterns(a *hcl.Attribute, def []string) ([]string, bool) {
	if a == nil {
		return def, true
	}
	items, ok := el.strList(a, a.Name)
	if !ok {
		return nil, false
	}
	var out []string
	for _, it := range items {
		p := strings.TrimPrefix(path.Clean("/"+it.Value), "/")
		if _, err := path.Match(strings.ReplaceAll(p, "**", "*"), ""); err != nil || it.Value == "" || hasNUL(it.Value) {
			el.errorf(it.Range, "Invalid pattern",
				"%q is not a glob pattern: use * for any name, ? for one character, [a-z] for a class and ** for any number of folders, e.g. \"**/*.py\".", it.Value)
			ok = false
			continue
		}
		out = append(out, p)
	}
	return out, ok
}

// matchAny reports whether the slash-separated path p matches one of
// patterns: * ? and [...] within a name (path.Match), ** any number of
// folders.
func matchAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if globMatch(strings.Split(pat, "/"), strings.Split(p, "/")) {
			return true
		}
	}
	return false
}

func globMatch(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if globMatch(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
