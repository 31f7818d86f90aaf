package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// decodeString decodes as gohcl.DecodeExpression does into a string: the
// same value, and the same diagnostics for what is not one.
func TestDecodeStringIsGohcls(t *testing.T) {
	for _, src := range []string{`"text"`, `3`, `true`, `"a${"b"}"`, `null`, `[1]`, `{a = 1}`, `var.x`, `upper("a")`, `"${`} {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "x.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			continue
		}
		var got, want string
		gotDiags := decodeString(expr, &got)
		wantDiags := gohcl.DecodeExpression(expr, nil, &want)
		if got != want {
			t.Errorf("%s: %q, gohcl %q", src, got, want)
		}
		if diff := cmp.Diff(wantDiags.Error(), gotDiags.Error()); diff != "" {
			t.Errorf("%s: diagnostics differ from gohcl's (-gohcl +got):\n%s", src, diff)
		}
	}
}
