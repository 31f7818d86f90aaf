package docker

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// The automatic platform arguments BuildKit sets in the global scope,
// which the FROM line that selects a stage of values per platform reads.
const (
	TargetArch    = "TARGETARCH"
	TargetVariant = "TARGETVARIANT"
)

// selectByPlatform is what a stage name is followed by on the FROM line
// that selects the stage of the platform BuildKit builds for.
const selectByPlatform = "-${" + TargetArch + "}${" + TargetVariant + "}"

// PlatformSlug returns what ${TARGETARCH}${TARGETVARIANT} expands to when
// BuildKit builds for platform (as ir.Env.Platforms lists them, arm64
// without its variant): "amd64", "arm64", "armv7", "386".
func PlatformSlug(platform string) string {
	return strings.ReplaceAll(strings.TrimPrefix(platform, "linux/"), "/", "")
}

// stageNames names the stages that values per platform make of the
// environment's build: PREFIX-N for the build up to the Nth run of
// per-platform env steps, PREFIX-N-SLUG for the values of one platform.
// PREFIX is "envc", or "envc0", "envc1", ... when a stage of the spec
// has a name that starts with it and "-", so that no name is a stage's.
type stageNames struct {
	prefix string
	n      int
}

func newStageNames(env *ir.Env) *stageNames {
	prefix := "envc"
	for i := 0; slices.ContainsFunc(env.Stages, func(st *ir.Env) bool { return strings.HasPrefix(st.Name, prefix+"-") }); i++ {
		prefix = "envc" + strconv.Itoa(i)
	}
	return &stageNames{prefix: prefix}
}

// next returns the name of the next stage of the environment's build.
func (n *stageNames) next() string {
	n.n++
	return n.prefix + "-" + strconv.Itoa(n.n)
}

// varScope is what the variables set so far hold, resolved (ir.ResolveWord)
// where every platform has the same value, for the variables of the build
// alone (ARG) that each new stage declares again: an ARG ends with its
// stage, and a stage built on another takes its ENV but not its ARGs.
type varScope struct {
	vals map[string]ir.Word
	// ambiguous marks the variables whose value differs by platform: a
	// reference to one stays a reference.
	ambiguous map[string]bool
	// setAt is when each variable was last set (a count of settings).
	setAt map[string]int
	n     int
	// carried are the variables of the build alone, in the order first
	// set, with their resolved values and when they were set.
	carried []carriedArg
}

type carriedArg struct {
	v  ir.EnvVar
	at int
}

func newVarScope() varScope {
	return varScope{vals: map[string]ir.Word{}, ambiguous: map[string]bool{}, setAt: map[string]int{}}
}

// set records the variables of es, an env step of every platform.
func (s *varScope) set(es *ir.EnvStep) {
	if s.vals == nil {
		*s = newVarScope()
	}
	for _, v := range es.Vars {
		known := map[string]ir.Word{}
		for _, p := range v.Value {
			if w, ok := s.vals[p.Ref]; ok && p.Ref != "" && !s.ambiguous[p.Ref] {
				known[p.Ref] = w
			}
		}
		w := ir.ResolveWord(v.Value, known)
		s.n++
		s.vals[v.Name], s.setAt[v.Name] = w, s.n
		delete(s.ambiguous, v.Name)
		if !es.BuildOnly {
			continue
		}
		c := carriedArg{v: ir.EnvVar{Name: v.Name, Value: w, Range: v.Range}, at: s.n}
		if i := slices.IndexFunc(s.carried, func(c carriedArg) bool { return c.v.Name == v.Name }); i >= 0 {
			s.carried[i] = c
		} else {
			s.carried = append(s.carried, c)
		}
	}
}

// setPerPlatform records the variables of es, an env step of some
// platforms (never of the build alone: those branch the build).
func (s *varScope) setPerPlatform(es *ir.EnvStep) {
	if s.vals == nil {
		*s = newVarScope()
	}
	for _, v := range es.Vars {
		s.n++
		s.vals[v.Name], s.setAt[v.Name] = nil, s.n
		s.ambiguous[v.Name] = true
	}
}

// clone returns a copy of s that setting does not share.
func (s varScope) clone() varScope {
	c := s
	c.vals, c.ambiguous, c.setAt = maps.Clone(s.vals), maps.Clone(s.ambiguous), maps.Clone(s.setAt)
	c.carried = slices.Clone(s.carried)
	return c
}

