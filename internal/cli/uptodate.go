package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler"
)

// The record of a compile (compileState) is kept in the user's cache, not
// in the output folder, which research groups commit: a file named by a
// hash of the output folder's absolute path (statePath), in the folder
// "uptodate" of ENVC_CACHE_DIR, or of os.UserCacheDir()/envc when that
// variable is empty. Removing it forces the next compile into that folder
// to run in full. Without a cache folder no record is kept.

// cacheDirVar names the environment variable that replaces
// os.UserCacheDir()/envc as envc's cache folder.
const cacheDirVar = "ENVC_CACHE_DIR"

// clockName names the temporary file, in the output root, from which
// writeState reads the output file system's clock.
const clockName = ".envc-clock"

// stateFormat is the compileState format written; a record of another
// format is ignored.
const stateFormat = 1

// The records' folder is trimmed (trimRecords) at most once per
// trimEvery: a record not used for recordUnusedFor (neither written nor
// found up to date) is removed, and so is a temporary file older than
// staleTempAfter, which a killed compile left. A record found up to date
// has its modification time set to the time of use when it is older than
// trimEvery (touchRecord). trimmedName, in that folder, is the file whose
// modification time is the last trim's.
const (
	recordUnusedFor = 30 * 24 * time.Hour
	trimEvery       = 24 * time.Hour
	staleTempAfter  = time.Hour
	trimmedName     = "trimmed"
)

// racyMargin is how close to a compile's start an input may have been
// changed for its stat to be distrusted: such an input is hashed again
// (file system clocks are coarse, and may lag the wall clock).
const racyMargin = 2 * time.Second

// compileState is the record of a successful compile (statePath).
type compileState struct {
	Format int `json:"format"`
	// Key hashes what the outputs depend on besides the inputs: envc's
	// build and executable, the working folder, the command line and the
	// ENVC_ environment variables (stateKey).
	Key string `json:"key"`
	// Start is the wall clock at the compile's start (Unix ns): an input
	// changed after Start-racyMargin is hashed again.
	Start int64 `json:"start"`
	// Ref is the modification time of a temporary file made in the output
	// root before the outputs were looked at, by the output file system's
	// clock: an output changed at or after Ref is hashed again.
	Ref int64 `json:"ref"`
	// Envs are the environment folders written, sorted: they are locked
	// shared while the record is checked.
	Envs []string `json:"envs"`
	// Inputs are every file and folder the compile read or looked at;
	// Outputs every file it made (and the manifests) and their folders,
	// by slash path under the root.
	Inputs  []stateFile `json:"inputs"`
	Outputs []stateFile `json:"outputs"`
	// Printed is what the compile printed, to print again, ending with
	// a success line saying the files are up to date.
	Printed []printedChunk `json:"printed"`
}

// stateFile is one file or folder's stat and content sum.
type stateFile struct {
	Path    string `json:"path"`
	Missing bool   `json:"missing,omitempty"`
	Size    int64  `json:"size"`
	Mode    uint32 `json:"mode"`
	Mtime   int64  `json:"mtime"`
	Ctime   int64  `json:"ctime"`
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	// Sum is the SHA-256 of the content compile read or wrote (a
	// folder's: of its listing, compiler.ListingSum); "" when only its
	// existence and mode count.
	Sum string `json:"sum,omitempty"`
	// Dir is set for a folder.
	Dir bool `json:"dir,omitempty"`
}

// printedChunk is a piece of what compile printed, on standard output
// (Stream 1) or standard error (2).
type printedChunk struct {
	Stream int    `json:"stream"`
	Data   []byte `json:"data"`
}

// stampOf returns the stat of fi as a stateFile of path (Sum unset).
func stampOf(p string, fi fs.FileInfo) stateFile {
	dev, ino, ctime := fileStamp(fi)
	return stateFile{Path: p, Size: fi.Size(), Mode: uint32(fi.Mode()), Mtime: fi.ModTime().UnixNano(), Ctime: ctime, Dev: dev, Ino: ino, Dir: fi.IsDir()}
}

// sameStamp reports whether two stats of a file are equal.
func sameStamp(a, b stateFile) bool {
	if a.Dir && b.Dir {
		// A folder's size is the file system's business.
		a.Size, b.Size = 0, 0
	}
	return a.Size == b.Size && a.Mode == b.Mode && a.Mtime == b.Mtime && a.Ctime == b.Ctime && a.Dev == b.Dev && a.Ino == b.Ino && a.Dir == b.Dir
}

