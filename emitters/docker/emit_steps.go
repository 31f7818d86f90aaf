package docker

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/hashicorp/hcl/v2"
)

// Shell argv prefixes of RUN's exec form, as the shell form and the bash
// steps of the other targets run a command.
var (
	shArgs   = []string{"/bin/sh", "-c"}
	bashArgs = []string{"/bin/bash", "-eo", "pipefail", "-c"}
)

// emitSteps writes env.Steps in order. A run of env steps that give
// variables values on some platforms alone ends the environment's stage
// there (splitPlatforms, or branchPlatforms for variables of the build
// alone): only the environment has them, not its stages.
func (w *dfWriter) emitSteps() {
	steps := w.env.Steps
	for i := 0; i < len(steps); i++ {
		if es, ok := steps[i].(*ir.EnvStep); ok && es.Platforms != nil {
			j, buildOnly := i, false
			for ; j < len(steps); j++ {
				es, ok := steps[j].(*ir.EnvStep)
				if !ok || es.Platforms == nil {
					break
				}
				buildOnly = buildOnly || es.BuildOnly
			}
			if buildOnly {
				w.branchPlatforms(steps[i:])
				return
			}
			w.splitPlatforms(steps[i:j], steps[j:])
			i = j - 1
			continue
		}
		w.emitStep(steps, i)
	}
	if w.env == w.e.env {
		w.emitRuntime()
	}
}

// emitStep writes steps[i].
func (w *dfWriter) emitStep(steps []ir.Step, i int) {
	env := w.env
	s := steps[i]
	if dirs := shell.CopyParents(steps, i); dirs != nil {
		w.asRoot(s.StepRange())
		w.run(shell.ParentsCommand(dirs), "sh", s.StepRange())
	}
	switch s := s.(type) {
	case *ir.InstallStep:
		w.asRoot(s.Range)
		w.run(w.guard(s, shell.InstallOf(s, false)), "sh", s.Range)
	case *ir.UserStep:
		if !w.e.checkValue(s.Name, s.Range, "user name", false) {
			return
		}
		w.asRoot(s.Range)
		w.run(shell.EnsureUserCommand(shell.UserOf(s), env.Family()), "sh", s.Range)
	case *ir.RunStep:
		w.emitRun(s)
	case *ir.EnvStep:
		w.scope.set(s)
		if s.BuildOnly {
			w.emitArgs(s.Vars)
			break
		}
		w.emitEnv(s.Vars)
	case *ir.CopyStep:
		w.emitCopy(s)
	case *ir.WorkdirStep:
		owner := s.Owner
		if owner == "" {
			owner = "root"
		}
		w.setUser(owner, s.Range)
		w.dir = "" // a workdir step writes its WORKDIR even to the current directory
		w.setDir(s.Path, s.Range)
	default:
		w.e.diags = append(w.e.diags, emitters.Errorf(s.StepRange(), "Unsupported step", "The docker target cannot lower a step of type %T.", s))
	}
}

// asRoot switches to root, and back to "/" when a step left another
// directory: the commands envc itself runs (installs, users, folders) run
// as root in "/", as in the other targets.
func (w *dfWriter) asRoot(rng hcl.Range) {
	w.setUser("root", rng)
	if w.dir != "" && w.dir != "/" {
		w.setDir("/", rng)
	}
}

// emitRun writes a run step: USER and WORKDIR switched to the step's (root
// and "/" when unset; USER first, so that a directory WORKDIR creates
// belongs to the step's user), then RUN.
func (w *dfWriter) emitRun(s *ir.RunStep) {
	user, dir := s.User, s.Workdir
	if user == "" {
		user = "root"
	}
	if dir == "" {
		dir = "/"
	}
	w.setUser(user, s.Range)
	w.setDir(dir, s.Range)
	w.run(w.guard(s, shell.StepCommand(s, nil)), s.Shell, s.Range)
}

