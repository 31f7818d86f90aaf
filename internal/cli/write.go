package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/emitters"
)

// ManifestName is the file, in each environment's output folder, that
// lists every file envc wrote there with its SHA-256, in the format of
// sha256sum ("HASH  PATH" lines, paths relative to the folder), under a
// comment line naming what made them ("# target docker", "# copied
// files"; sha256sum skips comment lines). envc compile overwrites an
// existing file only when it is unchanged since envc wrote it (its hash
// matches the manifest), when it carries envc's generated header (a text
// file from an envc without manifest), or when it already holds exactly
// the new bytes; anything else was changed or made by hand and is kept
// unless --force is given. A listed file the spec no longer makes (for
// the targets compiled) is removed on the same terms.
const ManifestName = ".envc-manifest"

// headerLines is how many leading lines of a text file are searched for
// emitters.HeaderMarker (a shebang or a "# syntax=" line may come first).
const headerLines = 3

// ownerCopied is the manifest section of the files the spec copies (they
// come with every target); a target's section is "target NAME".
const ownerCopied = "copied files"

func targetOwner(name string) string { return "target " + name }

// manifestEntry is one file a manifest lists.
type manifestEntry struct {
	sum string
	// owner is what made it: targetOwner(name), ownerCopied, or "" when
	// the manifest does not say (written before it did).
	owner string
}

// writeOptions are what writeOutputs needs besides the files.
type writeOptions struct {
	// specDir is the spec's folder: every file the spec copies must be a
	// regular file inside it.
	specDir string
	// targets are the names of the targets compiled; all is set when they
	// are every target.
	targets []string
	all     bool
	// force overwrites and removes files changed by hand.
	force bool
	// summary, when not nil, is filled with what was written.
	summary *writeSummary
}

// writeSummary is what writeOutputs did, for compile's report.
type writeSummary struct {
	files []writtenFile
	// removed are the stale files removed, as paths under the root.
	removed []string
	// manifests are the manifests, as files are.
	manifests []writtenFile
}

// writtenFile is one file compile made: written, or already there.
type writtenFile struct {
	env, rel string
	// owner is targetOwner(target) or ownerCopied.
	owner   string
	changed bool
	// sum is its SHA-256 (hex).
	sum string
}

// owns reports whether this compile makes every file of owner: a listed
// file of such an owner that the compile does not make is stale.
func (o writeOptions) owns(owner string) bool {
	switch {
	case owner == ownerCopied:
		return true
	case owner == "":
		return o.all
	}
	name, ok := strings.CutPrefix(owner, "target ")
	return ok && slices.Contains(o.targets, name)
}

// pending is one file to write into an environment's folder (its Path is
// relative to that folder).
type pending struct {
	env *envFolder
	output
}

func (t *outTree) path(env *envFolder, rel string) string {
	return filepath.Join(t.root, env.name, filepath.FromSlash(rel))
}

// stale is a file a manifest lists that this compile does not make.
type stale struct {
	env  *envFolder
	rel  string
	dir  *os.Root // its folder; nil when the file is gone
	drop bool     // gone, or not a file: only its manifest line goes
	// problem says why it must not be removed ("" when unchanged since
	// envc wrote it).
	problem string
}

// refusedError lists files compile will not overwrite or remove.
type refusedError struct {
	files   []string
	removed bool // some would be removed
}

func (e *refusedError) Error() string {
	what, how := "overwriting", "overwrite"
	if e.removed {
		what, how = "overwriting or removing", "overwrite or remove"
	}
	return fmt.Sprintf("not %s %d file(s) changed or made by hand since envc wrote them (compile again with --force to %s them, or move them away):\n  %s",
		what, len(e.files), how, strings.Join(e.files, "\n  "))
}

