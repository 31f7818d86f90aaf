package compiler

import (
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
)

// platformPattern is what a platform may be: linux (the only OS whose
// images these targets build) on an architecture an OCI image index
// names, with the variants the OCI image spec lists.
var platformPattern = lazyre.New(`^linux/(386|amd64|arm64(/v8)?|arm/v[5-7]|ppc64le|s390x|riscv64|mips64le|loong64)$`)

// lowerPlatforms evaluates the platforms attribute.
func (el *envLowerer) lowerPlatforms() {
	a := el.e.Platforms
	if a == nil {
		return
	}
	items, ok := el.strList(a, "platforms")
	if !ok {
		return
	}
	var out []string
	for _, it := range items {
		switch {
		case !platformPattern().MatchString(it.Value):
			el.errorf(it.Range, "Invalid platform",
				"%q is not a platform envc builds for: write os/arch[/variant] as OCI images name them, e.g. \"linux/amd64\", \"linux/arm64\" or \"linux/arm/v7\".", it.Value)
			ok = false
			continue
		case slices.Contains(out, strings.TrimSuffix(it.Value, "/v8")):
			el.errorf(it.Range, "Duplicate platform", "%q is already listed. Remove it.", it.Value)
			ok = false
			continue
		}
		out = append(out, strings.TrimSuffix(it.Value, "/v8")) // arm64 is v8: OCI indexes leave the variant out
	}
	if !ok {
		return
	}
	if len(out) == 0 {
		el.errorf(a.Expr.Range(), "No platform",
			"platforms lists no platform. List at least one (e.g. [\"linux/amd64\"]), or remove it to build for the builder's own.")
		return
	}
	el.env.Platforms, el.env.PlatformsRange = out, a.Expr.Range()
}

// limitPlatforms evaluates a step block's platforms (a), and limits the
// steps that block lowered to (steps) to them. A step that runs a
// command is then for those platforms alone, and an env step (env or
// build_env) gives its variables those values on those platforms alone:
// two env steps for other platforms give one variable a value per
// platform. A copy cannot be limited: the Dockerfile, which builds every
// platform from one file, guards a RUN by the platform it builds for and
// selects a stage by it for an ENV, and has neither for a COPY. The
// users a step needs are created on every platform.
func (el *envLowerer) limitPlatforms(a *hcl.Attribute, steps []ir.Step) {
	items, ok := el.strList(a, "platforms")
	if !ok {
		return
	}
	var ps []string
	for _, it := range items {
		p := strings.TrimSuffix(it.Value, "/v8")
		switch {
		case !platformPattern().MatchString(it.Value):
			el.errorf(it.Range, "Invalid platform",
				"%q is not a platform envc builds for: write os/arch[/variant] as the environment's platforms do, e.g. \"linux/amd64\", \"linux/arm64\" or \"linux/arm/v7\" (a target goes in only or except).", it.Value)
			ok = false
		case slices.Contains(ps, p):
			el.errorf(it.Range, "Duplicate platform", "%q is already listed. Remove it.", it.Value)
			ok = false
		default:
			ps = append(ps, p)
		}
	}
	if !ok {
		return
	}
	if len(ps) == 0 {
		el.errorf(a.Expr.Range(), "No platform named",
			"platforms names no platform. List at least one (e.g. [\"linux/arm64\"]), or remove it for a step of every platform.")
		return
	}
	for _, s := range steps {
		switch s := s.(type) {
		case *ir.RunStep:
			s.Platforms = ps
		case *ir.InstallStep:
			s.Platforms = ps
		case *ir.EnvStep:
			if el.e.Stage {
				el.errorf(a.NameRange, "Per-platform variables in a stage",
					"A stage's variables are the same on every platform: a copy from the stage takes its files from one build, which a Dockerfile cannot select by platform. Set the variable per platform in the environment, or make this step for every platform.")
				return
			}
			s.Platforms = ps
		case *ir.CopyStep:
			el.errorf(a.NameRange, "Platforms of a copy",
				"A copy is the same on every platform: a Dockerfile builds every platform from one file, and can make a RUN or an ENV depend on the platform but not a COPY. "+
					"Make this step for every platform and use what it brings in a run step with platforms.")
			return
		}
	}
}

// checkStepPlatforms reports a step, of the environment or of one of its
// stages, for a platform the environment does not list: it would never
// run where the environment lists platforms, and where it lists none the
// llb target, which writes a definition per platform, would have no
// platform to put it in.
func (el *envLowerer) checkStepPlatforms() {
	env := el.env
	reported := map[hcl.Range]bool{}
	for _, e := range append([]*ir.Env{env}, env.Stages...) {
		for i, s := range e.Steps {
			if e == env && i < env.FromSteps {
				continue // checked with the environment built on
			}
			for _, p := range s.StepPlatforms() {
				rng := s.StepRange()
				if reported[rng] || slices.Contains(env.Platforms, p) {
					continue
				}
				reported[rng] = true
				if env.Platforms == nil {
					el.errorf(rng, "Platform not listed",
						"This step is for %s, and the environment lists no platforms, so it builds for the builder's own. List the platforms it is for: platforms = [\"linux/amd64\", %q].", p, p)
					continue
				}
				el.errorf(rng, "Platform not built",
					"This step is for %s, which the environment does not build for (platforms = [%s] at %s): it would never run. Add %q to the environment's platforms, or remove it from the step's.",
					p, strings.Join(quoteAll(env.Platforms), ", "), env.PlatformsRange, p)
			}
		}
	}
}

// quoteAll Go-quotes each of ss.
func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
