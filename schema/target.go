package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Target is a target block: the run-time values one target (its label,
// checked by the compiler, which knows the targets) gives instead of the
// environment's. Each attribute field is nil when the block does not set
// it.
type Target struct {
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range

	Run        *hcl.Attribute
	Entrypoint *hcl.Attribute
	Env        *hcl.Attribute
	Workdir    *hcl.Attribute
}

// TargetAttributes are the attributes a target block may set, in the
// order the language reference gives them.
var TargetAttributes = []string{"run", "entrypoint", "env", "workdir"}

// targetBlockSchema accepts what a target block may set and, to name
// them in a clear error, every other attribute and block of an
// environment.
var targetBlockSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, a := range environmentBlockSchema.Attributes {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a.Name})
	}
	s.Blocks = append(s.Blocks, environmentBlockSchema.Blocks...)
	return s
}()

// decodeTargetBlock decodes a target block. An attribute or block of an
// environment that a target cannot give otherwise is an error naming
// what can.
func decodeTargetBlock(b *hcl.Block) (*Target, hcl.Diagnostics) {
	t := &Target{Name: b.Labels[0], NameRange: b.LabelRanges[0], DeclRange: b.DefRange}
	c, diags := b.Body.Content(targetBlockSchema)
	at := c.Attributes
	t.Run, t.Entrypoint, t.Env, t.Workdir = at["run"], at["entrypoint"], at["env"], at["workdir"]
	for _, a := range sortedAttributes(at) {
		switch a.Name {
		case "run", "entrypoint", "env", "workdir":
			continue
		}
		diags = append(diags, notPerTarget(fmt.Sprintf("The attribute %q", a.Name), a.NameRange))
	}
	for _, nb := range c.Blocks {
		diags = append(diags, notPerTarget(fmt.Sprintf("A %s block", nb.Type), nb.DefRange))
	}
	if len(at) == 0 && len(c.Blocks) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty target block",
			Detail:   fmt.Sprintf("The target block for %q gives nothing otherwise. Set run, entrypoint, env or workdir in it, or remove it.", t.Name),
			Subject:  b.DefRange.Ptr(),
		})
	}
	return t, diags
}

func notPerTarget(what string, rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Not per target",
		Detail: what + " is the same in every target: a target block gives only run, entrypoint, env and workdir otherwise. " +
			"Move it to the environment, or, for a build step of one target, write a step with only = [\"TARGET\"].",
		Subject: rng.Ptr(),
	}
}
