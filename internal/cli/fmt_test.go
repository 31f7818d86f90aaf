package cli

import (
	"strings"
	"testing"
)

// TestSameComments: the guard fmt runs before writing refuses output that
// lost or changed a comment, or that does not parse.
func TestSameComments(t *testing.T) {
	src := []byte("# one\nenvironment \"e\" { // two\n  base = \"x\" /* three */\n}\n")
	if err := sameComments("s.hcl", src, src); err != nil {
		t.Errorf("identical text: %v", err)
	}
	for _, tc := range []struct{ out, want string }{
		{"environment \"e\" { // two\n  base = \"x\" /* three */\n}\n", "keep 2 of 3 comments"},
		{"# one\nenvironment \"e\" { // 2\n  base = \"x\" /* three */\n}\n", "change the comment"},
		{"# one\nenvironment \"e\" { // two\n  base = \"x\" /* three */\n", "does not parse"},
	} {
		err := sameComments("s.hcl", src, []byte(tc.out))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("output %q: error %v, want one saying %q", tc.out, err, tc.want)
		}
	}
}
