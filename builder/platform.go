package builder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Platforms returns the platforms the daemon's workers build for, as they
// listed them when Connect asked: each worker's own platform first, then
// those it runs through emulation (binfmt_misc handlers, e.g. QEMU).
func (c *Client) Platforms() []ocispecs.Platform { return slices.Clone(c.platforms) }

// Platform is ChoosePlatform against the daemon's platforms.
func (c *Client) Platform(requested string, env *ir.Env) (string, hcl.Diagnostics) {
	return ChoosePlatform(requested, env, c.platforms, c.ep.Addr)
}

// ChoosePlatform returns the platform ("os/arch[/variant]", normalized)
// to build env for on a daemon that builds for daemon (the native one
// first; addr names it in messages):
//
//   - requested, when given: it must be one of env.Platforms (when the
//     environment lists them) and one the daemon can run;
//   - else, for an environment with platforms, the daemon's own platform
//     when listed, else the first listed one the daemon can run (through
//     emulation);
//   - else the daemon's own platform (emitters.DefaultPlatform when the
//     daemon lists none).
//
// A platform the daemon cannot run is an error that says which ones it
// runs and how to add others; with no list from the daemon, any platform
// is taken.
func ChoosePlatform(requested string, env *ir.Env, daemon []ocispecs.Platform, addr string) (string, hcl.Diagnostics) {
	var built []ocispecs.Platform
	for _, s := range env.Platforms {
		p, err := buildkit.ParsePlatform(s)
		if err != nil {
			return "", platformError(env, "Invalid platform", fmt.Sprintf("The environment %q lists the platform %q: %v.", env.Name, s, err))
		}
		built = append(built, ociPlatform(p))
	}
	runs := func(p ocispecs.Platform) bool {
		return len(daemon) == 0 || slices.ContainsFunc(daemon, func(d ocispecs.Platform) bool { return same(d, p) })
	}
	if requested != "" {
		bp, err := buildkit.ParsePlatform(requested)
		if err != nil {
			return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid platform",
				Detail: fmt.Sprintf("--platform %q: %v. Write os/arch[/variant], e.g. %q.", requested, err, emitters.DefaultPlatform)}}
		}
		p := ociPlatform(bp)
		if len(built) > 0 && !slices.ContainsFunc(built, func(b ocispecs.Platform) bool { return same(b, p) }) {
			return "", platformError(env, "Platform not built for",
				fmt.Sprintf("The environment %q is built for %s, not for %s. Pass one of them with --platform, or add it to platforms.",
					env.Name, strings.Join(env.Platforms, ", "), formatPlatform(p)))
		}
		if !runs(p) {
			return "", platformError(env, "Platform the daemon cannot run", cannotRun(formatPlatform(p), daemon, addr))
		}
		return formatPlatform(p), nil
	}
	if len(built) == 0 {
		if len(daemon) == 0 {
			return emitters.DefaultPlatform, nil
		}
		return formatPlatform(platforms.Normalize(daemon[0])), nil
	}
	if len(daemon) > 0 {
		if i := slices.IndexFunc(built, func(b ocispecs.Platform) bool { return same(b, daemon[0]) }); i >= 0 {
			return formatPlatform(built[i]), nil
		}
	}
	for _, b := range built {
		if runs(b) {
			return formatPlatform(b), nil
		}
	}
	return "", platformError(env, "Platform the daemon cannot run",
		fmt.Sprintf("The environment %q is built for %s. %s", env.Name, strings.Join(env.Platforms, ", "), cannotRun("any of them", daemon, addr)))
}

func cannotRun(what string, daemon []ocispecs.Platform, addr string) string {
	var names []string
	for _, d := range daemon {
		names = append(names, formatPlatform(platforms.Normalize(d)))
	}
	return fmt.Sprintf("The BuildKit daemon at %s cannot run %s: it builds for %s only. A daemon runs another architecture's steps through emulation: install QEMU's binfmt_misc handlers on its host (e.g. docker run --privileged --rm tonistiigi/binfmt --install all) and restart it, or build on a daemon of that architecture.",
		addr, what, strings.Join(names, ", "))
}

func platformError(env *ir.Env, summary, detail string) hcl.Diagnostics {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if len(env.Platforms) > 0 {
		d.Subject = env.PlatformsRange.Ptr()
	} else {
		d.Subject = env.DeclRange.Ptr()
	}
	return hcl.Diagnostics{d}
}

// ociPlatform is p as the OCI image spec's Go type holds it.
func ociPlatform(p buildkit.Platform) ocispecs.Platform {
	return ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}

// formatPlatform renders p as os/arch[/variant].
func formatPlatform(p ocispecs.Platform) string {
	return buildkit.FormatPlatform(buildkit.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant})
}

// same reports whether a and b are one platform, once normalized
// ("linux/arm64/v8" is "linux/arm64").
func same(a, b ocispecs.Platform) bool {
	a, b = platforms.Normalize(a), platforms.Normalize(b)
	return a.OS == b.OS && a.Architecture == b.Architecture && a.Variant == b.Variant
}
