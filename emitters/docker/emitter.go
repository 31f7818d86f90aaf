package docker

import (
	"fmt"
	"strings"
	"sync/atomic"
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

// Reader reads a Dockerfile back in full, as the builder would build it
// for platform ("" for a Dockerfile that is the same on every platform),
// with baseEnv (NAME=value entries) standing for the base image's
// environment: dockerread.ReadDockerfileFor, with BuildKit's parser.
type Reader func(data []byte, baseEnv []string, platform string) (*Dockerfile, error)

// fullReader is SetFullSelfCheck's setting; nil when off.
var fullReader atomic.Pointer[Reader]

// SetFullSelfCheck sets the reader every later Emit reads the Dockerfile
// back with, demanding, instruction by instruction, what was meant (each
// RUN's argv and environment, each ENV's and ARG's expanded values, ...),
// besides the structural check it always makes; nil turns the full check
// off. The full check costs more than writing the Dockerfile (on a spec
// with many variables and steps, a third of the whole compile), and its
// reader is BuildKit's parser, which envc does not link: envc itself
// makes the structural check alone and the tests turn this on with
// dockerread.FullSelfCheck, so every spec the tests compile (goldens,
// corpus, fuzz inputs, the emitter's cases) is read back in full.
func SetFullSelfCheck(read Reader) {
	if read == nil {
		fullReader.Store(nil)
		return
	}
	fullReader.Store(&read)
}

// emission holds the state of one Emit call.
type emission struct {
	env   *ir.Env
	diags hcl.Diagnostics
	// full is SetFullSelfCheck's reader when Emit began (nil when off):
	// the writers then record the model the Dockerfile must read back as.
	full Reader
	// keywords are the instructions written, in order, for the
	// structural check.
	keywords []string
}

// Emit writes Dockerfile and compose.yaml for env.
func (emitter) Emit(env *ir.Env, opts emitters.Options) (*emitters.Output, hcl.Diagnostics) {
	e := &emission{env: env}
	if read := fullReader.Load(); read != nil {
		e.full = *read
	}
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

// selfCheck reads both files back and demands what was meant, so that a
// value the quoting rules missed is reported instead of built wrongly:
// compose.yaml with YAML and Compose's interpolation (readWrittenCompose),
// the Dockerfile with the structural check (checkStructure) and, with
// SetFullSelfCheck, with BuildKit's parser.
func (e *emission) selfCheck(dockerfile []byte, want *Dockerfile, compose []byte) {
	fail := func(file, why string) {
		e.diags = append(e.diags, emitters.Errorf(e.env.DeclRange, "Output does not read back",
			"envc wrote a %s that Docker would read differently (%s). This is a bug in envc; please report it with the spec.", file, why))
	}
	if why := checkStructure(dockerfile, e.keywords); why != "" {
		fail(DockerfileName, why)
	} else if e.full != nil && e.env.PlatformValues() {
		if why := e.selfCheckPlatforms(dockerfile); why != "" {
			fail(DockerfileName, why)
		}
	} else if e.full != nil {
		got, err := e.full(dockerfile, nil, "")
		if err != nil {
			fail(DockerfileName, err.Error())
		} else if why := want.diff(got); why != "" {
			fail(DockerfileName, why)
		}
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

// checkStructure reads dockerfile as BuildKit's parser splits it into
// instructions, without interpreting them, and returns "" when it holds
// exactly the instructions keywords names, in order, otherwise what
// differs. It finds what would make the parser join, drop or split lines
// differently from the writer: a value ending in a backslash (which
// continues the line), a line break inside a value or a CR ending a line, a comment or
// empty line inside an instruction, a parser directive in the header, a
// line over the parser's limit, invalid UTF-8 or a NUL byte. It does not
// look inside an instruction's arguments: how the builder expands them is
// what the full check (SetFullSelfCheck) and the tests hold to account.
func checkStructure(dockerfile []byte, keywords []string) string {
	if !utf8.Valid(dockerfile) {
		return "invalid UTF-8"
	}
	s := string(dockerfile)
	if !strings.HasSuffix(s, "\n") {
		return "no final line break"
	}
	s = s[:len(s)-1]
	n := 0 // instructions read
	inside, started := false, false
	for i := 1; s != ""; i++ {
		line := s
		if j := strings.IndexByte(s, '\n'); j >= 0 {
			line, s = s[:j], s[j+1:]
		} else {
			s = ""
		}
		switch {
		case len(line) > maxLine:
			return fmt.Sprintf("line %d is longer than the parser reads", i)
		case strings.IndexByte(line, 0) >= 0:
			return fmt.Sprintf("line %d holds a NUL byte", i)
		case strings.HasSuffix(line, "\r"):
			return fmt.Sprintf("line %d ends in a CR, which the parser drops", i)
		}
		trimmed := strings.TrimLeft(line, " \t")
		continues := strings.HasSuffix(line, "\\")
		switch {
		case inside:
			// A continuation line: the parser drops an empty one (with a
			// warning) and a comment.
			if trimmed == "" || trimmed[0] == '#' {
				return fmt.Sprintf("line %d is empty or a comment inside an instruction", i)
			}
		case trimmed == "":
		case trimmed[0] == '#':
			if !started && isDirective(trimmed) {
				return fmt.Sprintf("line %d reads as a parser directive", i)
			}
		default:
			started = true
			if n >= len(keywords) || !strings.HasPrefix(line, keywords[n]+" ") {
				return fmt.Sprintf("line %d starts an instruction not written there", i)
			}
			n++
		}
		inside = continues
	}
	if inside {
		return "the last line continues"
	}
	if n != len(keywords) {
		return fmt.Sprintf("%d instructions instead of %d", n, len(keywords))
	}
	return ""
}

// isDirective reports whether the comment line c has a parser directive's
// form ("# name=value"), which the parser reads as one at the top of the
// file.
func isDirective(c string) bool {
	c = strings.TrimLeft(c[1:], " \t")
	i := 0
	for i < len(c) && (c[i] >= 'a' && c[i] <= 'z' || c[i] >= 'A' && c[i] <= 'Z' || c[i] >= '0' && c[i] <= '9' || c[i] == '_' || c[i] == '-') {
		i++
	}
	return i > 0 && strings.HasPrefix(strings.TrimLeft(c[i:], " \t"), "=")
}
