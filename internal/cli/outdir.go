package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// outTree is the output folder of one compile, open for writing.
//
// Every folder under the root is opened one name at a time and never
// through a symbolic link: a link where a folder is expected is an error
// (linkError), and each folder opened is checked to be the one found
// there, so that swapping a folder for a link meanwhile is an error too.
// The root itself, named by the user, may be or lie under a link.
//
// Each environment's folder is locked (lockFolder) from before the first
// temporary file is made there until the compile is over, so that two
// compiles into one folder run one after the other. Every temporary file
// and folder made is tracked: close removes those left, and so does a
// SIGINT or SIGTERM (catchSignals), after which the process ends by the
// signal.
type outTree struct {
	root string   // as given to -o
	dir  *os.Root // root
	// rootMade are root and those of its parents compile made, deepest
	// first.
	rootMade []string
	// rootNew says open made root: no output is there yet.
	rootNew bool
	envs    map[string]*envFolder

	// mu guards what follows, and is held while outputs are put in place
	// (commit), so that a signal never stops compile halfway through that.
	mu    sync.Mutex
	temps map[*tempFile]bool
	// made are the folders made under root, in the order made.
	made []madeFolder
	// stopping is set once a signal arrived: no temporary file is made
	// after that.
	stopping bool

	// known are the outputs the last compile's record (statePath) lists,
	// by slash path under the root, and knownRef its Ref: a file whose
	// stat is still the one recorded, from before Ref, has the sum
	// recorded (hashOutput). Set by loadKnown, then only read.
	known    map[string]stateFile
	knownRef int64
}

// envFolder is one environment's output folder.
type envFolder struct {
	name string
	// dirs are the folders opened under it, by slash-separated path
	// relative to it ("." for itself).
	dirs map[string]*os.Root
	lock *os.File // the folder itself, locked
}

// tempFile is a temporary file made in dir.
type tempFile struct {
	dir  *os.Root
	name string
}

type madeFolder struct {
	parent *os.Root
	name   string
}

// linkError is a symbolic link found where compile expects a folder.
type linkError struct{ path string }

func (e *linkError) Error() string {
	return fmt.Sprintf("%s is a symbolic link: envc writes nothing through a link under the output folder (remove the link, or compile into another folder)", e.path)
}

// errStopping is returned for a temporary file asked for after a signal.
var errStopping = errors.New("stopping")

// tempSuffix starts the suffix of every temporary file's name:
// ".NAME.tmpDIGITS" for a file NAME.
const tempSuffix = ".tmp"

// newTree returns the tree of root, not open yet (open), so that
// catchSignals can be called before anything is made.
func newTree(root string) *outTree {
	return &outTree{root: root, envs: map[string]*envFolder{}, temps: map[*tempFile]bool{}}
}

// open makes the root (and its parents) when missing, opens it, and opens
// and locks the folder of each environment in envs, making those missing.
// A folder another compile holds is waited for, saying so on wait when
// it is not nil.
func (t *outTree) open(envs []string, wait io.Writer) error {
	t.mu.Lock()
	t.rootMade = missingDirs(t.root)
	t.rootNew = len(t.rootMade) > 0
	t.mu.Unlock()
	if err := os.MkdirAll(t.root, 0o755); err != nil {
		return err
	}
	dir, err := os.OpenRoot(t.root)
	if err != nil {
		return err
	}
	t.dir = dir
	// Always in the same order, so that two compiles of several
	// environments never each hold a folder the other waits for.
	names := append([]string(nil), envs...)
	sort.Strings(names)
	for _, name := range names {
		if t.envs[name] != nil {
			continue
		}
		env, err := t.lockEnv(name, wait)
		if err != nil {
			return err
		}
		t.mu.Lock()
		t.envs[name] = env
		t.mu.Unlock()
	}
	return nil
}

