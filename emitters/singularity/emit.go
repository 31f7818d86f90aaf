package singularity

import (
	"fmt"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// FileName is the name of the definition file the emitter writes.
const FileName = "Singularity.def"

// StageDir is where %files puts the build context inside the image, for
// the copy steps in %post to install from; %post removes it at the end.
const StageDir = "/.envc-context"

// StageCopyDir is where "%files from STAGE" puts what a copy from a stage
// takes, one entry per step (StageCopyDir/N for step N), for %post to
// install at the step's place; %post removes it at the end.
const StageCopyDir = "/.envc-stages"

// New returns the Singularity/Apptainer emitter.
func New() emitters.Emitter { return emitter{} }

type emitter struct{}

func (emitter) Name() string      { return "singularity" }
func (emitter) Aliases() []string { return []string{"apptainer"} }
func (emitter) Summary() string {
	return "Singularity/Apptainer definition file (" + FileName + ")"
}

// section is one section of the file being written.
type section struct {
	name string // without "%"
	args string // after the name ("from build"), "" for none
	body string // lines, each ending in "\n"
}

// emission holds the state of one Emit call, or of one stage of it.
type emission struct {
	env *ir.Env
	// stage is the Stage: name of the build stage being written, "" for
	// a definition file of one stage.
	stage    string
	diags    hcl.Diagnostics
	sections []section
}

// Emit writes Singularity.def for env: a build stage per stage of env
// (Apptainer's multi-stage build), then the environment's own.
func (emitter) Emit(env *ir.Env, opts emitters.Options) (*emitters.Output, hcl.Diagnostics) {
	e := &emission{env: env}
	e.diags = append(e.diags, emitters.InsideFolder(env, StageDir, "in which %files stages the build context's files for %post, which removes it")...)
	e.diags = append(e.diags, emitters.InsideFolder(env, StageCopyDir, "in which %files from a stage puts what %post copies, which removes it")...)
	var b strings.Builder
	b.WriteString(emitters.Header("# ", env) +
		"# Build it in this folder (the %files sources are relative to it):\n" +
		"#   apptainer build " + env.Name + ".sif " + FileName + "\n")
	var parts []*emission
	for i, st := range env.Stages {
		se := &emission{env: st, stage: st.Name}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("# stage " + st.Name + ": a throwaway build; \"%files from " + st.Name + "\" takes files out of it\n")
		b.WriteString(se.header())
		se.emitPost(se.emitFiles())
		se.write(&b)
		e.diags = append(e.diags, se.diags...)
		parts = append(parts, se)
	}
	if len(env.Stages) > 0 {
		e.stage = finalStage(env)
		b.WriteString("\n# the environment\n")
	}
	b.WriteString(e.header())
	e.emitLabels()
	e.emitHelp()
	staged := e.emitFiles()
	e.emitPost(staged)
	e.emitEnvironment()
	e.emitRunscript()
	e.warnings(opts.BaseEnv)
	e.write(&b)
	parts = append(parts, e)
	data := []byte(b.String())
	e.selfCheck(data, parts)

	out := &emitters.Output{}
	out.Add(FileName, data, 0o644)
	return out, e.diags
}

// finalStage returns the Stage: name of the environment's own stage:
// "final", unless a stage of env has that name.
func finalStage(env *ir.Env) string {
	name := "final"
	for taken := true; taken; {
		taken = false
		for _, st := range env.Stages {
			if st.Name == name {
				name += "-image"
				taken = true
			}
		}
	}
	return name
}

// write writes e's sections to b.
func (e *emission) write(b *strings.Builder) {
	for _, s := range e.sections {
		head := "%" + s.name
		if s.args != "" {
			head += " " + s.args
		}
		b.WriteString("\n" + head + "\n" + s.body)
	}
}

// header returns the Bootstrap, From (and Stage) keywords.
func (e *emission) header() string {
	ref := e.env.Base.Ref
	switch {
	case ref == "" || strings.ContainsFunc(ref, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		e.diags = append(e.diags, emitters.Errorf(e.env.Base.Range, "Invalid base image", "The base image reference %q cannot be written after From: in a definition file: it is empty or holds white space or control characters.", ref))
	case strings.ContainsAny(ref, `#\`) || buildArgPattern().MatchString(ref):
		e.diags = append(e.diags, emitters.Errorf(e.env.Base.Range, "Invalid base image", "The base image reference %q cannot be written after From: in a definition file: \"#\" starts a comment there, a final \"\\\" continues the line, and \"{{ NAME }}\" is a build argument.", ref))
	}
	h := "Bootstrap: docker\n" + "From: " + ref + "\n"
	if e.stage != "" {
		if !plainComponent().MatchString(e.stage) {
			e.diags = append(e.diags, emitters.Errorf(e.env.DeclRange, "Stage name cannot be carried", "The stage name %q cannot follow Stage: in a definition file. Rename the stage.", e.stage))
		}
		h += "Stage: " + e.stage + "\n"
	}
	return h
}

// add appends a section; lines are joined with "\n" and end with one.
func (e *emission) add(name string, lines []string) {
	e.addArgs(name, "", lines)
}

// addArgs appends a section with arguments.
func (e *emission) addArgs(name, args string, lines []string) {
	if len(lines) == 0 {
		return
	}
	e.sections = append(e.sections, section{name: name, args: args, body: strings.Join(lines, "\n") + "\n"})
}

// warnings raises the rules for what Apptainer cannot express.
func (e *emission) warnings(baseEnv []string) {
	for _, r := range emitters.UnknownRefs(e.env, baseEnv) {
		e.diags = append(e.diags, emitters.RuleSingularityEnvRefRunTime.Warn(r.Var.Range, fmt.Sprintf("%s refers to ${%s}", r.Var.Name, r.Ref)))
	}
	for _, p := range e.env.Ports {
		e.diags = append(e.diags, emitters.RuleSingularityPortDeclared.Warn(p.Range, portText(p)))
	}
	for _, m := range e.env.Mounts {
		e.diags = append(e.diags, emitters.RuleSingularityMountRuntime.Warn(m.Range, bindFlag(m)))
	}
	if e.env.User != "" {
		e.diags = append(e.diags, emitters.RuleSingularityUserIgnored.Warn(e.env.UserRange, userText(e.env.User)))
	}
	if e.env.VM.Declared() {
		e.diags = append(e.diags, emitters.RuleSingularityVMIgnored.Warn(e.env.VM.Range))
	}
	if e.env.Init {
		e.diags = append(e.diags, emitters.RuleSingularityInitIgnored.Warn(e.env.InitRange))
	}
	if len(e.env.Platforms) > 0 {
		e.diags = append(e.diags, emitters.RuleSingularityPlatformsIgnored.Warn(e.env.PlatformsRange, strings.Join(e.env.Platforms, ", ")))
	}
	e.contractWarnings()
}

// selfCheck parses data back and demands the sections as written, so that
// nothing envc writes is misread by Apptainer (a value that slipped past
// the checks above is reported rather than built wrongly).
// parts are the emissions of the build stages, in file order.
func (e *emission) selfCheck(data []byte, parts []*emission) {
	if e.diags.HasErrors() {
		return
	}
	fail := func(why string) {
		e.diags = append(e.diags, emitters.Errorf(e.env.DeclRange, "Definition file does not read back", "envc wrote a definition file that Apptainer would read differently (%s). This is a bug in envc; please report it with the spec.", why))
	}
	defs, err := ParseAll(data)
	if err != nil {
		fail(err.Error())
		return
	}
	if len(defs) != len(parts) {
		fail(fmt.Sprintf("%d build stages instead of %d", len(defs), len(parts)))
		return
	}
	if args := BuildArgs(data); len(args) > 0 {
		fail("build arguments " + strings.Join(args, ", "))
		return
	}
	for j, part := range parts {
		if stage, _ := defs[j].Get("stage"); stage != part.stage {
			fail(fmt.Sprintf("stage %q instead of %q", stage, part.stage))
			return
		}
		got := defs[j].Sections
		if len(got) != len(part.sections) {
			fail(fmt.Sprintf("%d sections instead of %d", len(got), len(part.sections)))
			return
		}
		for i, s := range part.sections {
			want := s.body
			if i < len(part.sections)-1 || j < len(parts)-1 {
				want += "\n"
			}
			if got[i].Name != s.name || got[i].Args != s.args || !sameBody(got[i].Body, want, j < len(parts)-1 && i == len(part.sections)-1) {
				fail("section %" + s.name)
				return
			}
		}
	}
}

// sameBody compares a section's body as parsed with what was written; the
// last section of a stage before another also holds the comment lines that
// open the next stage.
func sameBody(got, want string, beforeStage bool) bool {
	if !beforeStage {
		return got == want
	}
	rest, ok := strings.CutPrefix(got, want)
	for _, l := range strings.Split(strings.TrimSuffix(rest, "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return ok
}

// userText names the run user in a warning: by name, or by its ids.
func userText(user string) string {
	uid, gid, hasGID, ok := ir.NumericUser(user)
	switch {
	case !ok:
		return fmt.Sprintf("%q", user)
	case hasGID:
		return fmt.Sprintf("with uid %d (and group %d)", uid, gid)
	}
	return fmt.Sprintf("with uid %d", uid)
}