// changedSince reports whether f's stat shows a change at or after t (Unix
// ns): then only its content tells whether it is what was recorded.
func (f stateFile) changedSince(t int64) bool { return f.changed() >= t }

// changed is the time of f's last change its stat shows.
func (f stateFile) changed() int64 { return max(f.Mtime, f.Ctime) }

// stateKey hashes what a compile's outputs depend on besides the files it
// reads: envc's build, the executable (a rebuilt envc is another envc),
// the working folder (relative paths), the command line and the ENVC_
// environment variables. It returns "" when one of them cannot be known.
func (a *app) stateKey() string {
	h := sha256.New()
	fmt.Fprintf(h, "envc compile state %d\n", stateFormat)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "build %s\n", bi)
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	st, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	s := stampOf(exe, st)
	fmt.Fprintf(h, "exe %q %d %d %d %d %d %d\n", exe, s.Size, s.Mode, s.Mtime, s.Ctime, s.Dev, s.Ino)
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	fmt.Fprintf(h, "wd %q\n", wd)
	for _, arg := range a.args {
		fmt.Fprintf(h, "arg %q\n", arg)
	}
	var env []string
	for _, kv := range a.environ {
		if strings.HasPrefix(kv, "ENVC_") {
			env = append(env, kv)
		}
	}
	sort.Strings(env)
	for _, kv := range env {
		fmt.Fprintf(h, "env %q\n", kv)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// statePath returns the file that holds the record of the compiles into
// out: in the folder "uptodate" of envc's cache folder (ENVC_CACHE_DIR, or
// os.UserCacheDir()/envc when that is unset or empty), named by the
// SHA-256 of out's absolute path, so that two output folders keep two
// records. It returns "" when there is no cache folder: no record is
// then read or kept.
func (a *app) statePath(out string) string {
	cache := ""
	for _, kv := range a.environ {
		if v, ok := strings.CutPrefix(kv, cacheDirVar+"="); ok {
			cache = v
		}
	}
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(dir, "envc")
	}
	cache, err := filepath.Abs(cache)
	if err != nil {
		return ""
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(cache, "uptodate", hex.EncodeToString(sum[:16]))
}

// printRecorder keeps what a compile prints, for its record.
type printRecorder struct{ chunks []printedChunk }

// tee returns a writer to w that also keeps what it writes as stream.
func (p *printRecorder) tee(stream int, w io.Writer) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		p.chunks = append(p.chunks, printedChunk{Stream: stream, Data: bytes.Clone(b)})
		return w.Write(b)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// upToDate is compile's shortcut: when rec's path holds the record of a
// compile with rec's key whose inputs and outputs are all as it left them,
// it prints what that compile printed, with a line saying the files are up
// to date, and reports true. Anything missing, different or unreadable
// reports false: compile then runs in full. The environment folders are
// locked shared meanwhile, so that a compile writing them is waited for.
func (a *app) upToDate(out string, rec *stateRecord, format string) bool {
	if format == formatJSON || rec.path == "" {
		return false
	}
	// No output folder, nothing up to date: the record is not read.
	if fi, err := os.Stat(out); err != nil || !fi.IsDir() {
		return false
	}
	data, used, ok := readState(rec.path)
	if !ok {
		return false
	}
	var st compileState
	if json.Unmarshal(data, &st) != nil || st.Format != stateFormat || st.Key == "" || len(st.Envs) == 0 {
		return false
	}
	if rec.key != st.Key {
		return false
	}
	tree := newTree(out)
	defer tree.close()
	if tree.openForCheck(st.Envs) != nil {
		return false
	}
	// The record read may have been replaced by the compile waited for.
	if again, _, ok := readState(rec.path); !ok || !bytes.Equal(again, data) {
		return false
	}
	inputsBefore := st.Start - int64(racyMargin)
	for _, f := range st.Inputs {
		if !f.current(f.Path, os.Stat, inputsBefore) {
			return false
		}
	}
	for _, f := range st.Outputs {
		if !f.current(filepath.Join(out, filepath.FromSlash(f.Path)), os.Lstat, st.Ref) {
			return false
		}
	}
	for _, c := range st.Printed {
		w := a.stdout
		if c.Stream == 2 {
			w = a.stderr
		}
		w.Write(c.Data)
	}
	touchRecord(rec.path, used, time.Now())
	return true
}

// readState reads the record at p, which must be a regular file, and
// returns its modification time.
func readState(p string) ([]byte, time.Time, bool) {
	if p == "" {
		return nil, time.Time{}, false
	}
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, time.Time{}, false
	}
	data, err := os.ReadFile(p)
	return data, fi.ModTime(), err == nil
}

