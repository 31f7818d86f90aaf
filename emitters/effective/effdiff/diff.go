package effdiff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
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

// part is what one construct covers in a view.
type part struct {
	construct string
	get       func(*effective.Env) any
}

// stepsOf returns the steps of construct con, in order.
func stepsOf(e *effective.Env, con string) []effective.Step {
	var out []effective.Step
	for _, s := range e.Steps {
		if s.Construct() == con {
			out = append(out, s)
		}
	}
	return out
}

// parts lists, construct by construct, what a view holds. The order of
// the steps across kinds is a part of its own ("steps").
var parts = []part{
	{"base", func(e *effective.Env) any { return e.Base }},
	{"packages", func(e *effective.Env) any { return stepsOf(e, "packages") }},
	{"env", func(e *effective.Env) any {
		return struct {
			Steps  []effective.Step
			RunEnv []effective.Var
		}{stepsOf(e, "env"), e.RunEnv}
	}},
	{"file", func(e *effective.Env) any { return stepsOf(e, "file") }},
	{"setup", func(e *effective.Env) any { return stepsOf(e, "setup") }},
	{"user", func(e *effective.Env) any {
		return struct {
			Steps []effective.Step
			User  string
		}{stepsOf(e, "user"), e.User}
	}},
	{"workdir", func(e *effective.Env) any {
		return struct {
			Steps   []effective.Step
			Workdir string
		}{stepsOf(e, "workdir"), e.Workdir}
	}},
	{"run", func(e *effective.Env) any { return e.Run }},
	{"entrypoint", func(e *effective.Env) any { return e.Entrypoint }},
	{"init", func(e *effective.Env) any { return e.Init }},
	{"port", func(e *effective.Env) any { return e.Ports }},
	{"mount", func(e *effective.Env) any { return e.Mounts }},
	{"labels", func(e *effective.Env) any { return e.Labels }},
	{"vm", func(e *effective.Env) any { return e.VM }},
	{"gpu", func(e *effective.Env) any { return e.GPU }},
	{"healthcheck", func(e *effective.Env) any { return e.Healthcheck }},
	{"hpc", func(e *effective.Env) any { return e.HPC }},
	{"stage", func(e *effective.Env) any { return e.Stages }},
	{"platforms", func(e *effective.Env) any { return e.Platforms }},
}

// cmpOpts compare empty and nil alike, and words by their text in envc's
// notation, which says the same for words that only split their literal
// text differently.
var cmpOpts = []cmp.Option{
	cmpopts.EquateEmpty(),
	// (Two empty words are equal by EquateEmpty; only one option may apply.)
	cmp.FilterValues(func(a, b ir.Word) bool { return len(a) > 0 || len(b) > 0 }, cmp.Transformer("word", ir.Word.String)),
}

// Compare compares got, a target's view, with want, the spec's view
// after Expect, construct by construct, and returns the constructs that
// differ. When every construct agrees but the steps come in another order,
// the difference names the construct of the first step out of place.
func Compare(target string, want, got *effective.Env) []Difference {
	want, got = platformOrder(mergeEnvSteps(want)), platformOrder(mergeEnvSteps(got))
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
		wk = append(wk, s.Construct())
	}
	for _, s := range got.Steps {
		gk = append(gk, s.Construct())
	}
	if d := cmp.Diff(wk, gk, cmpOpts...); d != "" {
		con := "setup"
		for i := range wk {
			if i >= len(gk) || wk[i] != gk[i] {
				con = wk[i]
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

// mergeEnvSteps returns e with consecutive env steps merged into one, and
// the env steps that end the build left out (nothing runs after them: they
// say only what RunEnv says, as a Dockerfile's ENV of the run command's
// own variables does):
// nothing runs between them, so one step or several mean the same (a
// Dockerfile splits an env step where a value refers to a variable the
// same step sets, since ENV expands all its values first, and writes an
// ARG for each variable of a build_env step). Its stages are merged alike:
// only the files copied out of a stage outlast it, so an env step that
// ends one says nothing either.
func mergeEnvSteps(e *effective.Env) *effective.Env {
	c := *e
	if e.Stages != nil {
		c.Stages = make([]effective.Env, len(e.Stages))
		for i := range e.Stages {
			c.Stages[i] = *mergeEnvSteps(&e.Stages[i])
		}
	}
	var steps []effective.Step
	for _, s := range e.Steps {
		if n := len(steps); n > 0 {
			prev, ok1 := steps[n-1].(effective.EnvStep)
			cur, ok2 := s.(effective.EnvStep)
			if ok1 && ok2 {
				steps[n-1] = effective.EnvStep{Vars: append(slices.Clone(prev.Vars), cur.Vars...)}
				continue
			}
		}
		steps = append(steps, s)
	}
	for len(steps) > 0 {
		if _, ok := steps[len(steps)-1].(effective.EnvStep); !ok {
			break
		}
		steps = steps[:len(steps)-1]
	}
	c.Steps = steps
	return &c
}

// platformOrder returns e with each run of consecutive steps limited to
// some platforms (and the runs of its stages) in one canonical order that
// keeps the order of every two steps that some platform both runs: each
// platform's build is the same, and the order of two steps no platform
// both runs is no fact of the environment (a target that writes one
// definition per platform, as llb does, cannot say it).
func platformOrder(e *effective.Env) *effective.Env {
	c := *e
	c.Steps = orderRuns(e.Steps)
	if e.Stages != nil {
		c.Stages = slices.Clone(e.Stages)
		for i := range c.Stages {
			c.Stages[i].Steps = orderRuns(c.Stages[i].Steps)
		}
	}
	return &c
}

// orderRuns orders each run of consecutive limited steps of steps by
// orderRun.
func orderRuns(steps []effective.Step) []effective.Step {
	var out []effective.Step
	for i := 0; i < len(steps); {
		j := i
		for j < len(steps) && effective.StepPlatforms(steps[j]) != nil {
			j++
		}
		if j == i {
			out = append(out, steps[i])
			i++
			continue
		}
		out = append(out, orderRun(steps[i:j])...)
		i = j
	}
	return out
}

// orderRun returns run, steps each limited to some platforms, in the
// order that takes, of the steps no earlier step sharing a platform
// holds back, the one with the least first platform (then the earliest).
func orderRun(run []effective.Step) []effective.Step {
	shares := func(a, b effective.Step) bool {
		return slices.ContainsFunc(effective.StepPlatforms(a), func(p string) bool { return slices.Contains(effective.StepPlatforms(b), p) })
	}
	done := make([]bool, len(run))
	var out []effective.Step
	for len(out) < len(run) {
		best := -1
		for j := range run {
			if done[j] {
				continue
			}
			ready := true
			for i := 0; i < j && ready; i++ {
				ready = done[i] || !shares(run[i], run[j])
			}
			if ready && (best < 0 || effective.StepPlatforms(run[j])[0] < effective.StepPlatforms(run[best])[0]) {
				best = j
			}
		}
		done[best] = true
		out = append(out, run[best])
	}
	return out
}
