package buildkit

import (
	"fmt"
	"strings"
)

// Recipe is a graph seen as a build: the base image, then every step that
// changed the root filesystem, in order. It is the form equivalence checks
// compare with the other targets.
type Recipe struct {
	// Image is the base image reference, e.g.
	// "docker.io/library/ubuntu:20.04".
	Image string
	// Platform is the base image's platform, os/arch[/variant].
	Platform string
	Steps    []RecipeStep
}

// RecipeStep is one exec op or file action on the root filesystem.
type RecipeStep struct {
	// Kind is "exec", "copy", "mkdir", "mkfile", "rm" or "symlink".
	Kind string
	// Name is the op's custom name.
	Name string

	// Args, Env, Cwd and User are an exec's ("" Cwd means "/", "" User
	// means root).
	Args []string
	Env  []string
	Cwd  string
	User string

	// Context is the local source a copy reads ("" when it reads another
	// state); State is the digest of the state it reads otherwise (a
	// stage's result); Src is the path in it.
	Context string
	State   string
	Src     string
	// Dest is a copy's destination, Path a mkdir's, mkfile's or rm's path
	// (a symlink's new path).
	Dest string
	Path string
	// Mode is octal, "" when not set; Owner as in Copy.Owner.
	Mode    string
	Owner   string
	Parents bool
}

// Recipe walks the root filesystem chain from g.Result back to its source
// image and returns it in build order. It fails on a graph envc would not
// write (a merge, a root filesystem that is not an image, ...).
func (g *Graph) Recipe() (*Recipe, error) {
	return g.RecipeOf(g.Result)
}

// RecipeOf is Recipe for the state whose last op is result (a stage's,
// for the copies that read it).
func (g *Graph) RecipeOf(result string) (*Recipe, error) {
	byDigest := make(map[string]*Op, len(g.Ops))
	for i := range g.Ops {
		byDigest[g.Ops[i].Digest] = &g.Ops[i]
	}
	var steps []RecipeStep // in reverse order
	cur := result
	for guard := 0; guard <= len(g.Ops); guard++ {
		op, ok := byDigest[cur]
		if !ok {
			return nil, fmt.Errorf("op %s is missing from the definition", cur)
		}
		switch op.Kind {
		case "source":
			img, ok := strings.CutPrefix(op.Source.Identifier, "docker-image://")
			if !ok {
				return nil, fmt.Errorf("the root filesystem starts from %q, not an image", op.Source.Identifier)
			}
			for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
				steps[i], steps[j] = steps[j], steps[i]
			}
			return &Recipe{Image: img, Platform: op.Platform, Steps: steps}, nil
		case "exec":
			root := -1
			for i, m := range op.Exec.Mounts {
				if m.Dest == "/" {
					root = i
				}
			}
			if root < 0 || op.Exec.Mounts[root].Input < 0 || int(op.Exec.Mounts[root].Input) >= len(op.Inputs) {
				return nil, fmt.Errorf("exec op %s has no root mount on an input", op.Digest)
			}
			steps = append(steps, RecipeStep{
				Kind: "exec", Name: op.Name,
				Args: op.Exec.Args, Env: op.Exec.Env, Cwd: op.Exec.Cwd, User: op.Exec.User,
			})
			cur = op.Inputs[op.Exec.Mounts[root].Input].Digest
		case "file":
			fileSteps, next, err := fileChain(op, byDigest)
			if err != nil {
				return nil, err
			}
			steps = append(steps, fileSteps...)
			cur = next
		default:
			return nil, fmt.Errorf("op %s is a %s op, which envc does not write", op.Digest, op.Kind)
		}
	}
	return nil, fmt.Errorf("the definition has a cycle")
}

// fileChain returns the actions that produce op's output 0, last first,
// and the digest of the input they start from.
func fileChain(op *Op, byDigest map[string]*Op) ([]RecipeStep, string, error) {
	nIn := int64(len(op.Inputs))
	var act *FileAction
	for i := range op.File.Actions {
		if op.File.Actions[i].Output == 0 {
			act = &op.File.Actions[i]
		}
	}
	var steps []RecipeStep
	for guard := 0; act != nil && guard <= len(op.File.Actions); guard++ {
		s := RecipeStep{Name: op.Name}
		switch {
		case act.Copy != nil:
			s.Kind, s.Src, s.Dest, s.Mode, s.Owner = "copy", act.Copy.Src, act.Copy.Dest, act.Copy.Mode, act.Copy.Owner
			if act.SecondaryInput >= 0 && act.SecondaryInput < nIn {
				src := byDigest[op.Inputs[act.SecondaryInput].Digest]
				switch {
				case src == nil:
				case src.Kind == "source" && strings.HasPrefix(src.Source.Identifier, "local://"):
					s.Context, _ = strings.CutPrefix(src.Source.Identifier, "local://")
				default:
					s.State = src.Digest // a stage's result (its image alone for a stage with no steps)
				}
			}
		case act.Mkdir != nil:
			s.Kind, s.Path, s.Mode, s.Owner, s.Parents = "mkdir", act.Mkdir.Path, act.Mkdir.Mode, act.Mkdir.Owner, act.Mkdir.MakeParents
		case act.Mkfile != nil:
			s.Kind, s.Path, s.Mode, s.Owner = "mkfile", act.Mkfile.Path, act.Mkfile.Mode, act.Mkfile.Owner
		case act.Rm != nil:
			s.Kind, s.Path = "rm", act.Rm.Path
		case act.Symlink != nil:
			s.Kind, s.Path, s.Src, s.Owner = "symlink", act.Symlink.Newpath, act.Symlink.Oldpath, act.Symlink.Owner
		default:
			return nil, "", fmt.Errorf("file op %s has an empty action", op.Digest)
		}
		steps = append(steps, s)
		switch {
		case act.Input < 0:
			return nil, "", fmt.Errorf("file op %s starts from scratch, not from an image", op.Digest)
		case act.Input < nIn:
			return steps, op.Inputs[act.Input].Digest, nil
		case act.Input-nIn < int64(len(op.File.Actions)):
			act = &op.File.Actions[act.Input-nIn]
		default:
			act = nil
		}
	}
	return nil, "", fmt.Errorf("file op %s has a broken action chain", op.Digest)
}
