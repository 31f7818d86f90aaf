package schema

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// A variable, output or module name that is not an identifier is
// reported with its kind's article and, for a module, why.
func TestInvalidIdentLabels(t *testing.T) {
	for _, c := range []struct {
		src, want string
	}{
		{`variable "1x" {}`, "A variable name must start with a letter or underscore and contain only letters, digits, underscores and dashes."},
		{`output "1x" { value = 1 }`, "An output name must start with a letter or underscore and contain only letters, digits, underscores and dashes."},
		{`module "1x" { source = "./m.hcl" }`, "A module name must start with a letter or underscore and contain only letters, digits, underscores and dashes: the steps after the call read its outputs as module.NAME."},
	} {
		f, diags := Parse("m.hcl", []byte(c.src))
		if diags.HasErrors() {
			t.Fatalf("%s: %v", c.src, diags)
		}
		_, diags = DecodeModule(f)
		if !hasDetail(diags, c.want) {
			t.Errorf("%s: no diagnostic %q in %v", c.src, c.want, diags)
		}
	}
}

func hasDetail(diags hcl.Diagnostics, detail string) bool {
	for _, d := range diags {
		if d.Detail == detail {
			return true
		}
	}
	return false
}
