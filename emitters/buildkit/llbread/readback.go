package llbread

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// ReadBack decodes llb.pb (a marshalled pb.Definition) with BuildKit's
// generated protobuf code and returns its ops as plain values.
func ReadBack(data []byte) (*buildkit.Graph, error) {
	var def pb.Definition
	if err := def.UnmarshalVT(data); err != nil {
		return nil, fmt.Errorf("reading LLB definition: %w", err)
	}
	if len(def.Def) == 0 {
		return nil, fmt.Errorf("reading LLB definition: no ops")
	}
	// The head: the terminal op's one input.
	var last pb.Op
	if err := last.UnmarshalVT(def.Def[len(def.Def)-1]); err != nil {
		return nil, fmt.Errorf("reading LLB definition: %w", err)
	}
	if len(last.Inputs) == 0 {
		return nil, fmt.Errorf("reading LLB definition: the last op has no input")
	}
	g := &buildkit.Graph{Result: last.Inputs[0].Digest}
	for i, dt := range def.Def {
		var pop pb.Op
		if err := pop.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("reading LLB op %d: %w", i, err)
		}
		op := readOp(&pop)
		op.Digest = string(digest.FromBytes(dt))
		if md, ok := def.Metadata[op.Digest]; ok {
			op.Name = md.Description["llb.customname"]
			for c, on := range md.Caps {
				if on {
					op.Caps = append(op.Caps, c)
				}
			}
			sort.Strings(op.Caps)
		}
		g.Ops = append(g.Ops, op)
	}
	return g, nil
}

func readOp(pop *pb.Op) buildkit.Op {
	var op buildkit.Op
	if p := pop.GetPlatform(); p != nil {
		op.Platform = p.OS + "/" + p.Architecture
		if p.Variant != "" {
			op.Platform += "/" + p.Variant
		}
	}
	for _, in := range pop.GetInputs() {
		op.Inputs = append(op.Inputs, buildkit.Input{Digest: in.Digest, Index: in.Index})
	}
	switch {
	case pop.GetSource() != nil:
		s := pop.GetSource()
		op.Kind = "source"
		op.Source = &buildkit.Source{Identifier: s.Identifier}
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

func readExec(e *pb.ExecOp) *buildkit.Exec {
	x := &buildkit.Exec{Mounts: []buildkit.Mount{}}
	if m := e.GetMeta(); m != nil {
		x.Args = m.Args
		x.Env = m.Env
		x.Cwd = m.Cwd
		x.User = m.User
	}
	for _, m := range e.GetMounts() {
		x.Mounts = append(x.Mounts, buildkit.Mount{
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

func readFile(f *pb.FileOp) *buildkit.File {
	x := &buildkit.File{Actions: []buildkit.FileAction{}}
	for _, a := range f.GetActions() {
		fa := buildkit.FileAction{Input: a.Input, SecondaryInput: a.SecondaryInput, Output: a.Output}
		switch {
		case a.GetCopy() != nil:
			c := a.GetCopy()
			mode := c.ModeStr
			if mode == "" {
				mode = buildkit.ModeString(c.Mode)
			}
			fa.Copy = &buildkit.Copy{
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
			fa.Mkdir = &buildkit.Mkdir{Path: m.Path, Mode: buildkit.ModeString(m.Mode), MakeParents: m.MakeParents, Owner: ownerString(m.Owner)}
		case a.GetMkfile() != nil:
			m := a.GetMkfile()
			fa.Mkfile = &buildkit.Mkfile{Path: m.Path, Mode: buildkit.ModeString(m.Mode), Owner: ownerString(m.Owner), Data: string(m.Data)}
		case a.GetRm() != nil:
			r := a.GetRm()
			fa.Rm = &buildkit.Rm{Path: r.Path, AllowNotFound: r.AllowNotFound, AllowWildcard: r.AllowWildcard}
		case a.GetSymlink() != nil:
			s := a.GetSymlink()
			fa.Symlink = &buildkit.Symlink{Oldpath: s.Oldpath, Newpath: s.Newpath, Owner: ownerString(s.Owner)}
		}
		x.Actions = append(x.Actions, fa)
	}
	return x
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
