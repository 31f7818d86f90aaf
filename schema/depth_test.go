package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNestingLimit checks what is refused and where: the offset of the
// first byte past MaxNesting.
func TestNestingLimit(t *testing.T) {
	deep := func(open, inner, close string, n int) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	for _, tc := range []struct {
		name, src string
		refused   bool
	}{
		{"parentheses at the limit", "x = " + deep("(", "1", ")", MaxNesting), false},
		{"parentheses past it", "x = " + deep("(", "1", ")", MaxNesting+1), true},
		{"200 KB of parentheses", "x = " + deep("(", "1", ")", 100000), true},
		{"lists", "x = " + deep("[", "1", "]", 5000), true},
		{"blocks", deep("a {\n", "", "}\n", 1000), true},
		{"templates", "x = " + deep(`"${`, "1", `}"`, 1000), true},
		{"conditionals", "x = " + strings.Repeat("a ? b : ", 1000) + "c", true},
		{"unary operators", "x = " + strings.Repeat("!", 1000) + "true", true},
		{"heredoc templates", "x = <<EOT\n" + deep("${(", "1", ")}", 1000) + "\nEOT\n", true},
		// What a string or a comment holds is text, not nesting.
		{"brackets in a string", `x = "` + strings.Repeat("((([[[{{{", 1000) + `"`, false},
		{"escaped templates", `x = "` + strings.Repeat("$${", 1000) + `"`, false},
		{"brackets in a heredoc", "x = <<-EOT\n  " + strings.Repeat("((", 1000) + "\n  EOT\ny = 1\n", false},
		{"brackets in comments", "# " + strings.Repeat("(", 1000) + "\n// " + strings.Repeat("[", 1000) + "\n/* " + strings.Repeat("{", 1000) + " */\nx = 1\n", false},
		{"many conditionals one after another", strings.Repeat("x = a ? b : c\n", 1000), false},
		{"many negative numbers in a list", "x = [" + strings.Repeat("-1, ", 1000) + "]", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := checkNesting("spec.hcl", []byte(tc.src))
			if (d != nil) != tc.refused {
				t.Fatalf("refused: %v, want %v (%v)", d != nil, tc.refused, d)
			}
			if d != nil && (d.Subject.Start.Line < 1 || d.Subject.Start.Byte >= len(tc.src)) {
				t.Errorf("range %v out of the file", d.Subject)
			}
		})
	}
	_, diags := Parse("spec.hcl", []byte("x = "+deep("(", "1", ")", 100000)))
	if len(diags) != 1 || diags[0].Summary != "Nested too deeply" {
		t.Errorf("Parse: %v", diags)
	}
}

// TestNestingOfTheTree checks that no spec of the tree comes near the limit.
func TestNestingOfTheTree(t *testing.T) {
	specs, _ := filepath.Glob("../examples/*/*.hcl")
	more, _ := filepath.Glob("../testdata/*/*/spec.hcl")
	for _, p := range append(specs, more...) {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if d := checkNesting(p, src); d != nil {
			t.Errorf("%s: %v", p, d)
		}
	}
	if len(specs)+len(more) < 10 {
		t.Fatalf("found %d specs", len(specs)+len(more))
	}
}

func BenchmarkNesting(b *testing.B) {
	src, err := os.ReadFile("../examples/precice/precice.hcl")
	if err != nil {
		b.Fatal(err)
	}
	src = []byte(strings.Repeat(string(src), 100))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		checkNesting("spec.hcl", src)
	}
}
