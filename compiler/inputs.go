package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Inputs records what a compilation read from the file system, so that
// its caller knows the complete set of files the result depends on (envc
// compile's up-to-date check). A nil *Inputs records nothing. It is safe
// for concurrent use.
type Inputs struct {
	mu sync.Mutex
	m  map[string]*Input
}

// Input is one path a compilation looked at.
type Input struct {
	// Path is the path as it was opened (cleaned), relative to the
	// working directory unless absolute.
	Path string
	// Kind says what was read: its content (InputFile), its listing
	// (InputDir), or only whether it exists and what it is (InputStat).
	Kind InputKind
	// Sum is the SHA-256 (hex) of the bytes read (InputFile) or of the
	// listing, one name a line in the order read (InputDir); "" for
	// InputStat.
	Sum string
}

// InputKind is how a compilation used a path.
type InputKind int

// The kinds of Input, in rising order of what was read: a path read
// twice keeps its highest kind.
const (
	InputStat InputKind = iota
	InputDir
	InputFile
)

func (in *Inputs) add(path string, kind InputKind, sum string) {
	if in == nil {
		return
	}
	path = filepath.Clean(path)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.m == nil {
		in.m = map[string]*Input{}
	}
	if prev := in.m[path]; prev != nil && prev.Kind > kind {
		return
	}
	in.m[path] = &Input{Path: path, Kind: kind, Sum: sum}
}

// File records that the file at path was read, giving data.
func (in *Inputs) File(path string, data []byte) {
	if in == nil {
		return
	}
	h := sha256.Sum256(data)
	in.add(path, InputFile, hex.EncodeToString(h[:]))
}

// Dir records that the folder at path was listed, giving names.
func (in *Inputs) Dir(path string, names []string) {
	if in == nil {
		return
	}
	in.add(path, InputDir, ListingSum(names))
}

// Stat records that path was looked at (whether it exists, what it is,
// its mode) without reading it.
func (in *Inputs) Stat(path string) { in.add(path, InputStat, "") }

// List returns what was recorded, by path.
func (in *Inputs) List() []Input {
	if in == nil {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Input, 0, len(in.m))
	for _, i := range in.m {
		out = append(out, *i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Path < out[b].Path })
	return out
}

// ListingSum is the Sum of a folder listing names (Inputs.Dir).
func ListingSum(names []string) string {
	h := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(h[:])
}
