package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/envc-dev/envc/emitters"
)

// ManifestName is the file, in each environment's output folder, that
// lists every file envc wrote there with its SHA-256, in the format of
// sha256sum ("HASH  PATH" lines, paths relative to the folder). envc
// compile overwrites an existing file only when it is unchanged since envc
// wrote it (its hash matches the manifest), when it carries envc's
// generated header (a text file from an envc without manifest), or when
// it already holds exactly the new bytes; anything else was changed or
// made by hand and is kept unless --force is given.
const ManifestName = ".envc-manifest"

// headerLines is how many leading lines of a text file are searched for
// emitters.HeaderMarker (a shebang or a "# syntax=" line may come first).
const headerLines = 3

// pending is one file to write into dir (its Path is relative to dir).
type pending struct {
	dir string // the environment's output folder
	output
	// diskSum is the SHA-256 (hex) of the file now at the path, once
	// overwriteProblem has read it ("" before), so that it is read once.
	diskSum string
}

func (p pending) path() string { return filepath.Join(p.dir, filepath.FromSlash(p.Path)) }

// refusedError lists files compile will not overwrite.
type refusedError struct{ files []string }

func (e *refusedError) Error() string {
	return fmt.Sprintf("not overwriting %d file(s) changed or made by hand since envc wrote them (compile again with --force to overwrite them, or move them away):\n  %s",
		len(e.files), strings.Join(e.files, "\n  "))
}

// writeOutputs writes every environment's files under root/<env>/, with
// the build context files the spec copies in beside them and the
// manifest. Nothing is written when a file would overwrite work done by
// hand (unless force), and every file goes to a temporary file first: the
// files are renamed into place only once all of them are written.
func writeOutputs(root string, results []emitted, force bool) error {
	var files []pending
	dirs := map[string]bool{}
	var dirOrder []string
	for _, r := range results {
		dir := filepath.Join(root, r.env.Name)
		if !dirs[dir] {
			dirs[dir] = true
			dirOrder = append(dirOrder, dir)
		}
		for _, f := range r.files {
			files = append(files, pending{dir: dir, output: f})
		}
		for _, cf := range r.env.ContextFiles {
			data, err := os.ReadFile(cf.HostPath)
			if err != nil {
				return err
			}
			st, err := os.Stat(cf.HostPath)
			if err != nil {
				return err
			}
			files = append(files, pending{dir: dir, output: output{File: emitters.File{Path: cf.ContextPath, Data: data, Mode: st.Mode().Perm()}}})
		}
	}
	manifests := map[string]map[string]string{}
	for _, dir := range dirOrder {
		m, err := readManifest(filepath.Join(dir, ManifestName))
		if err != nil {
			return err
		}
		manifests[dir] = m
	}
	if !force {
		var refused []string
		for i := range files {
			if why := overwriteProblem(&files[i], manifests[files[i].dir]); why != "" {
				refused = append(refused, files[i].path()+" ("+why+")")
			}
		}
		if len(refused) > 0 {
			removePendingTemps(files)
			return &refusedError{refused}
		}
	}
	// Streamed files go to their temporary files now, which gives their
	// hashes.
	var streamed []int
	for i, f := range files {
		if f.Stream != nil && f.tmp == "" {
			streamed = append(streamed, i)
		}
	}
	errs := make([]error, len(streamed))
	parallel(len(streamed), func(j int) {
		f := &files[streamed[j]]
		f.tmp, f.sum, f.size, errs[j] = writeTempStream(f.path(), f.Stream, f.sum, f.Mode)
	})
	if err := errors.Join(errs...); err != nil {
		removePendingTemps(files)
		return err
	}
	// The manifest of each folder comes last, so that it names only files
	// that are in place.
	for _, dir := range dirOrder {
		var b strings.Builder
		var lines []string
		for i := range files {
			if f := &files[i]; f.dir == dir {
				if f.sum == "" {
					f.sum = hashOf(f.Data)
				}
				lines = append(lines, f.sum+"  "+f.Path+"\n")
			}
		}
		sort.Strings(lines)
		for _, l := range lines {
			b.WriteString(l)
		}
		files = append(files, pending{dir: dir, output: output{File: emitters.File{Path: ManifestName, Data: []byte(b.String()), Mode: 0o644}}})
	}
	// A file that already holds the same bytes and mode is left alone, so
	// that compiling an unchanged spec writes nothing.
	changed := files[:0]
	for _, f := range files {
		if !current(f) {
			changed = append(changed, f)
		} else if f.tmp != "" {
			os.Remove(f.tmp)
		}
	}
	return writeAll(changed)
}

