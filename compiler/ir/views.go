package ir

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// Override is what one target gives instead of the environment's
// run-time values (a target block). A field whose Set flag is false is
// the environment's.
type Override struct {
	// Target is the target's canonical name.
	Target string
	// Run and Entrypoint replace Env.Run and Env.Entrypoint when RunSet
	// and EntrypointSet; nil then means none in that target. Entrypoint
	// starts with the source wrapper where the environment has one.
	Run             []string
	RunSet          bool
	RunRange        hcl.Range
	Entrypoint      []string
	EntrypointSet   bool
	EntrypointRange hcl.Range
	// Workdir replaces Env.Workdir when not "" (its WorkdirStep is the
	// target's own).
	Workdir      string
	WorkdirRange hcl.Range
	// HasEnv says the target sets variables of its own (the EnvStep of
	// that target alone), for reports.
	HasEnv bool
	Range  hcl.Range
}

// Override returns the override of the target named target, or nil.
func (e *Env) Override(target string) *Override {
	for i := range e.Overrides {
		if e.Overrides[i].Target == target {
			return &e.Overrides[i]
		}
	}
	return nil
}

// ForTarget returns env as the target named target sees it: the steps
// limited to other targets left out, in env and in its stages, and the
// target's override applied (Overrides is then nil). It returns env
// itself when no step is limited and the target overrides nothing. The
// pipeline applies it once before an emitter sees the environment
// (emitters.EmitFor), and the equivalence checks compare each target
// with its own view; emitters never filter steps themselves.
func (e *Env) ForTarget(target string) *Env {
	o := e.Override(target)
	if !e.limited() && o == nil {
		return e
	}
	c := *e
	c.Steps = make([]Step, 0, len(e.Steps))
	for _, s := range e.Steps {
		if ts := s.StepTargets(); ts == nil || slices.Contains(ts, target) {
			c.Steps = append(c.Steps, s)
		}
	}
	c.Stages = make([]*Env, len(e.Stages))
	for i, st := range e.Stages {
		c.Stages[i] = st.ForTarget(target)
	}
	if e.Stages == nil {
		c.Stages = nil
	}
	c.Overrides = nil
	if o != nil {
		if o.RunSet {
			c.Run, c.RunRange = o.Run, o.RunRange
		}
		if o.EntrypointSet {
			c.Entrypoint, c.EntrypointRange = o.Entrypoint, o.EntrypointRange
		}
		if o.Workdir != "" {
			c.Workdir, c.WorkdirRange = o.Workdir, o.WorkdirRange
		}
	}
	return &c
}

// limited reports whether a step of e or of its stages is limited to
// some targets.
func (e *Env) limited() bool {
	for _, s := range e.Steps {
		if s.StepTargets() != nil {
			return true
		}
	}
	return slices.ContainsFunc(e.Stages, (*Env).limited)
}

// ForPlatform returns env as it is built for platform (os/arch[/variant],
// as Platforms lists them): the steps limited to other platforms left
// out, in env and in its stages, and those of platform no longer limited. It returns env itself when no step is
// limited to some platforms. The targets that build one definition per
// platform (llb) apply it to each; the others build every platform from
// one file, and guard each limited step by the platform they build for.
func (e *Env) ForPlatform(platform string) *Env {
	if !e.PlatformLimited() {
		return e
	}
	c := *e
	c.Steps = make([]Step, 0, len(e.Steps))
	for _, s := range e.Steps {
		switch ps := s.StepPlatforms(); {
		case ps == nil:
			c.Steps = append(c.Steps, s)
		case slices.Contains(ps, platform):
			c.Steps = append(c.Steps, forEveryPlatform(s))
		}
	}
	c.Stages = make([]*Env, len(e.Stages))
	for i, st := range e.Stages {
		c.Stages[i] = st.ForPlatform(platform)
	}
	if e.Stages == nil {
		c.Stages = nil
	}
	return &c
}

// PlatformLimited reports whether a step of e or of its stages is
// limited to some platforms.
func (e *Env) PlatformLimited() bool {
	for _, s := range e.Steps {
		if s.StepPlatforms() != nil {
			return true
		}
	}
	return slices.ContainsFunc(e.Stages, (*Env).PlatformLimited)
}

// forEveryPlatform returns a copy of s, a step limited to some
// platforms, that is not.
func forEveryPlatform(s Step) Step {
	switch s := s.(type) {
	case *InstallStep:
		c := *s
		c.Platforms = nil
		return &c
	case *CopyStep:
		c := *s
		c.Platforms = nil
		return &c
	case *EnvStep:
		c := *s
		c.Platforms = nil
		return &c
	case *RunStep:
		c := *s
		c.Platforms = nil
		return &c
	case *UserStep:
		c := *s
		c.Platforms = nil
		return &c
	case *WorkdirStep:
		c := *s
		c.Platforms = nil
		return &c
	}
	return s
}
