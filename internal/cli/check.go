package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/hashicorp/hcl/v2"
)

// maxDiffSize is the largest file compile --check --diff shows the lines
// of; a larger one is said to differ.
const maxDiffSize = 4 << 20

// checkOutputs is compile --check: it compiles as compile does, writes
// nothing, and compares what it would write with the output folder: each
// file's bytes and mode, the files the spec no longer makes (which
// compile would remove) and each manifest. It fails (exit 1) when they
// differ, naming each file; with showDiff it prints a unified diff of
// each on standard output. Each environment's folder is locked shared
// while it is read: a compile writing it is waited for, and waits.
func (a *app) checkOutputs(out, spec string, l *loaded, ts []emitters.Emitter, r *reporter, showDiff bool) error {
	results, diags := emitAll(l.envs, ts, nil, false, l.maxFileSize)
	diags = append(l.diags, diags...)
	if r.fails(r.filter(diags)) {
		return r.report(diags, nil)
	}
	var names []string
	for _, env := range l.envs {
		names = append(names, env.Name)
	}
	tree := newTree(out)
	defer tree.close()
	if err := tree.openForCheck(names); err != nil {
		return r.fail(diags, "Cannot read outputs", fmt.Errorf("reading outputs: %w", err))
	}
	o := writeOptions{specDir: filepath.Dir(spec), all: len(ts) == len(targets.All())}
	for _, t := range ts {
		o.targets = append(o.targets, t.Name())
	}
	found, err := tree.compare(results, o, showDiff)
	if err != nil {
		return r.fail(diags, "Cannot read outputs", fmt.Errorf("reading outputs: %w", err))
	}
	check := &jsonCheck{UpToDate: len(found) == 0, Differ: []jsonDiffer{}}
	for _, d := range found {
		check.Differ = append(check.Differ, jsonDiffer{Path: d.path, Why: d.why, Diff: string(d.diff)})
	}
	fix := fmt.Sprintf("envc compile %s -o %s", spec, out)
	if r.format != formatText {
		// Each file that differs is an error at the file, for the
		// annotations of a CI run and editors' lists.
		for _, d := range found {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Output not up to date",
				Detail:   fmt.Sprintf("%s %s. Run %s and commit the result.", d.path, d.text(), fix),
				Subject:  &hcl.Range{Filename: d.path, Start: hcl.InitialPos, End: hcl.InitialPos},
			})
		}
	}
	if showDiff && r.format != formatJSON { // JSON carries them
		for _, d := range found {
			a.stdout.Write(d.diff)
		}
	}
	if err := r.report(diags, &jsonExtra{Check: check}); err != nil {
		return err
	}
	if len(found) > 0 {
		if r.format == formatText {
			for _, d := range found {
				fmt.Fprintf(a.stderr, "%s %s\n", d.path, d.text())
			}
			are := "are"
			if len(found) == 1 {
				are = "is"
			}
			fmt.Fprintf(a.stderr, "envc: %s in %s %s not what %s makes now: run %s\n", plural(len(found), "file"), out, are, spec, fix)
		}
		return errSpec
	}
	files := 0
	for _, res := range results {
		files += len(res.files) + len(res.env.ContextFiles)
	}
	r.note("%s is what %s makes (%s for %s); %s", outWhere(out, names), spec, plural(files, "file"), joinNames(o.targets), r.warningCount())
	return nil
}

