package compiler

import (
	"regexp"
	"slices"
	"strings"
)

// platformPattern is what a platform may be: linux (the only OS whose
// images these targets build) on an architecture an OCI image index
// names, with the variants the OCI image spec lists.
var platformPattern = regexp.MustCompile(`^linux/(386|amd64|arm64(/v8)?|arm/v[5-7]|ppc64le|s390x|riscv64|mips64le|loong64)$`)

// lowerPlatforms evaluates the platforms attribute.
func (el *envLowerer) lowerPlatforms() {
	a := el.e.Platforms
	if a == nil {
		return
	}
	items, ok := el.strList(a, "platforms")
	if !ok {
		return
	}
	var out []string
	for _, it := range items {
		switch {
		case !platformPattern.MatchString(it.Value):
			el.errorf(it.Range, "Invalid platform",
				"%q is not a platform envc builds for: write os/arch[/variant] as OCI images name them, e.g. \"linux/amd64\", \"linux/arm64\" or \"linux/arm/v7\".", it.Value)
			ok = false
			continue
		case slices.Contains(out, strings.TrimSuffix(it.Value, "/v8")):
			el.errorf(it.Range, "Duplicate platform", "%q is already listed. Remove it.", it.Value)
			ok = false
			continue
		}
		out = append(out, strings.TrimSuffix(it.Value, "/v8")) // arm64 is v8: OCI indexes leave the variant out
	}
	if !ok {
		return
	}
	if len(out) == 0 {
		el.errorf(a.Expr.Range(), "No platform",
			"platforms lists no platform. List at least one (e.g. [\"linux/amd64\"]), or remove it to build for the builder's own.")
		return
	}
	el.env.Platforms, el.env.PlatformsRange = out, a.Expr.Range()
}
