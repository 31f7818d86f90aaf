package cli

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/envc-dev/envc/internal/specgen"
	"github.com/envc-dev/envc/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// TestDiagTextWriterMatchesHCL renders diagnostics at many ranges of
// several files with both writers and demands the same bytes.
func TestDiagTextWriterMatchesHCL(t *testing.T) {
	sources := map[string]string{
		"small.hcl":   string(specgen.Spec(specgen.Scale(1))),
		"unicode.hcl": "environment \"é\" {\n  base = \"ubuntu:22.04\" # ünïcödé 🙂👍🏽\n\n  env = { A = \"e\u0301\" }\n}",
		"crlf.hcl":    "environment \"x\" {\r\n  base = \"ubuntu:22.04\"\r\n}\r\n",
		"no-eol.hcl":  "locals {\n  a = 1\n}\n\n\nlocals { b = 2 }",
	}
	files := map[string]*hcl.File{}
	for name, src := range sources {
		f, _ := schema.Parse(name, []byte(src))
		if f == nil {
			t.Fatalf("%s did not parse", name)
		}
		files[name] = f
	}
	files["missing.hcl"] = nil
	var diags hcl.Diagnostics
	add := func(name string, s, e int, ctx *hcl.Range) {
		r := hcl.Range{Filename: name, Start: hcl.Pos{Byte: s, Line: 1 + bytes.Count([]byte(sources[name][:s]), []byte{'\n'}), Column: 1}, End: hcl.Pos{Byte: e, Line: 1, Column: 1}}
		sev := hcl.DiagWarning
		if (s+e)%2 == 0 {
			sev = hcl.DiagError
		}
		diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: fmt.Sprintf("Problem %d-%d", s, e),
			Detail:  "A long detail that hcl wraps at a hundred columns, so that the wrapping is compared as well as the snippet and the header line of each diagnostic.",
			Subject: &r, Context: ctx})
	}
	for name, src := range sources {
		n := len(src)
		for s := 0; s <= n; s += 1 + n/40 {
			for _, l := range []int{0, 1, 3, 17, 60, n} {
				e := min(s+l, n+1)
				add(name, s, e, nil)
			}
			ctx := hcl.Range{Filename: name, Start: hcl.Pos{Byte: max(0, s-20)}, End: hcl.Pos{Byte: min(n, s+5)}}
			add(name, s, min(s+2, n), &ctx)
		}
	}
	diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No subject", Detail: "Detail."},
		&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No file", Subject: &hcl.Range{Filename: "missing.hcl"}})

	var want, got bytes.Buffer
	hw := hcl.NewDiagnosticTextWriter(&want, files, diagWidth, false)
	fw := newDiagTextWriter(&got, files)
	for _, d := range diags {
		if err := hw.WriteDiagnostic(d); err != nil {
			t.Fatal(err)
		}
		if err := fw.WriteDiagnostic(d); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(want.String(), got.String()); diff != "" {
		t.Errorf("diagnostic text differs from hcl's (-want +got):\n%s", diff)
	}
}