// touchRecord marks the record at p, last modified at mod, as used now,
// so that trimRecords keeps it: it sets its modification time when that
// is more than trimEvery old (at most one write a day for a record used
// every day).
func touchRecord(p string, mod, now time.Time) {
	if now.Sub(mod) > trimEvery {
		os.Chtimes(p, now, now)
	}
}

// trimRecords trims the records' folder dir, unless it was trimmed less
// than trimEvery before now: it removes the records not used for
// recordUnusedFor (those of output folders deleted or no longer compiled
// into) and the temporary files older than staleTempAfter that killed
// compiles left. Other files are kept. So a compile does not read the
// whole folder, which holds one record per output folder ever compiled
// into, and the folder does not grow without end.
func (t *outTree) trimRecords(dir *os.Root, now time.Time) {
	if fi, err := dir.Lstat(trimmedName); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) < trimEvery {
		return
	}
	// Marked first: a compile starting meanwhile does not trim too.
	f, err := dir.OpenFile(trimmedName, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|nonBlock, 0o600)
	if err != nil {
		return
	}
	f.Close()
	if dir.Chtimes(trimmedName, now, now) != nil {
		return
	}
	entries, err := readDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		var maxAge time.Duration
		switch {
		case isRecordName(name):
			maxAge = recordUnusedFor
		case tempOf(name) != "":
			maxAge = staleTempAfter
		default:
			continue
		}
		fi, err := dir.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) <= maxAge || t.isTemp(dir, name) {
			continue
		}
		dir.Remove(name)
	}
}

