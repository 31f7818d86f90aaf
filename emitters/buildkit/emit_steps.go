package buildkit

import (
	"fmt"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/hashicorp/hcl/v2"
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
			b.run(shell.EnsureUserCommand(shell.UserOf(s), b.env.Family()), "sh", "", "")
		case *ir.RunStep:
			b.run(shell.StepCommand(s, nil), s.Shell, s.User, s.Workdir)
		case *ir.EnvStep:
			for _, v := range s.Vars {
				b.setEnv(v, s.BuildOnly)
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
	b.st = execVertex(b.st, b.platform, args, b.vars.execEnv(), dir, user, "RUN "+command, b.location())
}

// copyFile adds a file op copying the context file s.Source to s.Target,
// creating missing parents, with s.Mode and s.Owner. Unlike a Dockerfile
// COPY, the source is never a wildcard: it is a literal path.
//
// A copy from a stage reads the stage's state instead, as dockerfile2llb
// lowers COPY --from: a folder's contents land in the target, and without
// a mode the stage's modes are kept. Its custom name, "COPY --from=STAGE
// SRC DST", names the stage for the read-back.
func (b *builder) copyFile(s *ir.CopyStep) {
	c := &copyAction{
		src:             "/" + s.Source,
		dest:            s.Target,
		owner:           parseChown(s.Owner),
		mode:            int32(s.Mode),
		followSymlink:   true,
		dirCopyContents: true,
		createDestPath:  true,
	}
	if s.Stage != "" && s.Mode == 0 || s.Files != nil {
		c.mode = -1 // the stage's modes, or a context folder's files'
	}
	from, name := b.contextState(), fmt.Sprintf("COPY %s %s", s.Source, s.Target)
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
		from, c.src, name = st, s.Source, fmt.Sprintf("%s%s %s %s", CopyFromPrefix, s.Stage, s.Source, s.Target)
	}
	b.st = copyVertex(b.st, from, c, name, b.location())
}

// CopyFromPrefix starts the custom name of a copy from a stage.
const CopyFromPrefix = "COPY --from="

// mkdir adds a file op creating s.Path with its parents, owned by s.Owner,
// the way dockerfile2llb lowers WORKDIR after USER (nothing for "/").
func (b *builder) mkdir(s *ir.WorkdirStep) {
	if s.Path == "/" {
		return
	}
	m := &mkdirAction{path: s.Path, mode: 0o755, makeParents: true, owner: parseChown(s.Owner)}
	b.st = mkdirVertex(b.st, m, "WORKDIR "+s.Path, b.location())
}

// ContextUniqueIDPrefix starts the stable ID (local.unique) of the local
// build context; the environment's name follows.
const ContextUniqueIDPrefix = "envc-"

// contextState returns the local build context, filtered to exactly the
// files the CopySteps read.
func (b *builder) contextState() *vertex {
	if b.context.st == nil {
		// A fixed unique ID: without one, BuildKit's client draws a random
		// ID at every marshal.
		b.context.st = localSource(ContextName, ContextName, includePatterns(b.context.env),
			ContextUniqueIDPrefix+b.context.env.Name, "load build context")
	}
	return b.context.st
}

// buildContext is the local build context the environment and its stages
// share, made on first use.
type buildContext struct {
	env *ir.Env // the environment (not a stage), whose name and copies it follows
	st  *vertex
}

// location is the current step's spec range, which an op made from it
// carries into a build's source map.
func (b *builder) location() *hcl.Range {
	r := b.step
	return &r
}
