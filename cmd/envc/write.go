package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// writeOutputs writes every environment's files under root/<env>/, each
// atomically (a temporary file renamed into place), and copies the build
// context files beside them.
func writeOutputs(root string, results []emitted) error {
	for _, r := range results {
		dir := filepath.Join(root, r.env.Name)
		for _, f := range r.files {
			if err := writeAtomic(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data, f.Mode); err != nil {
				return err
			}
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
			if err := writeAtomic(filepath.Join(dir, filepath.FromSlash(cf.ContextPath)), data, st.Mode().Perm()); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, mode)
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
	}
	return werr
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
			_, err := w.Write(f.Data)
			return err
		}
	}
	return fmt.Errorf("no output")
}