// lockEnv opens and locks the folder of environment name.
func (t *outTree) lockEnv(name string, wait io.Writer) (*envFolder, error) {
	display := filepath.Join(t.root, name)
	said := false
	for attempt := 0; ; attempt++ {
		t.mu.Lock()
		dir, err := t.openDir(t.dir, name, display, true)
		t.mu.Unlock()
		if err != nil {
			return nil, err
		}
		f, err := dir.OpenFile(".", os.O_RDONLY|nonBlock, 0)
		if err != nil {
			dir.Close()
			return nil, err
		}
		got, err := tryLockFolder(f)
		if err != nil {
			// A file system that cannot lock a folder (flock on some NFS
			// mounts): compile goes on without the lock, and says so.
			if wait != nil {
				fmt.Fprintf(wait, "envc: cannot lock %s (%v): compiling without the lock\n", display, err)
			}
			return &envFolder{name: name, dirs: map[string]*os.Root{".": dir}, lock: f}, nil
		}
		if !got {
			if wait != nil && !said {
				fmt.Fprintf(wait, "envc: waiting for another envc compile to finish writing %s\n", display)
				said = true
			}
			if err := lockFolder(f); err != nil {
				f.Close()
				dir.Close()
				return nil, fmt.Errorf("locking %s: %w", display, err)
			}
		}
		// The compile that held the folder may have removed it (it had
		// made it and wrote nothing): the lock is then on a folder that is
		// gone, and compile starts again.
		st, err := t.dir.Lstat(name)
		if fst, ferr := f.Stat(); err == nil && ferr == nil && sameFile(st, fst) {
			return &envFolder{name: name, dirs: map[string]*os.Root{".": dir}, lock: f}, nil
		}
		f.Close()
		dir.Close()
		if attempt == 100 {
			return nil, fmt.Errorf("%s keeps changing while envc locks it", display)
		}
	}
}

// openDir opens the folder name in parent, never through a symbolic link;
// with create it makes it when missing. display is its path for messages.
// t.mu is held.
func (t *outTree) openDir(parent *os.Root, name, display string, create bool) (*os.Root, error) {
	st, err := parent.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) && create {
		err = parent.Mkdir(name, 0o755)
		if err == nil {
			t.made = append(t.made, madeFolder{parent, name})
		}
		if err == nil || errors.Is(err, fs.ErrExist) {
			st, err = parent.Lstat(name)
		}
	}
	switch {
	case err != nil:
		return nil, err
	case st.Mode()&fs.ModeSymlink != 0:
		return nil, &linkError{display}
	case !st.IsDir():
		return nil, fmt.Errorf("%s is not a folder", display)
	}
	dir, err := parent.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	// What was opened must be what Lstat found: a folder swapped for a
	// link in between was followed.
	if got, err := dir.Stat("."); err != nil || !sameFile(st, got) {
		dir.Close()
		if err != nil {
			return nil, err
		}
		return nil, &linkError{display}
	}
	return dir, nil
}

// folder returns the folder rel (slash-separated, "." for the
// environment's folder) of env's folder, opened without following a link
// in any of its names; with create, the folders missing are made. Without
// create, a missing folder is an error satisfying errors.Is(err,
// fs.ErrNotExist).
func (t *outTree) folder(env *envFolder, rel string, create bool) (*os.Root, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.folderLocked(env, rel, create)
}

func (t *outTree) folderLocked(env *envFolder, rel string, create bool) (*os.Root, error) {
	rel = path.Clean(rel)
	if dir := env.dirs[rel]; dir != nil {
		return dir, nil
	}
	if rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return nil, fmt.Errorf("%s leaves the output folder", rel)
	}
	parent, err := t.folderLocked(env, path.Dir(rel), create)
	if err != nil {
		return nil, err
	}
	display := filepath.Join(t.root, env.name, filepath.FromSlash(rel))
	if t.stopping && create {
		return nil, errStopping
	}
	dir, err := t.openDir(parent, path.Base(rel), display, create)
	if err != nil {
		return nil, err
	}
	env.dirs[rel] = dir
	return dir, nil
}

// writeTemp makes a temporary file for the file rel (slash-separated,
// relative to env's folder) beside it, has write fill it, and gives it
// mode. On a failure it is removed.
// tempsMade counts the temporary files made by this process, for the
// tests (compiling an unchanged spec makes none).
var tempsMade atomic.Int64

func (t *outTree) writeTemp(env *envFolder, rel string, mode fs.FileMode, write func(io.Writer) error) (*tempFile, error) {
	dir, err := t.folder(env, path.Dir(rel), true)
	if err != nil {
		return nil, err
	}
	base := path.Base(rel)
	t.mu.Lock()
	if t.stopping {
		t.mu.Unlock()
		return nil, errStopping
	}
	var f *os.File
	var name string
	for range 10000 {
		name = "." + base + tempSuffix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		// O_EXCL: never through a link, never over another file.
		f, err = dir.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|nonBlock, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		t.mu.Unlock()
		return nil, err
	}
	tmp := &tempFile{dir, name}
	t.temps[tmp] = true
	t.mu.Unlock()
	tempsMade.Add(1)
	// No fsync: every output can be made again from the spec, and the
	// rename that puts it in place is atomic for its readers; syncing a
	// large llb.pb would cost more than writing it.
	werr := write(f)
	if werr == nil {
		werr = f.Chmod(mode)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		t.removeTemp(tmp)
		return nil, werr
	}
	return tmp, nil
}

