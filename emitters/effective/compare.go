package effective

import (
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Difference is one construct on which a target's view differs from the
// spec's.
type Difference struct {
	Construct string
	Target    string
	// Diff is go-cmp's report, (-want +got): want is the spec's view (with
	// the target's declared differences applied), got the target's.
	Diff string
}

func (d Difference) String() string {
	return fmt.Sprintf("%s differs on target %s (-want +got):\n%s", d.Construct, d.Target, d.Diff)
}

// StepConstruct returns the spec construct a step kind comes from.
func StepConstruct(kind string) string {
	switch kind {
	case KindInstall:
		return "packages"
	case KindCopy:
		return "file"
	case KindEnv:
		return "env"
	case KindRun:
		return "setup"
	default: // user, workdir
		return kind
	}
}

// part is what one construct covers in a view.
type part struct {
	construct string
	get       func(*Env) any
}

// stepsOf returns the steps of the given kinds, in order.
func stepsOf(e *Env, kinds ...string) []Step {
	var out []Step
	for _, s := range e.Steps {
		for _, k := range kinds {
			if s.Kind == k {
				out = append(out, s)
			}
		}
	}
	return out
}

// parts lists, construct by construct, what a view holds. The order of
// the steps across kinds is a part of its own ("steps").
var parts = []part{
	{"base", func(e *Env) any { return e.Base }},
	{"packages", func(e *Env) any { return stepsOf(e, KindInstall) }},
	{"env", func(e *Env) any {
		return struct {
			Steps  []Step
			RunEnv []Var
		}{stepsOf(e, KindEnv), e.RunEnv}
	}},
	{"file", func(e *Env) any { return stepsOf(e, KindCopy) }},
	{"setup", func(e *Env) any { return stepsOf(e, KindRun) }},
	{"user", func(e *Env) any {
		return struct {
			Steps []Step
			User  string
		}{stepsOf(e, KindUser), e.User}
	}},
	{"workdir", func(e *Env) any {
		return struct {
			Steps   []Step
			Workdir string
		}{stepsOf(e, KindWorkdir), e.Workdir}
	}},
	{"run", func(e *Env) any { return e.Run }},
	{"port", func(e *Env) any { return e.Ports }},
	{"mount", func(e *Env) any { return e.Mounts }},
	{"labels", func(e *Env) any { return e.Labels }},
	{"vm", func(e *Env) any { return e.VM }},
}

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

// Compare compares got, a target's view, with want, the spec's view
// after Expect, construct by construct, and returns the constructs that
// differ. When every construct agrees but the steps come in another order,
// the difference names the construct of the first step out of place.
func Compare(target string, want, got *Env) []Difference {
	want, got = mergeEnvSteps(want), mergeEnvSteps(got)
	var out []Difference
	for _, p := range parts {
		if d := cmp.Diff(p.get(want), p.get(got), cmpOpts...); d != "" {
			out = append(out, Difference{Construct: p.construct, Target: target, Diff: d})
		}
	}
	if len(out) > 0 {
		return out
	}
	var wk, gk []string
	for _, s := range want.Steps {
		wk = append(wk, s.Kind)
	}
	for _, s := range got.Steps {
		gk = append(gk, s.Kind)
	}
	if d := cmp.Diff(wk, gk, cmpOpts...); d != "" {
		con := "setup"
		for i := range wk {
			if i >= len(gk) || wk[i] != gk[i] {
				con = StepConstruct(wk[i])
				break
			}
		}
		out = append(out, Difference{Construct: con, Target: target, Diff: "order of the steps:\n" + d})
	}
	return out
}

// Report renders differences one after the other.
func Report(diffs []Difference) string {
	var b strings.Builder
	for _, d := range diffs {
		b.WriteString(d.String())
		b.WriteString("\n")
	}
	return b.String()
}

// mergeEnvSteps returns e with consecutive env steps merged into one:
// nothing runs between them, so one step or several mean the same (a
// Dockerfile splits an env step where a value refers to a variable the
// same step sets, since ENV expands all its values first).
func mergeEnvSteps(e *Env) *Env {
	c := e.clone()
	var steps []Step
	for _, s := range c.Steps {
		if n := len(steps); n > 0 && s.Kind == KindEnv && steps[n-1].Kind == KindEnv {
			steps[n-1].Vars = append(steps[n-1].Vars, s.Vars...)
			continue
		}
		steps = append(steps, s)
	}
	c.Steps = steps
	return c
}
