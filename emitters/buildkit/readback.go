package buildkit

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// Graph is an LLB definition read back into plain values. It is what
// llb.json holds.
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

// ReadBack decodes llb.pb (a marshalled pb.Definition) with llb.ReadFrom
// and returns its ops as plain values.
func ReadBack(data []byte) (*Graph, error) {
	def, err := llb.ReadFrom(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading LLB definition: %w", err)
	}
	if len(def.Def) == 0 {
		return nil, fmt.Errorf("reading LLB definition: no ops")
	}
	head, err := def.Head()
	if err != nil {
		return nil, fmt.Errorf("reading LLB definition: %w", err)
	}
	g := &Graph{Result: string(head)}
	for i, dt := range def.Def {
		var pop pb.Op
		if err := pop.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("reading LLB op %d: %w", i, err)
		}
		op := readOp(&pop)
		op.Digest = string(digest.FromBytes(dt))
		if md, ok := def.Metadata[digest.Digest(op.Digest)]; ok {
			op.Name = md.Description["llb.customname"]
			for c, on := range md.Caps {
				if on {
					op.Caps = append(op.Caps, string(c))
				}
			}
			sort.Strings(op.Caps)
		}
		g.Ops = append(g.Ops, op)
	}
	return g, nil
}

func readOp(pop *pb.Op) Op {
	var op Op
	if p := pop.GetPlatform(); p != nil {
		op.Platform = p.OS + "/" + p.Architecture
		if p.Variant != "" {
			op.Platform += "/" + p.Variant
		}
	}
	for _, in := range pop.GetInputs() {
		op.Inputs = append(op.Inputs, Input{Digest: in.Digest, Index: in.Index})
	}
	switch {
	case pop.GetSource() != nil:
		s := pop.GetSource()
		op.Kind = "source"
		op.Source = &Source{Identifier: s.Identifier}
		if len(s.Attrs) > 0 {
			op.Source.Attrs = make(map[string]string, len(s.Attrs))
			for k, v := range s.Attrs {
				op.Source.Attrs[k] = v
			}
		}
	case pop.GetExec() != nil:
		op.Kind = "exec"
		op.Exec = readExec(pop.GetExec())
	case pop.GetFile() != nil:
		op.Kind = "file"
		op.File = readFile(pop.GetFile())
	case pop.GetBuild() != nil:
		op.Kind = "build"
	case pop.GetMerge() != nil:
		op.Kind = "merge"
	case pop.GetDiff() != nil:
		op.Kind = "diff"
	default:
		op.Kind = "result"
	}
	return op
}

func readExec(e *pb.ExecOp) *Exec {
	x := &Exec{Mounts: []Mount{}}
	if m := e.GetMeta(); m != nil {
		x.Args = m.Args
		x.Env = m.Env
		x.Cwd = m.Cwd
		x.User = m.User
	}
	for _, m := range e.GetMounts() {
		x.Mounts = append(x.Mounts, Mount{
			Type:     strings.ToLower(m.MountType.String()),
			Input:    m.Input,
			Dest:     m.Dest,
			Selector: m.Selector,
			Output:   m.Output,
			Readonly: m.Readonly,
		})
	}
	return x
}

func readFile(f *pb.FileOp) *File {
	x := &File{Actions: []FileAction{}}
	for _, a := range f.GetActions() {
		fa := FileAction{Input: a.Input, SecondaryInput: a.SecondaryInput, Output: a.Output}
		switch {
		case a.GetCopy() != nil:
			c := a.GetCopy()
			mode := c.ModeStr
			if mode == "" {
				mode = modeString(c.Mode)
			}
			fa.Copy = &Copy{
				Src:                c.Src,
				Dest:               c.Dest,
				Mode:               mode,
				Owner:              ownerString(c.Owner),
				CreateDestPath:     c.CreateDestPath,
				FollowSymlink:      c.FollowSymlink,
				DirCopyContents:    c.DirCopyContents,
				AllowWildcard:      c.AllowWildcard,
				AllowEmptyWildcard: c.AllowEmptyWildcard,
				AttemptUnpack:      c.AttemptUnpackDockerCompatibility,
				IncludePatterns:    c.IncludePatterns,
				ExcludePatterns:    c.ExcludePatterns,
			}
		case a.GetMkdir() != nil:
			m := a.GetMkdir()
			fa.Mkdir = &Mkdir{Path: m.Path, Mode: modeString(m.Mode), MakeParents: m.MakeParents, Owner: ownerString(m.Owner)}
		case a.GetMkfile() != nil:
			m := a.GetMkfile()
			fa.Mkfile = &Mkfile{Path: m.Path, Mode: modeString(m.Mode), Owner: ownerString(m.Owner), Data: string(m.Data)}
		case a.GetRm() != nil:
			r := a.GetRm()
			fa.Rm = &Rm{Path: r.Path, AllowNotFound: r.AllowNotFound, AllowWildcard: r.AllowWildcard}
		case a.GetSymlink() != nil:
			s := a.GetSymlink()
			fa.Symlink = &Symlink{Oldpath: s.Oldpath, Newpath: s.Newpath, Owner: ownerString(s.Owner)}
		}
		x.Actions = append(x.Actions, fa)
	}
	return x
}

// modeString renders permission bits as 4-digit octal; a negative mode
// (keep the source's) is "".
func modeString(m int32) string {
	if m < 0 {
		return ""
	}
	s := strconv.FormatInt(int64(m), 8)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func ownerString(o *pb.ChownOpt) string {
	if o == nil {
		return ""
	}
	s := userString(o.User)
	if o.Group != nil {
		s += ":" + userString(o.Group)
	}
	return s
}

func userString(u *pb.UserOpt) string {
	if u == nil {
		return ""
	}
	if n := u.GetByName(); n != nil {
		return n.Name
	}
	return strconv.FormatUint(uint64(u.GetByID()), 10)
}
