package emitters

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// Rule is one entry of the lossy-mapping catalogue: a way in which a target
// cannot express a spec construct natively. Every warning an emitter raises
// comes from a Rule, so the catalogue is the complete list of what envc
// emulates, declares only, or cannot carry.
type Rule struct {
	// Name is unique, kebab-case, and starts with the target's name, e.g.
	// "singularity-port-declared".
	Name string
	// Target is the emitter's name.
	Target string
	// Construct is the spec construct, as spelled in the language
	// (e.g. "port", "mount", "user", "vm").
	Construct string
	// Mapping says how the construct lands: "emulated", "declared-only" or
	// "unsupported".
	Mapping string
	// Summary is the warning's summary: a few words, sentence case.
	Summary string
	// Detail explains what the target does instead and what the user can do.
	// It may contain one %s verb, filled by Warn's argument.
	Detail string
	// Off marks a rule that is off by default: the target does with the
	// construct all that it is for (a container ignores the settings of a
	// virtual machine), so warning on every compile would be noise. Its
	// warning is still raised; the command line leaves it out unless asked
	// for every warning, and envc explain shows it.
	Off bool
}

// The Mapping values a Rule can have.
const (
	Emulated     = "emulated"
	DeclaredOnly = "declared-only"
	Unsupported  = "unsupported"
)

var catalogue = map[string]*Rule{}

// newRule adds r to the catalogue; names must be unique.
func newRule(r Rule) *Rule {
	if _, dup := catalogue[r.Name]; dup {
		panic("emitters: duplicate rule " + r.Name)
	}
	catalogue[r.Name] = &r
	return &r
}

// Rules returns the catalogue sorted by name.
func Rules() []*Rule {
	out := make([]*Rule, 0, len(catalogue))
	for _, r := range catalogue {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RuleExtra is carried in hcl.Diagnostic.Extra by warnings made from a Rule.
type RuleExtra struct {
	Rule *Rule
}

// Warn returns the rule's warning at rng. arg fills a %s in Detail.
func (r *Rule) Warn(rng hcl.Range, arg ...any) *hcl.Diagnostic {
	detail := r.Detail
	if len(arg) > 0 {
		detail = fmt.Sprintf(detail, arg...)
	}
	rc := rng
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  r.Summary + " [" + r.Name + "]",
		Detail:   detail,
		Subject:  &rc,
		Extra:    RuleExtra{Rule: r},
	}
}
