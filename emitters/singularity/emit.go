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
	body string // lines, each ending in "\n"
}

// emission holds the state of one Emit call.
type emission struct {
	env      *ir.Env
	diags    hcl.Diagnostics
	sections []section
}

// Emit writes Singularity.def for env.
func (emitter) Emit(env *ir.Env, opts emitters.Options) (*emitters.Output, hcl.Diagnostics) {
	env = env.ForTarget("singularity")
	e := &emission{env: env}
	head := e.header()
	e.emitLabels()
	e.emitHelp()
	stages := e.emitFiles()
	e.emitPost(stages)
	e.emitEnvironment()
	e.emitRunscript()
	e.warnings(opts.BaseEnv)

	var b strings.Builder
	b.WriteString(head)
	for _, s := range e.sections {
		b.WriteString("\n%" + s.name + "\n" + s.body)
	}
	data := []byte(b.String())
	e.selfCheck(data)

	out := &emitters.Output{}
	out.Add(FileName, data, 0o644)
	return out, e.diags
}

// header returns the comment header and the Bootstrap/From keywords.
func (e *emission) header() string {
	ref := e.env.Base.Ref
	switch {
	case ref == "" || strings.ContainsFunc(ref, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		e.errorf(e.env.Base.Range, "Invalid base image", "The base image reference %q cannot be written after From: in a definition file: it is empty or holds white space or control characters.", ref)
	case strings.ContainsAny(ref, `#\`) || buildArgPattern.MatchString(ref):
		e.errorf(e.env.Base.Range, "Invalid base image", "The base image reference %q cannot be written after From: in a definition file: \"#\" starts a comment there, a final \"\\\" continues the line, and \"{{ NAME }}\" is a build argument.", ref)
	}
	return emitters.Header("# ", e.env) +
		"# Build it in this folder (the %files sources are relative to it):\n" +
		"#   apptainer build " + e.env.Name + ".sif " + FileName + "\n" +
		"Bootstrap: docker\n" +
		"From: " + ref + "\n"
}

// add appends a section; lines are joined with "\n" and end with one.
func (e *emission) add(name string, lines []string) {
	if len(lines) == 0 {
		return
	}
	e.sections = append(e.sections, section{name: name, body: strings.Join(lines, "\n") + "\n"})
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
		e.diags = append(e.diags, emitters.RuleSingularityUserIgnored.Warn(e.env.UserRange, fmt.Sprintf("%q", e.env.User)))
	}
	if e.env.VM != (ir.VM{}) {
		e.diags = append(e.diags, emitters.RuleSingularityVMIgnored.Warn(e.env.VM.Range))
	}
	if e.env.Init {
		e.diags = append(e.diags, emitters.RuleSingularityInitIgnored.Warn(e.env.InitRange))
	}
}

// selfCheck parses data back and demands the sections as written, so that
// nothing envc writes is misread by Apptainer (a value that slipped past
// the checks above is reported rather than built wrongly).
func (e *emission) selfCheck(data []byte) {
	if e.diags.HasErrors() {
		return
	}
	fail := func(why string) {
		e.errorf(e.env.DeclRange, "Definition file does not read back", "envc wrote a definition file that Apptainer would read differently (%s). This is a bug in envc; please report it with the spec.", why)
	}
	defs, err := ParseAll(data)
	if err != nil {
		fail(err.Error())
		return
	}
	if len(defs) != 1 {
		fail(fmt.Sprintf("%d build stages", len(defs)))
		return
	}
	if args := BuildArgs(data); len(args) > 0 {
		fail("build arguments " + strings.Join(args, ", "))
		return
	}
	got := defs[0].Sections
	if len(got) != len(e.sections) {
		fail(fmt.Sprintf("%d sections instead of %d", len(got), len(e.sections)))
		return
	}
	for i, s := range e.sections {
		want := s.body
		if i < len(e.sections)-1 {
			want += "\n"
		}
		if got[i].Name != s.name || got[i].Args != "" || got[i].Body != want {
			fail("section %" + s.name)
			return
		}
	}
}

func (e *emission) errorf(rng hcl.Range, summary, detail string, args ...any) {
	r := rng
	e.diags = append(e.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  &r,
	})
}
