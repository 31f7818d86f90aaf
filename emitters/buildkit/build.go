package buildkit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// ContextName is the name of the local source that holds the build
// context: `buildctl build --local context=DIR` provides it.
const ContextName = "context"

// Result is an environment lowered to BuildKit: the LLB graph of its root
// filesystem, the platform it is built for, and the image config that must
// be attached to the built image (LLB carries no config).
type Result struct {
	// root is the final root filesystem. Its graph needs no registry to
	// marshal: no image metadata is resolved.
	root *vertex
	// sourceMap is BuildOptions.SourceMap.
	sourceMap *SourceMap
	// Platform is explicit and never taken from the host.
	Platform Platform
	// Image is the config; it has no timestamps and an empty diff_ids list
	// (the exporter fills in the layers).
	Image *Image
	// Healthcheck is the config's Healthcheck (Docker's extension of the
	// OCI config, which ImageJSON writes); nil for none.
	Healthcheck *Healthcheck
}

// Marshal writes the graph as a pb.Definition (with the source map of
// BuildOptions.SourceMap, if any) and as plain values. The bytes are the
// same on every run and host, and the same as BuildKit's client/llb
// writes for the same graph.
func (r *Result) Marshal() *Definition {
	return marshalGraph(r.root, r.sourceMap)
}

// Build lowers env to an LLB state and an image config for
// opts.Platform, with the steps of other platforms left out
// (ir.Env.ForPlatform). Warnings come from
// the llb rules (emitters.RuleLLB*); errors mean that a value cannot be
// carried at all, and then Result is nil.
func Build(env *ir.Env, opts emitters.Options) (*Result, hcl.Diagnostics) {
	return BuildWith(env, opts, BuildOptions{})
}

// BuildOptions are the settings that only a build (not compile) uses.
type BuildOptions struct {
	// SourceMap, when set, is the spec file the env was compiled from
	// (Filename equal to the Filename of the env's ranges). Every op made
	// from a step then carries the step's range, so that BuildKit reports
	// a failing step at its line in the spec. Op digests do not change.
	SourceMap *SourceMap
	// StageBaseEnv holds, by image reference (ir.Image.Ref), the
	// environment of a stage's base image that is not the environment's
	// own (whose env is emitters.Options.BaseEnv). A stage whose base is
	// missing here, and is not the environment's, is lowered as when the
	// base env is unknown (the assumed PATH, warned where a value refers
	// to the base's variables).
	StageBaseEnv map[string][]string
}

// BuildWith is Build with build-only settings.
func BuildWith(env *ir.Env, opts emitters.Options, bo BuildOptions) (*Result, hcl.Diagnostics) {
	diags := checkValues(env)
	platform, moreDiags := parsePlatform(opts.Platform, env.DeclRange)
	diags = append(diags, moreDiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	// A definition is for one platform: the steps of other platforms
	// are left out.
	env = env.ForPlatform(FormatPlatform(platform))

	// The stages first, each a state of its own from its base, sharing
	// the build context; copies from a stage read its state.
	ctx := &buildContext{env: env}
	stages := map[string]*vertex{}
	for _, st := range env.Stages {
		stOpts := opts
		if st.Base.Ref != env.Base.Ref {
			stOpts.BaseEnv = bo.StageBaseEnv[st.Base.Ref]
		}
		sb := newBuilder(st, stOpts, platform)
		sb.context, sb.stages = ctx, stages
		sb.lowerSteps()
		diags = append(diags, sb.diags...)
		stages[st.Name] = sb.st
	}
	b := newBuilder(env, opts, platform)
	b.context, b.stages = ctx, stages
	b.lowerSteps()
	// The run command's own variables: defaults in the image config.
	for _, v := range env.RunVars {
		if v.Required {
			diags = append(diags, emitters.RuleLLBRunEnvCaller.Warn(v.Range, v.Name, v.Name))
			continue
		}
		b.setEnv(ir.EnvVar{Name: v.Name, Value: v.Value, Range: v.Range}, false)
	}
	img := b.imageConfig()
	diags = append(diags, b.diags...)
	diags = append(diags, runTimeWarnings(env)...)
	if diags.HasErrors() {
		return nil, diags
	}
	return &Result{root: b.st, sourceMap: bo.SourceMap, Platform: platform, Image: img, Healthcheck: healthcheckConfig(env)}, diags
}

// parsePlatform is ParsePlatform ("" for emitters.DefaultPlatform) with
// its error as a diagnostic at rng.
func parsePlatform(s string, rng hcl.Range) (Platform, hcl.Diagnostics) {
	if s == "" {
		s = emitters.DefaultPlatform
	}
	p, err := ParsePlatform(s)
	if err != nil {
		return Platform{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid platform",
			Detail:   fmt.Sprintf("The platform %q is not of the form os/arch or os/arch/variant (e.g. %q).", s, emitters.DefaultPlatform),
			Subject:  rng.Ptr(),
		}}
	}
	return p, nil
}

