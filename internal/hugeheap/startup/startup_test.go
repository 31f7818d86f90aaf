package startup

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/internal/hugeheap"
)

func TestNamesLargeFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.hcl")
	large := filepath.Join(dir, "large.hcl")
	if err := os.WriteFile(small, make([]byte, hugeheap.SmallSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(large, make([]byte, hugeheap.SmallSpec+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"version"}, false},
		{[]string{"compile", small, "-o", dir}, false},
		{[]string{"compile", large, "-o", dir}, true},
		{[]string{"compile", "-", "--var-file", large}, true},
		{[]string{"compile", "-o", dir, dir}, false}, // a folder is no spec
		{[]string{"compile", filepath.Join(dir, "missing.hcl")}, false},
		{[]string{"--flag=" + large}, false},
	} {
		if got := namesLargeFile(tc.args); got != tc.want {
			t.Errorf("namesLargeFile(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