// writeOutputs writes every environment's files into its folder of t,
// with the files the spec copies beside them under files/ and the
// manifest, and removes the files the manifest lists that the compiled
// targets no longer make. Nothing is written or removed when a file would
// overwrite or remove work done by hand (unless o.force), and every file
// goes to a temporary file first: they are put in place only once all of
// them are written.
func writeOutputs(t *outTree, results []emitted, o writeOptions) error {
	p, closeCopies, err := t.plan(results, o)
	defer closeCopies()
	if err != nil {
		return err
	}
	files, envs, manifests, stales := p.files, p.envs, p.manifests, p.stales

	// Look at every file that would be replaced or removed.
	problems := make([]string, len(files))
	errs := make([]error, len(files)+len(stales))
	if !o.force {
		parallel(len(files), func(i int) {
			problems[i], errs[i] = t.overwriteProblem(&files[i], manifests[files[i].env])
		})
	}
	parallel(len(stales), func(i int) {
		s := stales[i]
		errs[len(files)+i] = t.staleProblem(s, manifests[s.env][s.rel])
	})
	if err := joinUnique(errs); err != nil {
		return err
	}
	refused := &refusedError{}
	for i, why := range problems {
		if why != "" {
			refused.files = append(refused.files, t.path(files[i].env, files[i].Path)+" ("+why+")")
		}
	}
	for _, s := range stales {
		if s.problem != "" && !o.force {
			refused.files = append(refused.files, t.path(s.env, s.rel)+" ("+s.problem+", and the spec no longer makes it)")
			refused.removed = true
		}
	}
	if len(refused.files) > 0 {
		return refused
	}

	// An emitted stream not written yet (its early temporary file failed)
	// is written now, which gives its size and hash. A copied file has
	// them already, and is written only if it changed.
	if err := t.writeTemps(files, func(f *pending) bool { return f.Stream != nil && f.tmp == nil && !f.held && f.owner != ownerCopied }); err != nil {
		return err
	}
	// The manifest of each folder: what this compile writes, and the lines
	// of the other targets' files, kept.
	p.files = files // with the streams' sums
	for _, env := range envs {
		data := p.manifest(env, o)
		files = append(files, pending{env: env, output: output{File: emitters.File{Path: ManifestName, Data: data, Mode: 0o644}, sum: hashOf(data), size: int64(len(data))}})
	}
	// A file that already holds the same bytes and mode is left alone, so
	// that compiling an unchanged spec writes nothing.
	var changed []pending
	var sum writeSummary
	for _, f := range files {
		cur := t.current(f)
		if !cur {
			changed = append(changed, f)
		} else if f.tmp != nil {
			t.removeTemp(f.tmp)
		}
		wf := writtenFile{env: f.env.name, rel: f.Path, owner: f.owner, changed: !cur, sum: f.sum}
		if f.Path != ManifestName {
			sum.files = append(sum.files, wf)
		} else {
			sum.manifests = append(sum.manifests, wf)
		}
	}
	if err := t.writeTemps(changed, func(f *pending) bool { return f.tmp == nil }); err != nil {
		return err
	}
	for _, env := range envs {
		t.removeStaleTemps(env, files, manifests[env])
	}
	if err := t.commit(changed, stales); err != nil {
		return err
	}
	for _, s := range stales {
		if !s.drop {
			sum.removed = append(sum.removed, t.path(s.env, s.rel))
		}
	}
	if o.summary != nil {
		*o.summary = sum
	}
	return nil
}

// writePlan is what a compile would write into a tree and remove from
// it, before anything is looked at on disk but the manifests.
type writePlan struct {
	// files are the emitted and copied files; a stream's sum and size are
	// known once it is written (or hashed), a copied file's at once.
	files []pending
	envs  []*envFolder
	// manifests are the manifests on disk, made the paths each
	// environment's folder gets, stales the listed files it no longer
	// gets.
	manifests map[*envFolder]map[string]manifestEntry
	made      map[*envFolder]map[string]bool
	stales    []*stale
}

