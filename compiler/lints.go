package compiler

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// A Lint is a warning the compiler gives about a spec that every target
// builds as written, but that likely does not do what its author meant
// (the emitters' rule catalogue holds the other kind: what a target
// cannot say). Each lint has a name, shown in brackets after the
// summary, as a rule's is, and given as "rule" in JSON output.
type Lint struct {
	// Name is unique and kebab-case.
	Name string
	// Summary is the warning's summary: a few words, sentence case.
	Summary string
}

// LintExtra is carried in hcl.Diagnostic.Extra by the warnings of a Lint.
type LintExtra struct {
	Lint *Lint
}

// The compiler's lints.
var (
	LintStepUserNotCreated = newLint("step-user-not-created", "Step user not created by the spec")
	LintCopyIntoLaterHome  = newLint("copy-into-later-home", "File copied into a home created later")
	LintCopyIntoLaterDir   = newLint("copy-into-later-folder", "File copied into a folder created later")
	LintStageUnused        = newLint("stage-unused", "Stage never copied from")
	LintMountOutsideSpec   = newLint("mount-source-outside-spec", "Mount source outside the spec's folder")
	LintBaseTagMoves       = newLint("base-tag-moves", "Base image tag follows new releases")
)

var lints = map[string]*Lint{}

func newLint(name, summary string) *Lint {
	l := &Lint{Name: name, Summary: summary}
	lints[name] = l
	return l
}

// Lints returns the compiler's lints, sorted by name.
func Lints() []*Lint {
	out := make([]*Lint, 0, len(lints))
	for _, l := range lints {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Warn returns the lint's warning at rng, detail formatted with args.
func (l *Lint) Warn(rng hcl.Range, detail string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  l.Summary + " [" + l.Name + "]",
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  rng.Ptr(),
		Extra:    LintExtra{Lint: l},
	}
}
