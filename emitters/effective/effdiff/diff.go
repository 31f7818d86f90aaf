package effdiff

import (
	"fmt"
	"strings"

	"github.com/envc-dev/envc/emitters/effective"
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
	case effective.KindInstall:
		return "packages"
	case effective.KindCopy:
		return "file"
	case effective.KindEnv:
		return "env"
	case effective.KindRun:
		return "setup"
	default: // user, workdir
		return kind
	}
}

// part is what one construct covers in a view.
type part struct {
	construct string
	get       func(*effective.Env) any
}

// stepsOf returns the steps of the given kinds, in order.
func stepsOf(e *effective.Env, kinds ...string) []effective.Step {
	var out []effective.Step
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
	{"base", func(e *effective.Env) any { return e.Base }},
	{"packages", func(e *effective.Env) any { return stepsOf(e, effective.KindInstall) }},
	{"env", func(e *effective.Env) any {
		return struct {
			Steps  []effective.Step
			RunEnv []effective.Var
		}{stepsOf(e, effective.KindEnv), e.RunEnv}
	}},
	{"file", func(e *effective.Env) any { return stepsOf(e, effective.KindCopy) }},
	{"setup", func(e *effective.Env) any { return stepsOf(e, effective.KindRun) }},
	{"user", func(e *effective.Env) any {
		return struct {
			Steps []effective.Step
			User  string
		}{stepsOf(e, effective.KindUser), e.User}
	}},
	{"workdir", func(e *effective.Env) any {
		return struct {
			Steps   []effective.Step
			Workdir string
		}{stepsOf(e, effective.KindWorkdir), e.Workdir}
	}},
	{"run", func(e *effective.Env) any { return e.Run }},
	{"entrypoint", func(e *effective.Env) any { return e.Entrypoint }},
	{"init", func(e *effective.Env) any { return e.Init }},
	{"port", func(e *effective.Env) any { return e.Ports }},
	{"mount", func(e *effective.Env) any { return e.Mounts }},
	{"labels", func(e *effective.Env) any { return e.Labels }},
	{"vm", func(e *effective.Env) any { return e.VM }},
	{"stage", func(e *effective.Env) any { return e.Stages }},
	{"platforms", func(e *effective.Env) any { return e.Platforms }},
}

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

// Compare compares got, a target's view, with want, the spec's view
// after Expect, construct by construct, and returns the constructs that
// differ. When every construct agrees but the steps come in another order,
// the difference names the construct of the first step out of place.
func Compare(target string, want, got *effective.Env) []Difference {
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
func mergeEnvSteps(e *effective.Env) *effective.Env {
	c := *e
	var steps []effective.Step
	for _, s := range e.Steps {
		if n := len(steps); n > 0 && s.Kind == effective.KindEnv && steps[n-1].Kind == effective.KindEnv {
			steps[n-1].Vars = append(append([]effective.Var(nil), steps[n-1].Vars...), s.Vars...)
			continue
		}
		steps = append(steps, s)
	}
	c.Steps = steps
	return &c
}