// removeTemp removes a temporary file.
func (t *outTree) removeTemp(tmp *tempFile) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.removeTempLocked(tmp)
}

func (t *outTree) removeTempLocked(tmp *tempFile) {
	if t.temps[tmp] {
		tmp.dir.Remove(tmp.name)
		delete(t.temps, tmp)
	}
}

// rename puts a temporary file in place as name, in its folder. t.mu is
// held.
func (t *outTree) renameLocked(tmp *tempFile, name string) error {
	if err := tmp.dir.Rename(tmp.name, name); err != nil {
		return err
	}
	delete(t.temps, tmp)
	return nil
}

// isTemp reports whether name, in dir, is a live temporary file of this
// compile.
func (t *outTree) isTemp(dir *os.Root, name string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for tmp := range t.temps {
		if tmp.dir == dir && tmp.name == name {
			return true
		}
	}
	return false
}

// removeTempsOf removes from dir the temporary files of the files named
// in bases that a killed compile left (those that are not this
// compile's).
func (t *outTree) removeTempsOf(dir *os.Root, bases map[string]bool) {
	entries, err := readDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && bases[tempOf(e.Name())] && !t.isTemp(dir, e.Name()) {
			dir.Remove(e.Name())
		}
	}
}

// readDir lists dir, in no order. The entries' types come with the
// listing, without a stat of each.
func readDir(dir *os.Root) ([]fs.DirEntry, error) {
	d, err := dir.OpenFile(".", os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadDir(-1)
}

// tempOf returns the name of the file whose temporary file name is
// (".NAME.tmpDIGITS"), or "".
func tempOf(name string) string {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return ""
	}
	i := strings.LastIndex(rest, tempSuffix)
	if i <= 0 {
		return ""
	}
	digits := rest[i+len(tempSuffix):]
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return ""
	}
	return rest[:i]
}

// cleanLocked removes the temporary files and the folders made that are
// still empty. t.mu is held.
func (t *outTree) cleanLocked() {
	for tmp := range t.temps {
		tmp.dir.Remove(tmp.name)
		delete(t.temps, tmp)
	}
	for i := len(t.made) - 1; i >= 0; i-- {
		t.made[i].parent.Remove(t.made[i].name) // only an empty folder goes
	}
	t.made = nil
	for _, d := range t.rootMade {
		os.Remove(d)
	}
	t.rootMade = nil
}

// close removes what compile left (temporary files, and the folders it
// made if they stayed empty), unlocks the folders and closes them. After
// a compile that wrote nothing, no trace of it is left.
func (t *outTree) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The folders are removed while still locked: a compile waiting for
	// one finds it gone once it has the lock, and starts again.
	t.cleanLocked()
	for _, env := range t.envs {
		for _, dir := range env.dirs {
			dir.Close()
		}
		env.lock.Close() // which unlocks it
	}
	t.envs = nil
	if t.dir != nil {
		t.dir.Close()
		t.dir = nil
	}
}

// signals is the process's catch of SIGINT and SIGTERM, set up once by
// the first catchSignals and kept: the trees being written, which a
// signal cleans up before it ends the process. signal.Notify and
// signal.Stop each wait for the runtime's signal thread (0.3 ms or more
// at every compile when each compile caught and released them).
var signals struct {
	once  sync.Once
	mu    sync.Mutex
	trees map[*outTree]bool
}

// catchProcessSignals starts catching SIGINT and SIGTERM. A signal that
// comes while no tree is written ends the process at once, as it would
// uncaught.
func catchProcessSignals() {
	signals.trees = map[*outTree]bool{}
	ch := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		// A signal ignored when envc started (SIGINT for a job a script
		// runs in the background) stays ignored.
		if !signal.Ignored(sig) {
			signal.Notify(ch, sig)
		}
	}
	go func() {
		sig := <-ch
		signals.mu.Lock()
		for t := range signals.trees {
			t.mu.Lock()
			t.stopping = true
			t.cleanLocked()
			// t.mu stays held: nothing more is made or put in place.
		}
		endBySignal(sig)
	}()
}

// catchSignals makes a SIGINT or SIGTERM, from now until stop is called,
// remove the temporary files and the empty folders made, then end the
// process by the same signal (so that its exit status is 128 plus the
// signal's number). A signal that comes while outputs are put in place
// takes effect once they all are.
func (t *outTree) catchSignals() (stop func()) {
	signals.once.Do(catchProcessSignals)
	signals.mu.Lock()
	signals.trees[t] = true
	signals.mu.Unlock()
	return func() {
		signals.mu.Lock()
		delete(signals.trees, t)
		signals.mu.Unlock()
	}
}