// isRecordName reports whether name is that of a record: 32 lower-case
// hex digits (statePath).
func isRecordName(name string) bool {
	if len(name) != 32 {
		return false
	}
	for _, c := range []byte(name) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// current reports whether the file at p (statted with stat) is still as
// f records it: missing when it was, else the same stat and, when that
// stat shows a change at or after racy, the same content.
func (f stateFile) current(p string, stat func(string) (fs.FileInfo, error), racy int64) bool {
	fi, err := stat(p)
	if f.Missing {
		return errors.Is(err, fs.ErrNotExist)
	}
	if err != nil {
		return false
	}
	now := stampOf(f.Path, fi)
	if !sameStamp(f, now) {
		return false
	}
	if !now.changedSince(racy) {
		return true
	}
	switch {
	case f.Sum == "":
		// Nothing to compare the content with: compile again.
		return false
	case f.Dir:
		sum, err := listingSum(p)
		return err == nil && sum == f.Sum
	}
	file, err := os.Open(p)
	if err != nil {
		return false
	}
	defer file.Close()
	sum, n, err := hashFile(file)
	return err == nil && n == f.Size && sum == f.Sum
}

// listingSum is the Sum of the folder at p: compiler.ListingSum of the
// names it holds, in order.
func listingSum(p string) (string, error) {
	items, err := os.ReadDir(p)
	if err != nil {
		return "", err
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name()
	}
	return compiler.ListingSum(names), nil
}

// loadKnown reads the outputs of the record at state (statePath of t's
// root), if there is one of this format, whatever its key: an output whose
// stat is the one recorded need not be hashed again (hashOutput).
func (t *outTree) loadKnown(state string) {
	data, _, ok := readState(state)
	if !ok {
		return
	}
	var st compileState
	if json.Unmarshal(data, &st) != nil || st.Format != stateFormat {
		return
	}
	t.known, t.knownRef = map[string]stateFile{}, st.Ref
	for _, f := range st.Outputs {
		if !f.Dir && !f.Missing && f.Sum != "" {
			t.known[f.Path] = f
		}
	}
}

// hashOutput returns the SHA-256 and size of file, open at rel in env's
// folder: the sum the last compile's record gives it when its stat is
// the one recorded (and not changed at or after the record was made),
// else by reading it.
func (t *outTree) hashOutput(env *envFolder, rel string, file *os.File) (string, int64, error) {
	if k, ok := t.known[env.name+"/"+rel]; ok {
		if fi, err := file.Stat(); err == nil {
			if now := stampOf(k.Path, fi); sameStamp(k, now) && !now.changedSince(t.knownRef) {
				return k.Sum, k.Size, nil
			}
		}
	}
	return hashFile(file)
}

// racyHashBelow is the size of the outputs, in bytes, below which a
// compile leaves them for the next one to hash rather than wait for the
// clock to move past them (stampOutputs): about what SHA-256 hashes in
// the time the wait takes.
const racyHashBelow = 1 << 20

// stateRecord is what compile gathers for its record as it goes.
type stateRecord struct {
	// path is where the record is kept (statePath).
	path  string
	key   string
	start time.Time
	// missing are the paths compile found missing and would read if
	// they were there (the lock file).
	missing []string
	printed printRecorder
}

// newStateRecord starts the record of a compile, or returns nil when
// none is kept: --check, --force, -o -, a spec on standard input, --json
// (whose report lists what was written), no cache folder to keep it in,
// or a key that cannot be known.
func (a *app) newStateRecord(out, spec string, check, force bool, format string) *stateRecord {
	if check || force || out == "-" || spec == "-" || format == formatJSON {
		return nil
	}
	p := a.statePath(out)
	if p == "" {
		return nil
	}
	key := a.stateKey()
	if key == "" {
		return nil
	}
	return &stateRecord{path: p, key: key, start: time.Now()}
}

// writeState writes the record of a successful compile to rec.path:
// inputs are what l's compiler read (the files copied with the sums they
// were copied with), outputs what o's summary lists. It is made in a
// temporary file beside it, in a folder only the user may enter, and
// renamed into place; after large outputs, the output file system's
// clock is read from a temporary file in t's root, removed after
// (stampOutputs). Both are removed on a signal, as compile's others. A
// record that cannot be made leaves none: the next compile runs in full.
func (t *outTree) writeState(rec *stateRecord, l *loaded, results []emitted, sum *writeSummary) {
	remove := func() { os.Remove(rec.path) }
	if t.dir == nil {
		return
	}
	st := compileState{Format: stateFormat, Key: rec.key, Start: rec.start.UnixNano(), Printed: rec.printed.chunks}
	if !st.gatherInputs(rec, l, results, sum) || !t.stampOutputs(&st, sum) {
		remove()
		return
	}
	data, err := json.Marshal(st)
	if err != nil {
		remove()
		return
	}
	if err := t.putState(rec.path, data); err != nil {
		remove()
	}
}

// stampOutputs fills st's outputs (gatherOutputs) and Ref: a time of the
// output file system at or after each output's stat shows, and no later
// than the file system's clock when they were statted. Any change to an
// output after its stat then shows a time at or after Ref, and an output
// whose stat is not before Ref is hashed again by the next compile to be
// judged unchanged (a folder's listing is compared). The newest output's
// time is such a Ref. The outputs were just put in place, mostly in the
// clock's current tick (4 ms on many kernels): when those outputs are
// small, hashing them next time costs less than waiting for the clock
// now; else a temporary file in the root reads the clock until it moved
// past them, for at most 20 ms.
func (t *outTree) stampOutputs(st *compileState, sum *writeSummary) bool {
	// The clock's temporary files that a killed compile left in the root.
	t.removeTempsOf(t.dir, map[string]bool{clockName: true})
	if !st.gatherOutputs(t.root, sum) {
		return false
	}
	for _, o := range st.Outputs {
		st.Ref = max(st.Ref, o.changed())
	}
	if st.racyBytes() < racyHashBelow {
		return true
	}
	clock, f, err := t.stateTemp(t.dir, clockName)
	if err != nil {
		return false
	}
	defer t.removeTemp(clock)
	defer f.Close()
	for try := 0; ; try++ {
		time.Sleep(time.Millisecond)
		if _, err := f.Write([]byte{'\n'}); err != nil {
			return false
		}
		fi, err := f.Stat()
		if err != nil {
			return false
		}
		st.Ref = fi.ModTime().UnixNano()
		if !st.gatherOutputs(t.root, sum) {
			return false
		}
		if st.racyBytes() < racyHashBelow || try == 20 {
			return true
		}
	}
}

// racyBytes is the size of the files among st's outputs whose stat is
// not before st.Ref.
func (st *compileState) racyBytes() int64 {
	var n int64
	for _, o := range st.Outputs {
		if !o.Dir && o.changedSince(st.Ref) {
			n += o.Size
		}
	}
	return n
}

// putState writes data to the record at p: to a temporary file (mode
// 0600) in p's folder, made with its parents (mode 0700) when missing,
// renamed into place.
func (t *outTree) putState(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	dir, err := os.OpenRoot(filepath.Dir(p))
	if err != nil {
		return err
	}
	defer dir.Close()
	name := filepath.Base(p)
	t.trimRecords(dir, time.Now())
	tmp, f, err := t.stateTemp(dir, name)
	if err != nil {
		return err
	}
	defer t.removeTemp(tmp)
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping {
		return errStopping
	}
	return t.renameLocked(tmp, name)
}

// stateTemp makes a temporary file (mode 0600) for the file name in dir,
// removed on a signal.
func (t *outTree) stateTemp(dir *os.Root, name string) (*tempFile, *os.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping {
		return nil, nil, errStopping
	}
	var f *os.File
	var tmp string
	err := fs.ErrExist
	for i := 0; i < 100 && errors.Is(err, fs.ErrExist); i++ {
		tmp = "." + name + tempSuffix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		f, err = dir.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|nonBlock, 0o600)
	}
	if err != nil {
		return nil, nil, err
	}
	tf := &tempFile{dir, tmp}
	t.temps[tf] = true
	return tf, f, nil
}

