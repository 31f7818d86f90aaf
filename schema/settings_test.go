package schema

import (
	"strings"
	"testing"
)

func TestSettings(t *testing.T) {
	src := `
envc {
  ignore = ["vagrant-base-not-image", "llb-port-host-binding"]
}
environment "demo" {
  base = "debian:bookworm"
}
`
	f, diags := Parse("spec.hcl", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	spec, diags := Decode(f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if spec.Settings == nil || len(spec.Settings.Ignore) != 2 {
		t.Fatalf("settings %+v", spec.Settings)
	}
	second := spec.Settings.Ignore[1]
	if second.Name != "llb-port-host-binding" || second.Range.Start.Line != 3 || second.Range.Start.Column != 39 {
		t.Errorf("second rule %+v, want llb-port-host-binding at 3:39", second)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"not a list", `envc { ignore = "x" }`, "Invalid ignore list"},
		{"a variable", `envc { ignore = [var.x] }`, "Invalid ignore list"},
		{"not a string", `envc { ignore = ["a", 1] }`, "Invalid rule name"},
		{"unknown attribute", `envc { strict = true }`, "Unsupported argument"},
		{"twice", "envc {}\nenvc {}", "Duplicate envc block"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.body + "\nenvironment \"demo\" {\n  base = \"debian:bookworm\"\n}\n"
			f, diags := Parse("spec.hcl", []byte(src))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			_, diags = Decode(f)
			if !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) {
				t.Errorf("diagnostics %v, want %q", diags, c.want)
			}
		})
	}
}
