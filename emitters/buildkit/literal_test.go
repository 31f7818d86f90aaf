package buildkit

import "testing"

func TestLiteralPattern(t *testing.T) {
	tests := []struct{ in, want string }{
		{"files/intro.ipynb", "files/intro.ipynb"},
		{"files/we ird'$(x).txt", "files/we ird'$(x).txt"},
		{`files/a*b?c[d]e\f`, `files/a\*b\?c\[d\]e\\f`},
		{"!files/x", `\!files/x`},
		{"files/x!", "files/x!"},
		{"files/trailing  ", "files/trailing??"},
		{" lead", "?lead"},
		{"files/\xffx", "files/?x"},
		{"files/€", "files/€"},
	}
	for _, tc := range tests {
		if got := literalPattern(tc.in); got != tc.want {
			t.Errorf("literalPattern(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