// outWhere names the folder of envs under out.
func outWhere(out string, envs []string) string {
	if len(envs) == 1 {
		return filepath.Join(out, envs[0]) + string(filepath.Separator)
	}
	return filepath.Clean(out) + string(filepath.Separator)
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// differing is a file of the output folder that is not what the spec
// makes now.
type differing struct {
	path string // under the output folder, as given to -o
	why  string // see jsonDiffer.Why
	diff []byte // its unified diff, when asked for
}

func (d differing) text() string {
	switch d.why {
	case "missing":
		return "is missing"
	case "mode differs":
		return "has another mode than the spec gives"
	case "removed":
		return "is no longer made by the spec"
	case "not a regular file":
		return "is not a regular file"
	}
	return "differs from what the spec makes"
}

// openForCheck opens the root and the folder of each environment in envs
// for reading: nothing is made, a folder missing is an environment whose
// files are all missing, and each folder found is locked shared (in the
// same order as open locks, so that two commands never each hold a lock
// the other waits for).
func (t *outTree) openForCheck(envs []string) error {
	dir, err := os.OpenRoot(t.root)
	if errors.Is(err, fs.ErrNotExist) {
		for _, name := range envs {
			t.envs[name] = &envFolder{name: name, dirs: map[string]*os.Root{}}
		}
		return nil
	}
	if err != nil {
		return err
	}
	t.dir = dir
	names := append([]string(nil), envs...)
	sort.Strings(names)
	for _, name := range names {
		t.mu.Lock()
		d, err := t.openDir(t.dir, name, filepath.Join(t.root, name), false)
		t.mu.Unlock()
		if errors.Is(err, fs.ErrNotExist) {
			t.envs[name] = &envFolder{name: name, dirs: map[string]*os.Root{}}
			continue
		}
		if err != nil {
			return err
		}
		f, err := d.OpenFile(".", os.O_RDONLY|nonBlock, 0)
		if err != nil {
			d.Close()
			return err
		}
		// A folder that cannot be locked is read without the lock.
		_ = lockFolderShared(f)
		t.envs[name] = &envFolder{name: name, dirs: map[string]*os.Root{".": d}, lock: f}
	}
	return nil
}

// compare returns the files of t that differ from what results would
// write (writeOutputs), in path order; with showDiff, each with its
// unified diff.
func (t *outTree) compare(results []emitted, o writeOptions, showDiff bool) ([]differing, error) {
	p, closeCopies, err := t.plan(results, o)
	defer closeCopies()
	if err != nil {
		return nil, err
	}
	found := make([]*differing, len(p.files))
	errs := make([]error, len(p.files))
	parallel(len(p.files), func(i int) {
		found[i], errs[i] = t.compareFile(&p.files[i], showDiff)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []differing
	bad := map[*envFolder]bool{}
	for i, d := range found {
		if d != nil {
			out = append(out, *d)
			bad[p.files[i].env] = true
		}
	}
	for _, s := range p.stales {
		if s.env.dirs["."] == nil {
			continue
		}
		if err := t.staleProblem(s, p.manifests[s.env][s.rel]); err != nil {
			return nil, err
		}
		if s.drop {
			continue
		}
		d := differing{path: t.path(s.env, s.rel), why: "removed"}
		if showDiff {
			old, _ := t.readDisk(s.env, s.rel)
			d.diff = unifiedDiff(d.path, old, nil)
		}
		out = append(out, d)
		bad[s.env] = true
	}
	// A manifest is compared when its folder's files are all as they
	// should be: any other difference changes it too.
	for _, env := range p.envs {
		if bad[env] || env.dirs["."] == nil {
			continue
		}
		want := p.manifest(env, o)
		got, err := t.readDisk(env, ManifestName)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if !bytes.Equal(got, want) {
			d := differing{path: t.path(env, ManifestName), why: "manifest differs"}
			if errors.Is(err, fs.ErrNotExist) {
				d.why = "missing"
			}
			if showDiff {
				d.diff = unifiedDiff(d.path, got, want)
			}
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// compareFile compares f with the file at its path: nil when they have
// the same bytes and mode. A stream is hashed (and, for a diff, kept when
// small), which sets f's sum and size.
func (t *outTree) compareFile(f *pending, showDiff bool) (*differing, error) {
	var want []byte
	if f.Stream == nil {
		want = f.Data
		if want == nil {
			want = []byte{}
		}
	} else {
		h := sha256.New()
		cw := &countWriter{w: h}
		var keep *limitedBuffer
		var w io.Writer = cw
		if showDiff {
			keep = &limitedBuffer{max: maxDiffSize}
			w = io.MultiWriter(cw, keep)
		}
		if err := f.Stream(w); err != nil {
			return nil, err
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if f.sum != "" && f.sum != sum {
			return nil, fmt.Errorf("%s: the file changed while envc read it", f.Path)
		}
		f.sum, f.size = sum, cw.n
		if keep != nil && !keep.over {
			want = keep.Bytes()
		}
	}
	d := &differing{path: t.path(f.env, f.Path)}
	if f.env.dirs["."] == nil {
		d.why = "missing"
	} else if t.current(*f) {
		return nil, nil
	} else {
		_, file, err := t.existing(f.env, f.Path)
		switch {
		case errors.Is(err, errNotRegular):
			d.why = "not a regular file"
		case errors.Is(err, fs.ErrNotExist) || (err == nil && file == nil):
			d.why = "missing"
		case err != nil:
			return nil, err
		default:
			sum, _, herr := hashFile(file)
			st, serr := file.Stat()
			file.Close()
			if herr != nil || serr != nil {
				return nil, errors.Join(herr, serr)
			}
			d.why = "differs"
			if sum == f.sum && st.Mode().Perm() != f.Mode.Perm() {
				d.why = "mode differs"
			}
		}
	}
	if showDiff {
		var old []byte
		if d.why == "differs" || d.why == "mode differs" {
			old, _ = t.readDisk(f.env, f.Path)
		}
		switch {
		case d.why == "mode differs":
			d.diff = fmt.Appendf(nil, "diff %s\nold mode %04o\nnew mode %04o\n", d.path, t.modeOnDisk(f.env, f.Path), f.Mode.Perm())
		case want == nil && f.size > 0, old == nil && d.why == "differs":
			d.diff = fmt.Appendf(nil, "%s differs (too large to show)\n", d.path)
		default:
			d.diff = unifiedDiff(d.path, old, want)
		}
	}
	return d, nil
}

// readDisk reads the file rel of env's folder (up to maxDiffSize+1
// bytes; nil for a larger one), never through a link.
func (t *outTree) readDisk(env *envFolder, rel string) ([]byte, error) {
	if env.dirs["."] == nil {
		return nil, fs.ErrNotExist
	}
	dir, err := t.folder(env, path.Dir(rel), false)
	if err != nil {
		return nil, err
	}
	f, err := openExisting(dir, path.Base(rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDiffSize+1))
	if len(data) > maxDiffSize {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, err
}

// modeOnDisk returns the permission bits of the file rel of env's folder.
func (t *outTree) modeOnDisk(env *envFolder, rel string) fs.FileMode {
	dir, err := t.folder(env, path.Dir(rel), false)
	if err != nil {
		return 0
	}
	st, err := dir.Lstat(path.Base(rel))
	if err != nil {
		return 0
	}
	return st.Mode().Perm()
}

// unifiedDiff returns the unified diff from old (the file on disk, nil
// when missing) to new (what the spec makes, nil when it makes nothing),
// as git shows it; for a binary file, a line saying they differ.
func unifiedDiff(name string, old, new []byte) []byte {
	if isBinary(old) || isBinary(new) {
		return fmt.Appendf(nil, "Binary file %s differs\n", name)
	}
	oldName, newName := "a/"+name, "b/"+name
	if filepath.IsAbs(name) {
		oldName, newName = name, name
	}
	if old == nil {
		oldName = "/dev/null"
	}
	if new == nil {
		newName = "/dev/null"
	}
	// A Myers diff, as git's: an anchored one (on lines that occur once)
	// turns a changed digest in llb.json's repeated lines into a hunk of
	// lines removed and added unchanged.
	d := udiff.Unified(oldName, newName, string(old), string(new))
	if d == "" {
		return nil
	}
	return fmt.Appendf(nil, "diff %s %s\n%s", oldName, newName, d)
}

// isBinary reports whether data is not text: a NUL byte, or not UTF-8.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data)
}

// limitedBuffer keeps the first max bytes written to it and notes
// whether more came.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		b.over = true
	}
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
