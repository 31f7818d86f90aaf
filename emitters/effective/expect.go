package effective

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
)

// Divergence is a difference between the spec's view and a target's that
// the capability matrix declares: the target says less, or says it
// another way, and the cell's rules warn about it.
type Divergence struct {
	Construct string
	Target    string
	// Reason says why the target differs.
	Reason string
	// apply turns the spec's view into what the target can say.
	apply func(*Env)
}

// AssumedBaseEnv is the base image environment the llb target assumes when
// the real one is not resolved (Options.BaseEnv nil).
var AssumedBaseEnv = []string{"PATH=" + emitters.DefaultPath}

// divergences are every declared difference, by target.
var divergences = []Divergence{
	{"base", "vagrant", "a Vagrant machine boots a box (compared under vm), not the base image", func(e *Env) { e.Base = "" }},
	{"env", "llb", "LLB does no variable expansion: envc expands every value when it writes the graph, against the assumed base environment " +
		strings.Join(AssumedBaseEnv, " ") + ", and sets no op for an env step: its variables ride on the later exec ops and image.json", expandForLLB},
	{"port", "llb", "an image config only declares the guest port and protocol (ExposedPorts, a set)", func(e *Env) {
		e.Ports = PortKeys(e.Ports)
	}},
	{"mount", "llb", "an image config only declares the target (Volumes, a set)", func(e *Env) {
		e.Mounts = MountTargets(e.Mounts, true)
	}},
	{"port", "singularity", "Apptainer shares the host's network: %help records the guest port and protocol only", func(e *Env) {
		for i := range e.Ports {
			e.Ports[i] = ir.Port{Guest: e.Ports[i].Guest, Protocol: e.Ports[i].Protocol}
		}
	}},
	{"mount", "singularity", "a definition file cannot bind: the image creates the target, the bind is given at run time", func(e *Env) {
		e.Mounts = MountTargets(e.Mounts, false)
	}},
	{"user", "singularity", "Apptainer runs the image as the calling user; the user is only created", func(e *Env) { e.User = "" }},
	{"init", "llb", "an image config cannot ask for an init: it is given at run time (docker run --init)", func(e *Env) { e.Init = false }},
	{"init", "singularity", "Apptainer has no init for a container: the run command is PID 1 of its namespace only with --pid", func(e *Env) { e.Init = false }},
	{"init", "vagrant", "a machine boots its own init (systemd): nothing to add", func(e *Env) { e.Init = false }},
	{"platforms", "singularity", "a definition file has no platform: Apptainer builds for the host's architecture", func(e *Env) { e.Platforms = nil }},
	{"platforms", "vagrant", "a machine boots the box of the host's architecture", func(e *Env) { e.Platforms = nil }},
	{"vm", "docker", "a container has no VM settings", func(e *Env) { e.VM = VM{} }},
	{"vm", "llb", "a container image has no VM settings", func(e *Env) { e.VM = VM{} }},
	{"vm", "singularity", "an Apptainer image has no VM settings", func(e *Env) { e.VM = VM{} }},
}

// Divergences returns the declared differences of target (every target
// when target is ""), in a fixed order.
func Divergences(target string) []Divergence {
	var out []Divergence
	for _, d := range divergences {
		if target == "" || d.Target == target {
			out = append(out, d)
		}
	}
	return out
}

// Expect returns the spec's view as target can say it: a deep copy of
// spec with the target's declared differences applied.
func Expect(target string, spec *Env) *Env {
	e := spec.clone()
	for _, d := range Divergences(target) {
		d.apply(e)
		for i := range e.Stages {
			d.apply(&e.Stages[i])
		}
	}
	return e
}

// PortKeys returns the ports as an image config declares them: guest port
// and protocol only, sorted and without duplicates.
func PortKeys(ports []ir.Port) []ir.Port {
	seen := map[ir.Port]bool{}
	var out []ir.Port
	for _, p := range ports {
		k := ir.Port{Guest: p.Guest, Protocol: p.Protocol}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return strconv.Itoa(out[i].Guest)+"/"+out[i].Protocol < strconv.Itoa(out[j].Guest)+"/"+out[j].Protocol
	})
	return out
}

// MountTargets returns the mounts' targets only; sorted without
// duplicates when set is true.
func MountTargets(mounts []ir.Mount, set bool) []ir.Mount {
	seen := map[string]bool{}
	var out []ir.Mount
	for _, m := range mounts {
		if set && seen[m.Target] {
			continue
		}
		seen[m.Target] = true
		out = append(out, ir.Mount{Target: m.Target})
	}
	if set {
		sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	}
	return out
}

// expandForLLB resolves every value against AssumedBaseEnv, drops the
// env steps, and leaves out of each env what the base image sets itself.
func expandForLLB(e *Env) {
	var steps []Step
	for _, s := range e.Steps {
		switch st := s.(type) {
		case EnvStep:
			continue
		case RunStep:
			st.Env = ResolveVars(st.Env, AssumedBaseEnv)
			s = st
		}
		steps = append(steps, s)
	}
	e.Steps = steps
	e.RunEnv = ResolveVars(e.RunEnv, AssumedBaseEnv)
}

// ResolveVars resolves effective values against base (NAME=value
// entries) and drops the variables whose value is then base's own.
func ResolveVars(vars []Var, base []string) []Var {
	var out []Var
	for _, v := range vars {
		val := Literal(Resolve(v.Value, base))
		if isBase(v.Name, val, base) {
			continue
		}
		out = append(out, Var{Name: v.Name, Value: val})
	}
	return out
}

// LiteralEnv turns an exec's or an image config's env (NAME=value
// entries, values literal) into sorted vars, leaving out what base sets.
func LiteralEnv(env []string, base []string) []Var {
	var out []Var
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		val := Literal(value)
		if isBase(name, val, base) {
			continue
		}
		out = append(out, Var{Name: name, Value: val})
	}
	return SortVars(out)
}

func isBase(name string, literalValue ir.Word, base []string) bool {
	for _, kv := range base {
		if k, v, _ := strings.Cut(kv, "="); k == name && slices.Equal(Literal(v), literalValue) {
			return true
		}
	}
	return false
}

// clone returns a deep copy of e.
func (e *Env) clone() *Env {
	c := *e
	c.Steps = cloneSteps(e.Steps)
	c.Stages = make([]Env, len(e.Stages))
	for i, st := range e.Stages {
		st.Steps = cloneSteps(st.Steps)
		c.Stages[i] = st
	}
	if e.Stages == nil {
		c.Stages = nil
	}
	c.Platforms = append([]string(nil), e.Platforms...)
	c.RunEnv = append([]Var(nil), e.RunEnv...)
	c.Run = append([]string(nil), e.Run...)
	if e.Run != nil && len(e.Run) == 0 {
		c.Run = []string{}
	}
	c.Ports = append([]ir.Port(nil), e.Ports...)
	c.Mounts = append([]ir.Mount(nil), e.Mounts...)
	c.Labels = append([]Label(nil), e.Labels...)
	return &c
}

func cloneSteps(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		switch st := s.(type) {
		case InstallStep:
			st.Packages = slices.Clone(st.Packages)
			s = st
		case EnvStep:
			st.Vars = slices.Clone(st.Vars)
			s = st
		case RunStep:
			st.Env, st.Scoped, st.Sourced = slices.Clone(st.Env), slices.Clone(st.Scoped), slices.Clone(st.Sourced)
			s = st
		case UserStep:
			st.Groups = slices.Clone(st.Groups)
			s = st
		}
		out[i] = s
	}
	return out
}
