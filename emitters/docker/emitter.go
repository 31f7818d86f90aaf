package docker

import (
	"strings"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/hashicorp/hcl/v2"
)

// The files the emitter writes.
const (
	DockerfileName = "Dockerfile"
	ComposeName    = "compose.yaml"
)

// New returns the Docker emitter.
func New() emitters.Emitter { return emitter{} }

type emitter struct{}

func (emitter) Name() string      { return "docker" }
func (emitter) Aliases() []string { return nil }
func (emitter) Summary() string {
	return "Dockerfile and compose.yaml (docker compose up --build)"
}

// emission holds the state of one Emit call.
type emission struct {
	env   *ir.Env
	diags hcl.Diagnostics
}

// Emit writes Dockerfile and compose.yaml for env.
func (emitter) Emit(env *ir.Env, opts emitters.Options) (*emitters.Output, hcl.Diagnostics) {
	e := &emission{env: env}
	dockerfile, want := e.emitDockerfile()
	if env.PlatformValues() {
		e.diags = dedupe(e.diags)
	}
	compose := e.emitCompose()
	if env.VM.Declared() {
		e.diags = append(e.diags, emitters.RuleDockerVMIgnored.Warn(env.VM.Range))
	}
	if g := env.GPU; g != nil {
		e.diags = append(e.diags, emitters.RuleDockerGPUComposeOnly.Warn(g.Range, shell.Join(append([]string{"docker", "run"}, emitters.DockerGPUArgs(g)...))))
	}
	if h := env.HPC; h != nil {
		e.diags = append(e.diags, emitters.RuleDockerHPCIgnored.Warn(h.Range))
	}
	if e.diags.HasErrors() {
		return nil, e.diags
	}
	e.selfCheck(dockerfile, want, compose)
	if e.diags.HasErrors() {
		return nil, e.diags
	}
	out := &emitters.Output{}
	out.Add(DockerfileName, dockerfile, 0o644)
	out.Add(ComposeName, compose, 0o644)
	return out, e.diags
}

// selfCheck reads both files back with the real parsers (BuildKit's for
// the Dockerfile; YAML and Compose's interpolation for compose.yaml, see
// readWrittenCompose) and demands what was meant, so that a value the
// quoting rules missed is reported instead of built wrongly.
func (e *emission) selfCheck(dockerfile []byte, want *Dockerfile, compose []byte) {
	fail := func(file, why string) {
		e.diags = append(e.diags, emitters.Errorf(e.env.DeclRange, "Output does not read back",
			"envc wrote a %s that Docker would read differently (%s). This is a bug in envc; please report it with the spec.", file, why))
	}
	if e.env.PlatformValues() {
		if why := e.selfCheckPlatforms(dockerfile); why != "" {
			fail(DockerfileName, why)
		}
	} else if got, err := ReadDockerfile(dockerfile, nil); err != nil {
		fail(DockerfileName, err.Error())
	} else if why := want.diff(got); why != "" {
		fail(DockerfileName, why)
	}
	service, err := readWrittenCompose(compose)
	if err != nil {
		fail(ComposeName, err.Error())
	} else if why := composeWant(e.env).diff(service); why != "" {
		fail(ComposeName, why)
	}
}

// checkValue reports an error at rng when s cannot be carried at all: a
// NUL byte, invalid UTF-8, or (unless newlineOK) a line break, which no
// single-line Dockerfile instruction can hold.
func (e *emission) checkValue(s string, rng hcl.Range, what string, newlineOK bool) bool {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		e.diags = append(e.diags, emitters.Errorf(rng, "Value cannot be carried", "The %s contains a NUL byte, which no Dockerfile or compose file can carry. Remove it.", what))
	case !utf8.ValidString(s):
		e.diags = append(e.diags, emitters.Errorf(rng, "Value cannot be carried", "The %s is not valid UTF-8.", what))
	case !newlineOK && strings.ContainsAny(s, "\n"):
		e.diags = append(e.diags, emitters.Errorf(rng, "Value cannot be carried", "The %s contains a line break, which a Dockerfile instruction cannot carry (a value ends at the end of its line). Remove it.", what))
	default:
		return true
	}
	return false
}
