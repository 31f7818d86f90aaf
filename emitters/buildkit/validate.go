package buildkit

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
)

// checkValues returns an error for every value that LLB or the image
// config cannot carry: a NUL byte (no exec argument, path or env entry can
// hold one) or invalid UTF-8 (protobuf strings and JSON must be UTF-8).
func checkValues(env *ir.Env) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	check := func(rng hcl.Range, what, s string) {
		var problem string
		switch {
		case strings.IndexByte(s, 0) >= 0:
			problem = "a NUL byte"
		case !utf8.ValidString(s):
			problem = "invalid UTF-8"
		default:
			return
		}
		key := rng.String() + "\x00" + what + "\x00" + problem
		if seen[key] {
			return
		}
		seen[key] = true
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value not representable in LLB",
			Detail:   fmt.Sprintf("The %s contains %s, which neither an LLB graph nor an OCI image config can carry. Remove it.", what, problem),
			Subject:  rng.Ptr(),
		})
	}
	word := func(rng hcl.Range, what string, w ir.Word) {
		for _, p := range w {
			check(rng, what, p.Lit+p.Ref)
		}
	}
	check(env.Base.Range, "base image", env.Base.Ref)
	for _, s := range env.Steps {
		rng := s.StepRange()
		switch s := s.(type) {
		case *ir.InstallStep:
			for _, p := range s.Packages {
				check(rng, "package name", p)
			}
		case *ir.CopyStep:
			check(rng, "file source", s.Source)
			check(rng, "file target", s.Target)
			check(rng, "file owner", s.Owner)
		case *ir.EnvStep:
			for _, v := range s.Vars {
				check(v.Range, "env var name", v.Name)
				word(v.Range, "env value", v.Value)
			}
		case *ir.RunStep:
			check(rng, "setup command", s.Command)
			check(rng, "step user", s.User)
			check(rng, "step workdir", s.Workdir)
		case *ir.UserStep:
			check(rng, "user name", s.Name)
		case *ir.WorkdirStep:
			check(rng, "workdir", s.Path)
			check(rng, "workdir owner", s.Owner)
		}
	}
	check(env.UserRange, "user", env.User)
	check(env.WorkdirRange, "workdir", env.Workdir)
	for _, a := range env.Run {
		check(env.RunRange, "run command", a)
	}
	for _, m := range env.Mounts {
		check(m.Range, "mount target", m.Target)
	}
	for _, l := range env.Labels {
		check(l.Range, "label key", l.Key)
		check(l.Range, "label value", l.Value)
	}
	return diags
}