// plan gathers the files of results for t's environment folders, opens
// and hashes the files the spec copies (the function returned closes
// them), reads the manifests and finds the stale files.
func (t *outTree) plan(results []emitted, o writeOptions) (*writePlan, func(), error) {
	p := &writePlan{manifests: map[*envFolder]map[string]manifestEntry{}, made: map[*envFolder]map[string]bool{}}
	closeCopies := func() {}
	var copies []copied
	for _, r := range results {
		env := t.envs[r.env.Name]
		if env == nil {
			return nil, closeCopies, fmt.Errorf("no output folder for environment %q", r.env.Name)
		}
		if !slices.Contains(p.envs, env) {
			p.envs = append(p.envs, env)
		}
		for _, f := range r.files {
			p.files = append(p.files, pending{env: env, output: f})
		}
		for _, cf := range r.env.ContextFiles {
			copies = append(copies, copied{env: env, host: cf.HostPath, rel: cf.ContextPath})
		}
	}
	// The copied files are opened once, checked, and hashed; what is
	// copied is read from the file checked.
	if len(copies) > 0 {
		closeAll, err := openCopied(o.specDir, copies)
		closeCopies = closeAll
		if err != nil {
			return nil, closeCopies, err
		}
		for _, c := range copies {
			p.files = append(p.files, pending{env: c.env, output: c.output})
		}
	}
	for i := range p.files {
		if f := &p.files[i]; f.Stream == nil {
			if f.sum == "" {
				f.sum = hashOf(f.Data)
			}
			f.size = int64(len(f.Data))
		}
	}
	for _, env := range p.envs {
		m := map[string]manifestEntry{}
		if dir := env.dirs["."]; dir != nil { // nil: a folder --check found missing
			var err error
			if m, err = readManifest(dir); err != nil {
				return nil, closeCopies, fmt.Errorf("%s: %w", t.path(env, ManifestName), err)
			}
		}
		p.manifests[env] = m
		p.made[env] = map[string]bool{}
	}
	for _, f := range p.files {
		p.made[f.env][f.Path] = true
	}
	for _, env := range p.envs {
		for _, rel := range sortedKeys(p.manifests[env]) {
			if !p.made[env][rel] && o.owns(p.manifests[env][rel].owner) {
				p.stales = append(p.stales, &stale{env: env, rel: rel})
			}
		}
	}
	return p, closeCopies, nil
}

// manifest returns the manifest env's folder gets: the files of this
// compile, and the lines of the other targets' files, kept. Every file's
// sum must be known.
func (p *writePlan) manifest(env *envFolder, o writeOptions) []byte {
	entries := map[string]manifestEntry{}
	for rel, e := range p.manifests[env] {
		if !p.made[env][rel] && !o.owns(e.owner) {
			entries[rel] = e
		}
	}
	for _, f := range p.files {
		if f.env == env {
			entries[f.Path] = manifestEntry{sum: f.sum, owner: f.owner}
		}
	}
	return formatManifest(entries)
}

// writeTemps writes the files which says to their temporary files.
func (t *outTree) writeTemps(files []pending, which func(*pending) bool) error {
	var todo []*pending
	for i := range files {
		if which(&files[i]) {
			todo = append(todo, &files[i])
		}
	}
	errs := make([]error, len(todo))
	parallel(len(todo), func(i int) {
		errs[i] = t.writeOutput(todo[i].env, &todo[i].output)
	})
	return joinUnique(errs)
}

// joinUnique joins errs, each message once (every file under a folder
// that is a link gives the same error).
func joinUnique(errs []error) error {
	var out []error
	seen := map[string]bool{}
	for _, err := range errs {
		if err != nil && !seen[err.Error()] {
			seen[err.Error()] = true
			out = append(out, err)
		}
	}
	return errors.Join(out...)
}

// writeOutput writes f to a temporary file beside its place in env's
// folder, and sets its tmp, its size and (when not known) its sum.
func (t *outTree) writeOutput(env *envFolder, f *output) error {
	if f.Stream == nil {
		tmp, err := t.writeTemp(env, f.Path, f.Mode, func(w io.Writer) error {
			_, err := w.Write(f.Data)
			return err
		})
		f.tmp, f.size = tmp, int64(len(f.Data))
		return err
	}
	h := sha256.New()
	cw := &countWriter{}
	tmp, err := t.writeTemp(env, f.Path, f.Mode, func(w io.Writer) error {
		cw.w = w
		if f.sum == "" {
			cw.w = io.MultiWriter(w, h)
		}
		return f.Stream(cw)
	})
	if err != nil {
		return err
	}
	f.tmp, f.size = tmp, cw.n
	if f.sum == "" {
		f.sum = hex.EncodeToString(h.Sum(nil))
	}
	return nil
}