// guard returns the command of s, a step that runs one, for the
// platforms s is for: after shell.PlatformGuard, which ends the RUN
// unless BuildKit builds for one of them, so that one Dockerfile builds
// every platform. The stage declares ARG TARGETPLATFORM before the first
// such RUN (without it, the RUN would not see the platform).
func (w *dfWriter) guard(s ir.Step, cmd string) string {
	ps := s.StepPlatforms()
	if ps == nil {
		return cmd
	}
	if !w.platformArg {
		w.platformArg = true
		w.add("ARG", shell.PlatformArg)
		w.want.Args = SetAll(w.want.Args, []KeyValue{{shell.PlatformArg, ""}})
	}
	return shell.PlatformGuard(ps) + "; " + cmd
}

// run writes `RUN command` in shell form when the parser reads it back
// verbatim, otherwise in exec form with the same shell: a multi-line
// command, a bash command, or one the parser would alter (a CR, white
// space at either end, a final backslash, "<<" that the Dockerfile
// frontend would take for a heredoc, a leading "[" or "--").
func (w *dfWriter) run(command, sh string, rng hcl.Range) {
	if strings.IndexByte(command, 0) >= 0 {
		w.e.diags = append(w.e.diags, emitters.Errorf(rng, "Value cannot be carried", "The command contains a NUL byte, which no process argument can carry. Remove it."))
		return
	}
	args := append(append([]string(nil), shArgs...), command)
	if sh == "bash" {
		args = append(append([]string(nil), bashArgs...), command)
	}
	if sh != "bash" && shellFormOK(command) {
		w.add("RUN", command)
	} else {
		w.add("RUN", jsonArray(args))
	}
	if w.e.full != nil {
		w.op(Op{Kind: OpRun, Args: args, Env: w.visible()})
	}
}

