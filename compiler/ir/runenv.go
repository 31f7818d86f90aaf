package ir

import "slices"

// RunEnv returns the environment variables the run command sees: those of
// the EnvSteps in Steps, a name set again replacing its earlier value
// (and taking the later place). It is the one place the targets that
// list the run environment (a definition file's %environment, a machine's
// profile script) get it from; the targets that build by instruction get
// the same variables by performing the EnvSteps.
//
// Variables of the build alone (EnvStep.BuildOnly) are left out. When
// some of the variables come from the environment this one is built on
// (from), or there are variables of the build alone, every value has each
// reference to a variable set before it replaced by that variable's
// value, so that the list reads the same in any order and what remains
// refers to the base image alone; otherwise the values are as written.
// The run command's own variables (RunVars) are apart.
func (e *Env) RunEnv() []EnvVar { return e.runEnv(false) }

// runEnv is RunEnv; resolve resolves every value whatever the steps.
func (e *Env) runEnv(resolve bool) []EnvVar {
	var steps []*EnvStep
	for i, s := range e.Steps {
		if es, ok := s.(*EnvStep); ok && len(es.Vars) > 0 {
			steps = append(steps, es)
			// Values inherited through from, or referring to a variable
			// of the build alone, are resolved.
			resolve = resolve || i < e.FromSteps || es.BuildOnly
		}
	}
	switch {
	case len(steps) == 0:
		return nil
	case len(steps) == 1 && !resolve:
		return steps[0].Vars
	}
	// Resolve every value in step order, then keep the last setting of
	// each name the run command sees, in the order of those settings.
	scope := map[string]Word{}
	last := map[string]int{}
	var all []EnvVar
	for _, es := range steps {
		for _, v := range es.Vars {
			w := ResolveWord(v.Value, scope)
			scope[v.Name] = w
			if es.BuildOnly {
				continue
			}
			last[v.Name] = len(all)
			all = append(all, EnvVar{Name: v.Name, Value: w, Range: v.Range})
		}
	}
	out := make([]EnvVar, 0, len(last))
	for i, v := range all {
		if last[v.Name] == i {
			out = append(out, v)
		}
	}
	return out
}

// ResolveWord returns w with each reference to a variable in scope
// replaced by its value, adjacent literal parts joined and empty ones
// dropped.
func ResolveWord(w Word, scope map[string]Word) Word {
	var out Word
	add := func(p WordPart) {
		if p.Ref == "" && p.Lit == "" {
			return
		}
		if n := len(out); n > 0 && p.Ref == "" && out[n-1].Ref == "" {
			out[n-1].Lit += p.Lit
			return
		}
		out = append(out, p)
	}
	for _, p := range w {
		if v, ok := scope[p.Ref]; ok && p.Ref != "" {
			for _, q := range v {
				add(q)
			}
			continue
		}
		add(p)
	}
	return out
}

// PlatformValues reports whether an env step of e gives variables values
// on some platforms alone (EnvStep.Platforms): what the environment sets
// then differs by platform.
func (e *Env) PlatformValues() bool {
	for _, s := range e.Steps {
		if es, ok := s.(*EnvStep); ok && es.Platforms != nil {
			return true
		}
	}
	return false
}

// PlatformRunEnv returns what RunEnv returns for an environment whose
// variables differ by platform (PlatformValues), for the targets that
// build every platform from one script: common holds the variables with
// one value on every platform of Platforms, per (one list per platform,
// in the order of Platforms) the others, as that platform's RunEnv has
// them. Every value has each reference to a variable set before it
// replaced by that variable's value, so that the lists read the same in
// any order and what remains refers to the base image alone.
func (e *Env) PlatformRunEnv() (common []EnvVar, per [][]EnvVar) {
	lists := make([][]EnvVar, len(e.Platforms))
	for i, p := range e.Platforms {
		lists[i] = e.ForPlatform(p).runEnv(true)
	}
	same := func(v EnvVar) bool {
		for _, l := range lists {
			i := slices.IndexFunc(l, func(w EnvVar) bool { return w.Name == v.Name })
			if i < 0 || !slices.Equal(l[i].Value, v.Value) {
				return false
			}
		}
		return true
	}
	per = make([][]EnvVar, len(lists))
	for i, l := range lists {
		for _, v := range l {
			switch {
			case !same(v):
				per[i] = append(per[i], v)
			case i == 0:
				common = append(common, v)
			}
		}
	}
	return common, per
}