// removePendingTemps removes the temporary files of streamed files.
func removePendingTemps(files []pending) {
	for _, f := range files {
		if f.tmp != "" {
			os.Remove(f.tmp)
		}
	}
}

// current reports whether the file at f's path already has f's bytes (by
// their hash) and permission bits.
func current(f pending) bool {
	size := int64(len(f.Data))
	if f.Stream != nil {
		size = f.size
	}
	st, err := os.Lstat(f.path())
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != f.Mode.Perm() || st.Size() != size {
		return false
	}
	old := f.diskSum
	if old == "" {
		data, err := os.ReadFile(f.path())
		if err != nil {
			return false
		}
		old = hashOf(data)
	}
	sum := f.sum
	if sum == "" {
		sum = hashOf(f.Data)
	}
	return old == sum
}

// overwriteProblem returns why f must not replace the file at its path,
// or "" when there is no file or replacing it loses nothing.
func overwriteProblem(f *pending, manifest map[string]string) string {
	path := f.path()
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		return err.Error()
	}
	if !st.Mode().IsRegular() {
		return "not a regular file"
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	f.diskSum = hashOf(old)
	if bytes.Equal(old, f.Data) {
		return ""
	}
	if want, ok := manifest[f.Path]; ok {
		if f.diskSum == want {
			return ""
		}
		return "changed since envc wrote it"
	}
	if hasHeader(old) {
		return ""
	}
	return "not written by envc: it has no envc header and is not in " + ManifestName
}

// hasHeader reports whether data's first lines carry envc's generated
// header.
func hasHeader(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
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

// readManifest reads a manifest: rel path -> hash. A missing manifest is
// empty; lines that are not "HASH  PATH" are ignored.
func readManifest(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		hash, rel, ok := strings.Cut(line, "  ")
		if ok && len(hash) == 64 && rel != "" {
			m[rel] = hash
		}
	}
	return m, nil
}

// writeAll writes every file to a temporary file beside its target, then,
// when all are written, renames each into place. On a failure before the
// renames, no target is touched and the temporary files are removed.
func writeAll(files []pending) error {
	temps := make([]string, len(files))
	cleanup := func() {
		for _, t := range temps {
			if t != "" {
				os.Remove(t)
			}
		}
	}
	// The temporary files side by side (a streamed file has its own
	// already).
	errs := make([]error, len(files))
	parallel(len(files), func(i int) {
		if files[i].tmp != "" {
			temps[i] = files[i].tmp
			return
		}
		temps[i], errs[i] = writeTemp(files[i].path(), files[i].Data, files[i].Mode)
	})
	if err := errors.Join(errs...); err != nil {
		cleanup()
		return err
	}
	for i, f := range files {
		if err := os.Rename(temps[i], f.path()); err != nil {
			cleanup()
			return err
		}
	}
	return nil
}

// writeTemp writes data to a new temporary file in path's folder (made if
// needed) and returns its name.
func writeTemp(path string, data []byte, mode fs.FileMode) (string, error) {
	return writeTempWith(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeTempStream is writeTemp for a file that stream writes; it returns
// the temporary file, the SHA-256 (hex) of what was written (sum, when
// already known) and its size.
func writeTempStream(path string, stream func(io.Writer) error, sum string, mode fs.FileMode) (string, string, int64, error) {
	h := sha256.New()
	cw := &countWriter{}
	name, err := writeTempWith(path, mode, func(w io.Writer) error {
		cw.w = w
		if sum == "" {
			cw.w = io.MultiWriter(w, h)
		}
		return stream(cw)
	})
	if err != nil {
		return "", "", 0, err
	}
	if sum == "" {
		sum = hex.EncodeToString(h.Sum(nil))
	}
	return name, sum, cw.n, nil
}

// writeTempWith makes a new temporary file in path's folder (made if
// needed), has write fill it, gives it mode and returns its name; on a
// failure the file is removed.
func writeTempWith(path string, mode fs.FileMode, write func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	// No fsync: every output can be made again from the spec, and the
	// rename that puts it in place is atomic for its readers; syncing a
	// large llb.pb would cost more than writing it.
	werr := write(tmp)
	cerr := tmp.Close()
	if werr == nil {
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