// redeclareArgs declares again, at the start of a stage built on the
// environment's stage so far, the variables of the build alone set so
// far, with their values. A value that refers to a variable the
// Dockerfile sets cannot be carried when that variable changed since, or
// when its value is the earlier one's (the stage would read the new).
func (w *dfWriter) redeclareArgs() {
	for _, c := range w.scope.carried {
		ok := true
		for _, p := range c.v.Value {
			if p.Ref == "" {
				continue
			}
			if _, set := w.scope.vals[p.Ref]; set && !(w.scope.ambiguous[p.Ref] && w.scope.setAt[p.Ref] < c.at) {
				w.e.diags = append(w.e.diags, emitters.Errorf(c.v.Range, "Value cannot be carried",
					"The variable %s of the build alone refers to %s, which the Dockerfile sets again before a value per platform. There the Dockerfile starts a build stage, which declares %s again (an ARG ends with its stage), and %s would read %s's later value. Set %s after the per-platform steps, or refer to a variable that keeps its value.",
					c.v.Name, p.Ref, c.v.Name, c.v.Name, p.Ref, c.v.Name))
				ok = false
				break
			}
		}
		if ok {
			w.add("ARG", c.v.Name+"="+envValue(c.v.Value))
		}
	}
}

// laterValues reports whether one of steps gives variables values on
// some platforms alone.
func laterValues(steps []ir.Step) bool {
	return slices.ContainsFunc(steps, func(s ir.Step) bool {
		es, ok := s.(*ir.EnvStep)
		return ok && es.Platforms != nil
	})
}

// splitPlatforms writes group, a run of env steps of some platforms that
// set variables for the build and the run command (ENV), and ends the
// environment's stage there: one stage per platform built on it, with the
// ENV of its values (none for a platform without one), then the build
// goes on in the stage of the platform BuildKit builds for (FROM
// NAME-${TARGETARCH}${TARGETVARIANT}), which keeps the files, the ENV,
// USER and WORKDIR of the stage it is built on. rest are the steps after
// group.
func (w *dfWriter) splitPlatforms(group, rest []ir.Step) {
	name := w.as
	for _, p := range w.env.Platforms {
		w.lines = append(w.lines, "", "# the values of "+p)
		w.add("FROM", name+" AS "+name+"-"+PlatformSlug(p))
		w.redeclareArgs()
		for _, s := range group {
			if es := s.(*ir.EnvStep); slices.Contains(es.Platforms, p) {
				w.emitEnv(es.Vars)
			}
		}
	}
	for _, s := range group {
		w.scope.setPerPlatform(s.(*ir.EnvStep))
	}
	w.as = ""
	if laterValues(rest) {
		w.as = w.names.next()
	}
	w.lines = append(w.lines, "", "# the build goes on in the stage of the platform it is for")
	ref := name + selectByPlatform
	if w.as != "" {
		ref += " AS " + w.as
	}
	w.add("FROM", ref)
	w.platformArg = false
	w.redeclareArgs()
}

// branchPlatforms writes rest, the steps from a run of env steps of some
// platforms that set a variable of the build alone (ARG, which would end
// with a stage of its own): the environment's stage ends there, and the
// rest of the build is written once per platform, in a stage built on it,
// with that platform's steps and values alone (ir.Env.ForPlatform) and
// the run-time facts; the image is the stage of the platform BuildKit
// builds for.
func (w *dfWriter) branchPlatforms(rest []ir.Step) {
	name := w.as
	user, dir, scope := w.user, w.dir, w.scope.clone()
	for _, p := range w.env.Platforms {
		w.user, w.dir, w.scope, w.platformArg = user, dir, scope.clone(), false
		w.lines = append(w.lines, "", "# "+p+": the rest of the build, with the values of "+p)
		w.add("FROM", name+" AS "+name+"-"+PlatformSlug(p))
		w.redeclareArgs()
		steps := (&ir.Env{Steps: rest}).ForPlatform(p).Steps
		for i := range steps {
			w.emitStep(steps, i)
		}
		w.emitRuntime()
	}
	w.as = ""
	w.lines = append(w.lines, "", "# the image: the stage of the platform it is built for")
	w.add("FROM", name+selectByPlatform)
}

// selfCheckPlatforms is selfCheck's Dockerfile check for a Dockerfile of
// values per platform: read for each platform (e.full), it
// must read as the Dockerfile of that platform's environment
// (ir.Env.ForPlatform) written on its own does.
func (e *emission) selfCheckPlatforms(dockerfile []byte) (why string) {
	for _, p := range e.env.Platforms {
		pe := &emission{env: e.env.ForPlatform(p), full: e.full}
		_, want := pe.emitDockerfile()
		got, err := e.full(dockerfile, nil, p)
		if err != nil {
			return p + ": " + err.Error()
		}
		if why := want.diff(got); why != "" {
			return p + ": " + why
		}
	}
	return ""
}

// dedupe drops the diagnostics said before (a step of several platforms
// is written once for each).
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	seen := map[string]bool{}
	for _, d := range diags {
		key := d.Summary + "\x00" + d.Detail
		if d.Subject != nil {
			key += "\x00" + d.Subject.String()
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	return out
}