// shellFormOK reports whether `RUN command` reads back as command.
func shellFormOK(command string) bool {
	return command != "" &&
		!strings.ContainsAny(command, "\n\r") &&
		strings.TrimFunc(command, unicode.IsSpace) == command &&
		!strings.HasSuffix(command, `\`) &&
		!strings.Contains(command, "<<") &&
		!strings.HasPrefix(command, "[") &&
		!strings.HasPrefix(command, "--")
}

// visible returns the variables a RUN, or a value being expanded, sees
// now: those of the ARGs, then those of the ENVs (as dockerread.ReadDockerfile
// reads them).
func (w *dfWriter) visible() []KeyValue { return SetAll(SetAll(nil, w.want.Args), w.want.Env) }

// expanded returns value as the builder expands it against the variables
// visible now, for the full self-check's model; without that check (see
// SetFullSelfCheck) nothing reads it, and it is "".
func (w *dfWriter) expanded(value ir.Word) string {
	if w.e.full == nil {
		return ""
	}
	env := w.visible()
	return value.Expand(func(name string) string {
		for _, kv := range env {
			if kv.Key == name {
				return kv.Value
			}
		}
		return ""
	})
}

// emitArgs writes an ARG instruction for each of vars, in order: the
// variables of the build alone, which every later RUN sees and the image
// does not keep. BuildKit expands each ARG's value before the next.
func (w *dfWriter) emitArgs(vars []ir.EnvVar) {
	for _, v := range vars {
		if !w.checkVar(v, "ARG") {
			continue
		}
		w.add("ARG", v.Name+"="+envValue(v.Value))
		set := []KeyValue{{v.Name, w.expanded(v.Value)}}
		w.op(Op{Kind: OpArg, Env: set})
		w.want.Args = SetAll(w.want.Args, set)
	}
}

// checkVar reports a variable that the instruction instr cannot set: a
// name it cannot carry, or a value with a literal it cannot.
func (w *dfWriter) checkVar(v ir.EnvVar, instr string) bool {
	if !ir.ValidName(v.Name) {
		w.e.diags = append(w.e.diags, emitters.Errorf(v.Range, "Invalid variable name", "The variable name %q cannot be set by a Dockerfile "+instr+".", v.Name))
		return false
	}
	ok := true
	for _, p := range v.Value {
		ok = w.e.checkValue(p.Lit, v.Range, fmt.Sprintf("value of %s", v.Name), false) && ok
	}
	return ok
}

// emitEnv writes ENV instructions setting vars in order. The builder
// expands every value of one ENV instruction before setting any, so a
// variable that refers to one set earlier in the same step starts a new
// instruction.
func (w *dfWriter) emitEnv(vars []ir.EnvVar) {
	var entries []string
	var set []KeyValue
	inGroup := map[string]bool{}
	flush := func() {
		if len(entries) == 0 {
			return
		}
		w.add("ENV", entries...)
		w.op(Op{Kind: OpEnv, Env: set})
		w.want.Env = SetAll(w.want.Env, set)
		entries, set, inGroup = nil, nil, map[string]bool{}
	}
	for _, v := range vars {
		if !w.checkVar(v, "ENV") {
			continue
		}
		refersToGroup := inGroup[v.Name]
		for _, p := range v.Value {
			if p.Ref != "" && inGroup[p.Ref] {
				refersToGroup = true
			}
		}
		if refersToGroup {
			flush()
		}
		entries = append(entries, v.Name+"="+envValue(v.Value))
		set = append(set, KeyValue{v.Name, w.expanded(v.Value)})
		inGroup[v.Name] = true
	}
	flush()
}

// emitCopy writes `COPY [--from=STAGE] --chmod=MODE [--chown=OWNER] SRC
// DST`, in JSON form when a path is not plain (no --chmod for a copy from
// a stage that keeps the stage's modes, nor for a folder of the build
// context, whose files keep theirs). COPY ignores USER: without --chown
// the file belongs to root.
func (w *dfWriter) emitCopy(s *ir.CopyStep) {
	okSrc := w.e.checkValue(s.Source, s.Range, "file source", false)
	okDst := w.e.checkValue(s.Target, s.Range, "file target", false)
	if !okSrc || !okDst {
		return
	}
	if s.Stage != "" && !ir.ValidStageName(s.Stage) {
		return // reported at the stage's FROM
	}
	if strings.ContainsAny(s.Source, `*?[\`) {
		w.e.diags = append(w.e.diags, emitters.Errorf(s.Range, "File name cannot be copied",
			"The build context file %q has a name with \"*\", \"?\", \"[\" or \"\\\", which a Dockerfile COPY takes for a wildcard pattern with no way to escape it. Rename the file.", s.Source))
		return
	}
	if s.Source == "" || s.Target == "" || strings.HasPrefix(s.Source, "<<") {
		w.e.diags = append(w.e.diags, emitters.Errorf(s.Range, "File cannot be copied", "A Dockerfile COPY needs a plain source and target path."))
		return
	}
	if s.Mode > 0o7777 {
		w.e.diags = append(w.e.diags, emitters.Errorf(s.Range, "Invalid file mode", "The mode %o is not a permission mode.", s.Mode))
		return
	}
	mode := fmt.Sprintf("%03o", s.Mode)
	flags := "--chmod=" + mode
	if s.Files != nil {
		mode, flags = "", "" // a folder: each file keeps its mode
	}
	if s.Stage != "" {
		flags = "--from=" + s.Stage + " " + flags
		if s.Mode == 0 {
			mode, flags = "", "--from="+s.Stage
		}
	}
	if s.Owner != "" {
		if !isASCIIPrint(s.Owner) {
			w.e.diags = append(w.e.diags, emitters.Errorf(s.Range, "Owner cannot be carried",
				"The owner %q cannot be written in a COPY --chown flag, which Docker reads byte by byte: use an ASCII user name.", s.Owner))
			return
		}
		flags = strings.TrimPrefix(flags+" --chown="+flagEscape(lexEscape(s.Owner)), " ")
	}
	if flags != "" {
		flags += " "
	}
	if isPlain(s.Source) && isPlain(s.Target) {
		w.add("COPY", flags+s.Source+" "+s.Target)
	} else {
		w.add("COPY", flags+jsonArray([]string{jsonWord(s.Source), jsonWord(s.Target)}))
	}
	w.op(Op{Kind: OpCopy, From: s.Stage, Source: s.Source, Dest: s.Target, Chmod: mode, Chown: s.Owner})
}
