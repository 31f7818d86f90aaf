package buildkit

import "strconv"

// Graph is an LLB definition as plain values: what llb.json holds, and
// what package llbread reads llb.pb back into.
type Graph struct {
	// Result is the digest of the final vertex: what `buildctl build`
	// builds.
	Result string `json:"result"`
	// Ops are every op of the definition, in definition order (inputs
	// before the ops that use them); the last one has Kind "result".
	Ops []Op `json:"ops"`
}

// Op is one LLB op. Exactly one of Source, Exec and File is set, matching
// Kind, except for the kinds envc never emits ("build", "merge", "diff")
// and "result" (the terminal op pointing at the final vertex).
type Op struct {
	// Digest is the op's digest: the sha256 of its marshalled bytes.
	Digest string `json:"digest"`
	Kind   string `json:"kind"`
	// Name is the op's custom name (llb.customname), shown in progress
	// output.
	Name string `json:"name,omitempty"`
	// Platform is os/arch[/variant].
	Platform string   `json:"platform,omitempty"`
	Inputs   []Input  `json:"inputs,omitempty"`
	Source   *Source  `json:"source,omitempty"`
	Exec     *Exec    `json:"exec,omitempty"`
	File     *File    `json:"file,omitempty"`
	Caps     []string `json:"caps,omitempty"`
}

// Input is one input of an op: output Index of the op Digest.
type Input struct {
	Digest string `json:"digest"`
	Index  int64  `json:"index"`
}

// Source is a source op, e.g. docker-image://... or local://context.
type Source struct {
	Identifier string            `json:"identifier"`
	Attrs      map[string]string `json:"attrs,omitempty"`
}

// Exec is an exec op.
type Exec struct {
	Args []string `json:"args"`
	Env  []string `json:"env,omitempty"`
	// EnvAs is set in llb.json only: the digest of the previous exec op
	// (in definition order), whose env this op's env repeats. Env is then
	// left out, so that a long env is written once, not at every step.
	EnvAs  string  `json:"envAs,omitempty"`
	Cwd    string  `json:"cwd,omitempty"`
	User   string  `json:"user,omitempty"`
	Mounts []Mount `json:"mounts"`
}

// Mount is one mount of an exec op. Input -1 is an empty (scratch) mount.
type Mount struct {
	Type     string `json:"type"`
	Input    int64  `json:"input"`
	Dest     string `json:"dest"`
	Selector string `json:"selector,omitempty"`
	Output   int64  `json:"output"`
	Readonly bool   `json:"readonly,omitempty"`
}

// File is a file op: its actions in order.
type File struct {
	Actions []FileAction `json:"actions"`
}

// FileAction is one action of a file op. Input and SecondaryInput index the
// op's inputs, or (from len(inputs) on) earlier actions' results; -1 is
// scratch. Exactly one of the action kinds is set.
type FileAction struct {
	Input          int64    `json:"input"`
	SecondaryInput int64    `json:"secondaryInput"`
	Output         int64    `json:"output"`
	Copy           *Copy    `json:"copy,omitempty"`
	Mkdir          *Mkdir   `json:"mkdir,omitempty"`
	Mkfile         *Mkfile  `json:"mkfile,omitempty"`
	Rm             *Rm      `json:"rm,omitempty"`
	Symlink        *Symlink `json:"symlink,omitempty"`
}

// Copy copies Src (in the secondary input) to Dest (in the input).
type Copy struct {
	Src  string `json:"src"`
	Dest string `json:"dest"`
	// Mode is octal ("0644"), or empty when the source's mode is kept.
	Mode string `json:"mode,omitempty"`
	// Owner is "user" or "user:group", by name or numeric ID; empty means
	// root.
	Owner              string   `json:"owner,omitempty"`
	CreateDestPath     bool     `json:"createDestPath,omitempty"`
	FollowSymlink      bool     `json:"followSymlink,omitempty"`
	DirCopyContents    bool     `json:"dirCopyContents,omitempty"`
	AllowWildcard      bool     `json:"allowWildcard,omitempty"`
	AllowEmptyWildcard bool     `json:"allowEmptyWildcard,omitempty"`
	AttemptUnpack      bool     `json:"attemptUnpack,omitempty"`
	IncludePatterns    []string `json:"includePatterns,omitempty"`
	ExcludePatterns    []string `json:"excludePatterns,omitempty"`
}

// Mkdir creates a directory.
type Mkdir struct {
	Path        string `json:"path"`
	Mode        string `json:"mode"`
	MakeParents bool   `json:"makeParents,omitempty"`
	Owner       string `json:"owner,omitempty"`
}

// Mkfile creates a file with Data.
type Mkfile struct {
	Path  string `json:"path"`
	Mode  string `json:"mode"`
	Owner string `json:"owner,omitempty"`
	Data  string `json:"data"`
}

// Rm removes a path.
type Rm struct {
	Path          string `json:"path"`
	AllowNotFound bool   `json:"allowNotFound,omitempty"`
	AllowWildcard bool   `json:"allowWildcard,omitempty"`
}

// Symlink creates a symbolic link.
type Symlink struct {
	Oldpath string `json:"oldpath"`
	Newpath string `json:"newpath"`
	Owner   string `json:"owner,omitempty"`
}

// ModeString renders permission bits as 4-digit octal; a negative mode
// (keep the source's) is "".
func ModeString(m int32) string {
	if m < 0 {
		return ""
	}
	s := strconv.FormatInt(int64(m), 8)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