// holds reports whether the file at f's path in env's folder already
// holds the bytes f.Stream would write: a regular file with f's
// permission bits whose SHA-256, read as a stream, is f.sum (which the
// emitter knows). It then sets f.held and f.size, so that nothing is
// written: compiling an unchanged spec makes no temporary file. It sets
// f.diskSum whenever it hashed the file, so that it is read once.
func (t *outTree) holds(env *envFolder, f *output) bool {
	if f.sum == "" {
		return false
	}
	_, file, err := t.existing(env, f.Path)
	if err != nil || file == nil {
		return false
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil || st.Mode().Perm() != f.Mode.Perm() {
		return false
	}
	sum, n, err := t.hashOutput(env, f.Path, file)
	if err != nil {
		return false
	}
	f.diskSum = sum
	if sum != f.sum || n != st.Size() {
		return false
	}
	f.held, f.size = true, n
	return true
}

// commit puts the written files in place, removes the stale ones and the
// folders they leave empty, and puts the manifests in place last, so that
// a manifest names only files that are in place. A signal waits until it
// is done.
func (t *outTree) commit(files []pending, stales []*stale) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping {
		return errStopping
	}
	var manifests []pending
	for _, f := range files {
		if f.Path == ManifestName {
			manifests = append(manifests, f)
			continue
		}
		if err := t.renameLocked(f.tmp, path.Base(f.Path)); err != nil {
			return err
		}
	}
	for _, s := range stales {
		if s.drop {
			continue
		}
		if err := s.dir.Remove(path.Base(s.rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		// The folders it leaves empty go too (never the environment's).
		for rel := path.Dir(s.rel); rel != "."; rel = path.Dir(rel) {
			parent := s.env.dirs[path.Dir(rel)]
			if parent == nil || parent.Remove(path.Base(rel)) != nil {
				break
			}
			if dir := s.env.dirs[rel]; dir != nil {
				dir.Close()
				delete(s.env.dirs, rel)
			}
		}
	}
	for _, f := range manifests {
		if err := t.renameLocked(f.tmp, ManifestName); err != nil {
			return err
		}
	}
	return nil
}

// errNotRegular is a file that is not a regular file.
var errNotRegular = errors.New("not a regular file")

// openExisting opens the regular file name in dir for reading, never
// through a symbolic link: errNotRegular for anything else.
func openExisting(dir *os.Root, name string) (*os.File, error) {
	st, err := dir.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	f, err := dir.OpenFile(name, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	// It must be the file Lstat saw (not a link put there since).
	if got, err := f.Stat(); err != nil || !sameFile(st, got) || !got.Mode().IsRegular() {
		f.Close()
		return nil, errNotRegular
	}
	return f, nil
}

// existing opens the file at f's path, if there is one (nil, nil if not).
func (t *outTree) existing(env *envFolder, rel string) (*os.Root, *os.File, error) {
	dir, err := t.folder(env, path.Dir(rel), false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	file, err := openExisting(dir, path.Base(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return dir, nil, nil
	}
	return dir, file, err
}

// current reports whether the file at f's path already has f's bytes (by
// their hash) and permission bits.
func (t *outTree) current(f pending) bool {
	dir, err := t.folder(f.env, path.Dir(f.Path), false)
	if err != nil {
		return false
	}
	st, err := dir.Lstat(path.Base(f.Path))
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != f.Mode.Perm() || st.Size() != f.size {
		return false
	}
	old := f.diskSum
	if old == "" {
		file, err := openExisting(dir, path.Base(f.Path))
		if err != nil {
			return false
		}
		defer file.Close()
		if old, _, err = t.hashOutput(f.env, f.Path, file); err != nil {
			return false
		}
	}
	return old == f.sum
}

// overwriteProblem returns why f must not replace the file at its path,
// or "" when there is no file or replacing it loses nothing. The error is
// for a path compile cannot look at (a folder on it that is a link).
func (t *outTree) overwriteProblem(f *pending, manifest map[string]manifestEntry) (string, error) {
	_, file, err := t.existing(f.env, f.Path)
	switch {
	case errors.Is(err, errNotRegular):
		return "not a regular file", nil
	case err != nil:
		return "", err
	case file == nil:
		return "", nil
	}
	defer file.Close()
	if f.diskSum == "" {
		if f.diskSum, _, err = t.hashOutput(f.env, f.Path, file); err != nil {
			return "", err
		}
	}
	if f.diskSum == f.sum {
		return "", nil
	}
	if want, ok := manifest[f.Path]; ok {
		if f.diskSum == want.sum {
			return "", nil
		}
		return "changed since envc wrote it", nil
	}
	if hasHeader(io.NewSectionReader(file, 0, 1<<20)) {
		return "", nil
	}
	return "not written by envc: it has no envc header and is not in " + ManifestName, nil
}

// staleProblem looks at the stale file s (whose manifest line is e): it
// sets s.dir, s.drop when there is no file to remove, and s.problem when
// it was changed since envc wrote it.
func (t *outTree) staleProblem(s *stale, e manifestEntry) error {
	dir, file, err := t.existing(s.env, s.rel)
	s.dir = dir
	switch {
	case errors.Is(err, errNotRegular):
		st, lerr := dir.Lstat(path.Base(s.rel))
		s.drop = lerr != nil || st.IsDir()
		s.problem = "not a regular file"
		return nil
	case err != nil:
		return err
	case file == nil:
		s.drop = true
		return nil
	}
	defer file.Close()
	sum, _, err := t.hashOutput(s.env, s.rel, file)
	if err != nil {
		return err
	}
	if sum != e.sum {
		s.problem = "changed since envc wrote it"
	}
	return nil
}

// removeStaleTemps removes the temporary files a compile stopped by
// SIGKILL or a crash left in env's folder: files named ".NAME.tmpDIGITS"
// beside a file NAME that this compile writes or the manifest lists.
func (t *outTree) removeStaleTemps(env *envFolder, files []pending, manifest map[string]manifestEntry) {
	names := map[string]map[string]bool{}
	add := func(rel string) {
		d := path.Dir(rel)
		if names[d] == nil {
			names[d] = map[string]bool{}
		}
		names[d][path.Base(rel)] = true
	}
	add(ManifestName)
	for _, f := range files {
		if f.env == env {
			add(f.Path)
		}
	}
	for rel := range manifest {
		add(rel)
	}
	for rel, bases := range names {
		dir, err := t.folder(env, rel, false)
		if err != nil {
			continue
		}
		t.removeTempsOf(dir, bases)
	}
}

// copied is a file the spec copies into an environment's folder.
type copied struct {
	env  *envFolder
	host string // where it is, as the compiler found it
	rel  string // its path in the environment's folder
	output
}

// openCopied opens every file of copies once, checks the file opened (a
// regular file inside specDir, where the compiler checked it: it may have
// been swapped for a link or something else since), and hashes it; what
// compile copies is then read from that file, streamed. It returns a
// function closing them.
func openCopied(specDir string, copies []copied) (func(), error) {
	var opened []*os.File
	closeAll := func() {
		for _, f := range opened {
			if f != nil {
				f.Close()
			}
		}
	}
	if specDir == "" {
		specDir = "."
	}
	realDir, err := filepath.EvalSymlinks(specDir)
	if err == nil {
		realDir, err = filepath.Abs(realDir)
	}
	if err != nil {
		return closeAll, err
	}
	root, err := os.OpenRoot(realDir)
	if err != nil {
		return closeAll, err
	}
	defer root.Close()
	opened = make([]*os.File, len(copies))
	errs := make([]error, len(copies))
	parallel(len(copies), func(i int) {
		c := &copies[i]
		display := c.host
		if rel, err := filepath.Rel(specDir, c.host); err == nil {
			display = rel
		}
		f, err := openInside(root, realDir, c.host)
		if err != nil {
			errs[i] = fmt.Errorf("copying %s: %w (it changed after envc checked it; compile again)", display, err)
			return
		}
		opened[i] = f
		sum, size, err := hashFile(f)
		if err != nil {
			errs[i] = fmt.Errorf("copying %s: %w", display, err)
			return
		}
		c.output = output{
			File:  emitters.File{Path: c.rel, Stream: copyFrom(f, sum, size, display), Mode: modeOf(f)},
			sum:   sum,
			size:  size,
			owner: ownerCopied,
		}
	})
	return closeAll, errors.Join(errs...)
}

// openInside opens host for reading and checks that what was opened is a
// regular file inside realDir (an absolute path without links), which
// root is. Links inside realDir that stay inside it are followed, as the
// compiler allows them.
func openInside(root *os.Root, realDir, host string) (*os.File, error) {
	real, err := filepath.EvalSymlinks(host)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(realDir, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, errors.New("it leads outside the spec's folder")
	}
	// root keeps the open inside realDir, whatever changes meanwhile.
	f, err := root.OpenFile(rel, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = errNotRegular
		}
		return nil, err
	}
	return f, nil
}

// modeOf returns the permission bits of the open file f.
func modeOf(f *os.File) fs.FileMode {
	st, err := f.Stat()
	if err != nil {
		return 0o644
	}
	return st.Mode().Perm()
}

// copyFrom returns a stream copying the open file f, which must still
// hold size bytes with the SHA-256 sum.
func copyFrom(f *os.File, sum string, size int64, display string) func(io.Writer) error {
	return func(w io.Writer) error {
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), io.NewSectionReader(f, 0, size+1))
		if err != nil {
			return fmt.Errorf("copying %s: %w", display, err)
		}
		if n != size || hex.EncodeToString(h.Sum(nil)) != sum {
			return fmt.Errorf("copying %s: it changed while envc copied it; compile again", display)
		}
		return nil
	}
}

// hasHeader reports whether r's first lines carry envc's generated
// header.
func hasHeader(r io.Reader) bool {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for i := 0; i < headerLines && sc.Scan(); i++ {
		if strings.Contains(sc.Text(), emitters.HeaderMarker) {
			return true
		}
	}
	return false
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// hashFile returns the SHA-256 (hex) and size of what r holds, read
// through a small buffer.
func hashFile(r io.ReaderAt) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(r, 0, 1<<62))
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// readManifest reads the manifest in dir. A missing manifest is empty.
func readManifest(dir *os.Root) (map[string]manifestEntry, error) {
	f, err := openExisting(dir, ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]manifestEntry{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return parseManifest(data), nil
}

// parseManifest reads a manifest: rel path -> its line. A comment line
// ("# target docker") names the owner of the lines after it; lines that
// are neither are ignored. The lines before any comment are an older
// envc's, which named no owner: of those, the files under files/ are
// copied files.
func parseManifest(data []byte) map[string]manifestEntry {
	m := map[string]manifestEntry{}
	owner := ""
	for _, line := range strings.Split(string(data), "\n") {
		if comment, ok := strings.CutPrefix(line, "# "); ok {
			owner = strings.TrimSpace(comment)
			continue
		}
		hash, rel, ok := strings.Cut(line, "  ")
		if ok && len(hash) == 64 && rel != "" {
			e := manifestEntry{sum: hash, owner: owner}
			if owner == "" && strings.HasPrefix(rel, "files/") {
				e.owner = ownerCopied
			}
			m[rel] = e
		}
	}
	return m
}

// formatManifest writes a manifest: the lines of unknown owner first,
// then the copied files, then each target's files, each part sorted by
// path.
func formatManifest(entries map[string]manifestEntry) []byte {
	byOwner := map[string][]string{}
	for _, rel := range sortedKeys(entries) {
		e := entries[rel]
		byOwner[e.owner] = append(byOwner[e.owner], e.sum+"  "+rel+"\n")
	}
	owners := sortedKeys(byOwner)
	sort.SliceStable(owners, func(i, j int) bool {
		rank := func(o string) int {
			switch o {
			case "":
				return 0
			case ownerCopied:
				return 1
			}
			return 2
		}
		return rank(owners[i]) < rank(owners[j])
	})
	var b strings.Builder
	for _, o := range owners {
		if o != "" {
			b.WriteString("# " + o + "\n")
		}
		for _, l := range byOwner[o] {
			b.WriteString(l)
		}
	}
	return []byte(b.String())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeTemp writes data to a new temporary file in path's folder (made if
// needed) and returns its name.
func writeTemp(path string, data []byte, mode fs.FileMode) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+tempSuffix+"*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, mode)
	}
	if werr != nil {
		os.Remove(name)
		return "", werr
	}
	return name, nil
}

// countWriter counts what it passes on.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeAtomic replaces the file at path with data, through a temporary
// file renamed into place. A symbolic link at path is followed: the file
// it points to is replaced, the link is kept.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	tmp, err := writeTemp(path, data, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeStdout writes the single emitted file to w; it is a usage error when
// the chosen targets and environments produce more than one file.
func writeStdout(w io.Writer, results []emitted) error {
	var paths []string
	for _, r := range results {
		for _, f := range r.files {
			paths = append(paths, r.env.Name+"/"+f.Path)
		}
	}
	if len(paths) != 1 {
		sort.Strings(paths)
		return usagef("-o - needs exactly one output file, but this compilation makes %d (%v); choose one single-file target with -t (e.g. -t singularity) and one environment with -e", len(paths), paths)
	}
	for _, r := range results {
		for _, f := range r.files {
			if f.Stream != nil {
				return f.Stream(w)
			}
			_, err := w.Write(f.Data)
			return err
		}
	}
	return fmt.Errorf("no output")
}