// gatherInputs fills st's inputs from what the compile read, statting
// each now. It reports false when one of them is not what the compile saw
// (an input found missing is there now, a file read is gone): no record
// is then kept.
func (st *compileState) gatherInputs(rec *stateRecord, l *loaded, results []emitted, sum *writeSummary) bool {
	// The files the spec copies: their sums are those of the copies.
	made := map[string]string{}
	for _, f := range sum.files {
		made[f.env+"/"+f.rel] = f.sum
	}
	copiedSums := map[string]string{}
	for _, r := range results {
		for _, cf := range r.env.ContextFiles {
			if s, ok := made[r.env.Name+"/"+cf.ContextPath]; ok {
				copiedSums[filepath.Clean(cf.HostPath)] = s
			}
		}
	}
	for _, in := range l.inputs.List() {
		fi, err := os.Stat(in.Path)
		if err != nil {
			return false
		}
		f := stampOf(in.Path, fi)
		f.Sum = in.Sum
		if in.Kind == compiler.InputStat && fi.Mode().IsRegular() {
			f.Sum = copiedSums[in.Path]
		}
		st.Inputs = append(st.Inputs, f)
	}
	for _, p := range rec.missing {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
		st.Inputs = append(st.Inputs, stateFile{Path: p, Missing: true})
	}
	return true
}

// gatherOutputs fills st's outputs and environments from what the
// compile wrote (sum), statting each now; false when one is gone.
func (st *compileState) gatherOutputs(root string, sum *writeSummary) bool {
	st.Outputs, st.Envs = nil, nil
	files := append(slices.Clone(sum.files), sum.manifests...)
	dirs := map[string]bool{}
	for _, f := range files {
		rel := f.env + "/" + f.rel
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
		o := stampOf(rel, fi)
		o.Sum = f.sum
		st.Outputs = append(st.Outputs, o)
		if !slices.Contains(st.Envs, f.env) {
			st.Envs = append(st.Envs, f.env)
		}
	}
	for _, d := range sortedKeys(dirs) {
		// A file made or removed in it since (a temporary file a stopped
		// compile left, which compile removes) changes its times, and its
		// listing, which tells a folder statted in the clock's tick of the
		// outputs' writing (writeState). The listing is read first: a
		// change after it shows in the stat.
		p := filepath.Join(root, filepath.FromSlash(d))
		listing, err := listingSum(p)
		if err != nil {
			return false
		}
		fi, err := os.Lstat(p)
		if err != nil || !fi.IsDir() {
			return false
		}
		o := stampOf(d, fi)
		o.Sum = listing
		st.Outputs = append(st.Outputs, o)
	}
	sort.Strings(st.Envs)
	return true
}
