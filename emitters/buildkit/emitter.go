package buildkit

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// The files the emitter writes, relative to the environment's folder.
const (
	DefinitionFile = "llb.pb"
	DumpFile       = "llb.json"
	ImageFile      = "image.json"
)

type emitter struct{}

// New returns the LLB emitter: name "llb", alias "buildkit".
func New() emitters.Emitter { return emitter{} }

func (emitter) Name() string      { return "llb" }
func (emitter) Aliases() []string { return []string{"buildkit"} }
func (emitter) Summary() string {
	return "BuildKit LLB definition (llb.pb for buildctl, llb.json) and OCI image config (image.json)"
}

// dump is the layout of llb.json: the generated-file header, then the graph.
type dump struct {
	Comment string `json:"comment"`
	*Graph
}

// Emit writes llb.pb, llb.json and image.json; for an environment with
// platforms, one set per platform P in the folder PlatformDir(P).
func (emitter) Emit(env *ir.Env, opts emitters.Options) (*emitters.Output, hcl.Diagnostics) {
	if len(env.Platforms) == 0 {
		return emitOne(env, opts, "")
	}
	out := &emitters.Output{}
	var diags hcl.Diagnostics
	for i, p := range env.Platforms {
		// The folder is named after the platform the definition pins
		// (normalized: "linux/arm64/v8" is "linux/arm64"), which the
		// read-back checks.
		pl, moreDiags := parsePlatform(p, env.PlatformsRange)
		if moreDiags.HasErrors() {
			return nil, append(diags, moreDiags...)
		}
		opts.Platform = FormatPlatform(pl)
		o, moreDiags := emitOne(env, opts, PlatformDir(opts.Platform)+"/")
		if i == 0 {
			diags = append(diags, moreDiags...) // the same warnings for every platform
		} else {
			diags = append(diags, errorsOf(moreDiags)...)
		}
		if o == nil {
			return nil, diags
		}
		out.Files = append(out.Files, o.Files...)
	}
	return out, diags
}

// PlatformDir returns the folder of platform p's files ("linux-arm64"
// for "linux/arm64", "linux-arm-v7" for "linux/arm/v7").
func PlatformDir(p string) string { return strings.ReplaceAll(p, "/", "-") }

func errorsOf(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

// streamAbove is the size (bytes, about) above which llb.pb is given as a
// stream when the caller can write one (emitters.Options.Stream).
var streamAbove = 8 << 20

// emitOne writes the files of one platform, their names prefixed by dir.
func emitOne(env *ir.Env, opts emitters.Options, dir string) (*emitters.Output, hcl.Diagnostics) {
	res, diags := Build(env, opts)
	if diags.HasErrors() {
		return nil, diags
	}
	size := sizeHint(res.root, nil, map[*vertex]bool{})
	if opts.MaxFileSize > 0 && int64(size) > opts.MaxFileSize {
		return nil, append(diags, tooLarge(env, res.root, dir+DefinitionFile, size, opts.MaxFileSize))
	}
	if opts.DiagnosticsOnly {
		return &emitters.Output{}, diags // writing the graph finds no problem
	}
	out := &emitters.Output{}
	var graph *Graph
	if opts.Stream && size > streamAbove {
		// A large definition (many variables times many steps) is written
		// to its file an op at a time: a first pass finds the op
		// digests; the file's hash comes with it, so that the writer need
		// not hash it again.
		g, digests, sum := graphOnly(res.root, nil)
		graph = g
		root := res.root
		out.AddStream(dir+DefinitionFile, func(w io.Writer) error { return writeGraph(w, root, nil, digests) }, sum, 0o644)
	} else {
		def := res.Marshal()
		graph = def.Graph
		out.Add(dir+DefinitionFile, def.Bytes, 0o644)
	}
	comment := strings.TrimSuffix(emitters.Header("", env), "\n")
	dumpBytes := appendDump(nil, dump{Comment: comment, Graph: shareEnv(graph)})
	imgBytes, err := ImageJSON(res.Image, res.Healthcheck)
	if err != nil {
		return nil, append(diags, emitError(env, "Cannot write image.json", err))
	}
	out.Add(dir+DumpFile, dumpBytes, 0o644)
	out.Add(dir+ImageFile, imgBytes, 0o644)
	return out, diags
}

// shareEnv returns g with the env of each exec op that repeats the env of
// the previous exec op replaced by a reference to that op (Exec.EnvAs).
// LLB carries the whole environment on every exec op, so a spec with E
// variables and S steps has S x E entries in llb.pb; llb.json, read by
// people, shows each environment once.
func shareEnv(g *Graph) *Graph {
	out := *g
	out.Ops = make([]Op, len(g.Ops))
	var prev *Op
	for i, op := range g.Ops {
		out.Ops[i] = op
		if op.Exec == nil {
			continue
		}
		if prev != nil && len(op.Exec.Env) > 0 && slices.Equal(op.Exec.Env, prev.Exec.Env) {
			exec := *op.Exec
			exec.Env, exec.EnvAs = nil, prev.Digest
			out.Ops[i].Exec = &exec
		}
		prev = &g.Ops[i]
	}
	return &out
}

func emitError(env *ir.Env, summary string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("The llb target failed for environment %q: %v.", env.Name, err),
		Subject:  env.DeclRange.Ptr(),
	}
}

// tooLarge is the error for a definition of about size bytes, above
// limit: at the environment's variables, which every exec op carries, or
// at the environment when it has none.
func tooLarge(env *ir.Env, root *vertex, file string, size int, limit int64) *hcl.Diagnostic {
	execs, largest := 0, 0
	seen := map[*vertex]bool{}
	var walk func(v *vertex)
	walk = func(v *vertex) {
		if seen[v] {
			return
		}
		seen[v] = true
		for _, in := range v.inputs {
			walk(in)
		}
		if v.kind == "exec" {
			execs++
			largest = max(largest, len(v.exec.env.encoded()))
		}
	}
	walk(root)
	rng := env.DeclRange
	for _, s := range env.Steps {
		if es, ok := s.(*ir.EnvStep); ok {
			rng = es.Range
			break
		}
	}
	return emitters.Errorf(rng, "Output too large",
		"The llb target's %s would be about %d MiB, more than the %d MiB envc writes: an LLB graph has no instruction that sets a variable, "+
			"so each of its %d steps that run a command carries the whole environment (up to %d KiB here). "+
			"Set fewer or shorter variables, join steps, or raise the limit (--max-file-size).",
		file, size>>20, limit>>20, execs, largest>>10)
}
