package buildkit

import (
	"fmt"
	"os"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// Shell argv prefixes for steps, as Docker's RUN shell form uses them.
var (
	shArgs   = []string{"/bin/sh", "-c"}
	bashArgs = []string{"/bin/bash", "-eo", "pipefail", "-c"}
)

// lowerSteps lowers env.Steps in order onto b.st.
func (b *builder) lowerSteps() {
	for i, s := range b.env.Steps {
		b.step = s.StepRange()
		if dirs := shell.CopyParents(b.env.Steps, i); dirs != nil {
			b.run(shell.ParentsCommand(dirs), "sh", "", "")
		}
		switch s := s.(type) {
		case *ir.InstallStep:
			b.run(shell.InstallOf(s, false), "sh", "", "")
		case *ir.UserStep:
			family := ""
			if b.env.Distro != nil {
				family = b.env.Distro.Family
			}
			b.run(shell.EnsureUserCommand(shell.UserOf(s), family), "sh", "", "")
		case *ir.RunStep:
			b.run(shell.StepCommand(s, nil), s.Shell, s.User, s.Workdir)
		case *ir.EnvStep:
			for _, v := range s.Vars {
				b.setEnv(v)
			}
		case *ir.CopyStep:
			b.copyFile(s)
		case *ir.WorkdirStep:
			b.mkdir(s)
		default:
			b.diags = append(b.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported step",
				Detail:   fmt.Sprintf("The llb target cannot lower a step of type %T.", s),
				Subject:  s.StepRange().Ptr(),
			})
		}
	}
}

// run adds an exec op running command with sh (or bash with errexit and
// pipefail), as user ("" = root) in dir ("" = "/"), with the env set so far
// (carried by the state, as dockerfile2llb does).
func (b *builder) run(command, sh, user, dir string) {
	args := append([]string(nil), shArgs...)
	if sh == "bash" {
		args = append([]string(nil), bashArgs...)
	}
	args = append(args, command)
	opts := []llb.RunOption{llb.Args(args)}
	if user != "" {
		opts = append(opts, llb.User(user))
	}
	if dir != "" {
		opts = append(opts, llb.Dir(dir))
	}
	opts = append(opts, llb.WithCustomName("RUN "+command), b.location())
	b.st = b.st.Run(opts...).Root()
}

// copyFile adds a file op copying the context file s.Source to s.Target,
// creating missing parents, with s.Mode and s.Owner. Unlike a Dockerfile
// COPY, the source is never a wildcard: it is a literal path.
//
// A copy from a stage reads the stage's state instead, as dockerfile2llb
// lowers COPY --from: a folder's contents land in the target, and without
// a mode the stage's modes are kept. Its custom name, "COPY --from=STAGE
// SRC DST", names the stage for ReadBack.
func (b *builder) copyFile(s *ir.CopyStep) {
	info := &llb.CopyInfo{
		FollowSymlinks:      true,
		CopyDirContentsOnly: true,
		CreateDestPath:      true,
	}
	if s.Stage == "" || s.Mode != 0 {
		info.Mode = &llb.ChmodOpt{Mode: os.FileMode(s.Mode)}
	}
	opts := []llb.CopyOption{info}
	if s.Owner != "" {
		opts = append(opts, llb.WithUser(s.Owner))
	}
	from, src, name := b.contextState(), "/"+s.Source, fmt.Sprintf("COPY %s %s", s.Source, s.Target)
	if s.Stage != "" {
		st, ok := b.stages[s.Stage]
		if !ok {
			b.diags = append(b.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown stage",
				Detail:   fmt.Sprintf("The llb target has no stage %q to copy from.", s.Stage),
				Subject:  s.Range.Ptr(),
			})
			return
		}
		from, src, name = st, s.Source, fmt.Sprintf("%s%s %s %s", CopyFromPrefix, s.Stage, s.Source, s.Target)
	}
	b.st = b.st.File(llb.Copy(from, src, s.Target, opts...), llb.WithCustomName(name), b.location())
}

// CopyFromPrefix starts the custom name of a copy from a stage.
const CopyFromPrefix = "COPY --from="

// mkdir adds a file op creating s.Path with its parents, owned by s.Owner,
// the way dockerfile2llb lowers WORKDIR after USER (nothing for "/").
func (b *builder) mkdir(s *ir.WorkdirStep) {
	if s.Path == "/" {
		return
	}
	opts := []llb.MkdirOption{llb.WithParents(true)}
	if s.Owner != "" {
		opts = append(opts, llb.WithUser(s.Owner))
	}
	b.st = b.st.File(llb.Mkdir(s.Path, 0o755, opts...), llb.WithCustomName("WORKDIR "+s.Path), b.location())
}

// ContextUniqueIDPrefix starts the stable ID (local.unique) of the local
// build context; the environment's name follows.
const ContextUniqueIDPrefix = "envc-"

// contextState returns the local build context, filtered to exactly the
// files the CopySteps read.
func (b *builder) contextState() llb.State {
	if b.context.st == nil {
		st := llb.Local(ContextName,
			llb.SharedKeyHint(ContextName),
			llb.IncludePatterns(includePatterns(b.context.env)),
			llb.WithCustomName("load build context"),
			// Without it, llb draws a random ID at every marshal.
			llb.LocalUniqueID(ContextUniqueIDPrefix+b.context.env.Name),
		)
		b.context.st = &st
	}
	return *b.context.st
}

// buildContext is the local build context the environment and its stages
// share, made on first use.
type buildContext struct {
	env *ir.Env // the environment (not a stage), whose name and copies it follows
	st  *llb.State
}

// location attaches the current step's spec range to an op when a source
// map was given (BuildOptions.SourceMap), and nothing otherwise: the graph
// that compile writes carries no source map.
func (b *builder) location() llb.ConstraintsOpt {
	sm := b.sourceMap
	r := b.step
	if sm == nil || r.Filename != sm.Filename {
		sm = nil // Location on a nil map adds nothing.
	}
	return sm.Location([]*pb.Range{{
		Start: &pb.Position{Line: int32(r.Start.Line), Character: int32(r.Start.Column)},
		End:   &pb.Position{Line: int32(r.End.Line), Character: int32(r.End.Column)},
	}})
}
