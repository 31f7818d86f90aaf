package emitters

import (
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
)

// UnknownRef is a reference in an env value to a variable that no earlier
// env var sets and the base image is not known to set.
type UnknownRef struct {
	Var ir.EnvVar
	Ref string
}

// UnknownRefs returns, in spec order and once per variable and name, the
// references of env's variables to variables that are set neither by an
// earlier env var nor by the base image (baseEnv, NAME=value entries;
// nil means unknown, and only PATH is taken as set). Docker and LLB expand
// such a reference when building, where the base image's config is the
// whole environment (so `${HOME}` is empty); a shell target exports it
// and the shell expands it when the environment starts, to the caller's
// value. The shell targets warn at each. Where the variables differ by
// platform (ir.Env.PlatformValues), a reference unknown on one of the
// platforms is one (in the order of the platforms, then of the spec).
func UnknownRefs(env *ir.Env, baseEnv []string) []UnknownRef {
	if !env.PlatformValues() {
		return unknownRefs(env, baseEnv)
	}
	type key struct {
		rng string
		ref string
	}
	var out []UnknownRef
	seen := map[key]bool{}
	for _, p := range env.Platforms {
		for _, r := range unknownRefs(env.ForPlatform(p), baseEnv) {
			k := key{r.Var.Range.String() + "\x00" + r.Var.Name, r.Ref}
			if !seen[k] {
				seen[k] = true
				out = append(out, r)
			}
		}
	}
	return out
}

func unknownRefs(env *ir.Env, baseEnv []string) []UnknownRef {
	known := map[string]bool{}
	if baseEnv == nil {
		known["PATH"] = true
	}
	for _, kv := range baseEnv {
		name, _, _ := strings.Cut(kv, "=")
		known[name] = true
	}
	var out []UnknownRef
	for _, s := range env.Steps {
		es, ok := s.(*ir.EnvStep)
		if !ok {
			continue
		}
		for _, v := range es.Vars {
			seen := map[string]bool{}
			for _, p := range v.Value {
				if p.Ref != "" && !known[p.Ref] && !seen[p.Ref] {
					seen[p.Ref] = true
					out = append(out, UnknownRef{Var: v, Ref: p.Ref})
				}
			}
			known[v.Name] = true
		}
	}
	return out
}