// ParsePlatform parses an "os/arch[/variant]" specifier without consulting
// the host (containerd's Parse fills a missing architecture from the host,
// so a bare OS is refused here) and normalizes it as BuildKit does
// ("linux/arm64/v8" is linux/arm64).
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return Platform{}, fmt.Errorf("not of the form os/arch[/variant]")
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return normalizePlatform(p), nil
}

// normalizePlatform is containerd's platforms.Normalize (v1.0.0-rc.2,
// which BuildKit uses) for a platform with an OS: the OS and architecture
// lowercased and their aliases replaced ("macos" is darwin, "aarch64" is
// arm64, "x86_64" amd64), and the variant an architecture implies by
// default dropped or filled in (arm64/v8 is arm64, arm is arm/v7). It is
// written out here so that envc does not link containerd's platforms
// package and the logger it brings; TestNormalizePlatform holds it to
// containerd's.
func normalizePlatform(p Platform) Platform {
	p.OS = strings.ToLower(p.OS)
	if p.OS == "macos" {
		p.OS = "darwin"
	}
	arch, variant := strings.ToLower(p.Architecture), strings.ToLower(p.Variant)
	switch arch {
	case "i386":
		arch, variant = "386", ""
	case "x86_64", "x86-64", "amd64":
		arch = "amd64"
		if variant == "v1" {
			variant = ""
		}
	case "aarch64", "arm64":
		arch = "arm64"
		switch variant {
		case "8", "v8", "v8.0":
			variant = ""
		case "9", "9.0", "v9.0":
			variant = "v9"
		}
	case "armhf":
		arch, variant = "arm", "v7"
	case "armel":
		arch, variant = "arm", "v6"
	case "arm":
		switch variant {
		case "", "7":
			variant = "v7"
		case "5", "6", "8":
			variant = "v" + variant
		}
	}
	p.Architecture, p.Variant = arch, variant
	return p
}

// FormatPlatform renders p as os/arch[/variant].
func FormatPlatform(p Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// builder threads the LLB graph and the env through the steps.
type builder struct {
	env      *ir.Env
	platform Platform
	st       *vertex
	vars     *envState
	// context is the local build context, shared with the stages' builders.
	context *buildContext
	// stages are the final states of the stages built so far, by name.
	stages map[string]*vertex
	diags  hcl.Diagnostics
	// step is the range of the step being lowered.
	step hcl.Range
}

func newBuilder(env *ir.Env, opts emitters.Options, platform Platform) *builder {
	b := &builder{
		env:      env,
		platform: platform,
		vars:     newEnvState(opts.BaseEnv),
	}
	// Like dockerfile2llb: the base image's env (with a PATH) seeds the
	// state, so every exec op sees it (newEnvState).
	b.st = imageSource(env.Base.Canonical, "FROM "+env.Base.Ref, platform)
	return b
}
