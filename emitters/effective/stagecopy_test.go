package effective

import (
	"testing"

	"github.com/envc-dev/envc/emitters/internal/shell"
)

// TestStageCopyRoundTrip reads shell.StageCopyCommand back, with and
// without mode and owner, and with paths that need quoting.
func TestStageCopyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		src, dst string
		mode     uint32
		owner    string
	}{
		{"/build/bin/tool", "/usr/local/bin/tool", 0o755, ""},
		{"/build/share", "/opt/share", 0, "sim"},
		{"/a b/it's", "/c$d/`e`", 0o640, "svc.user"},
	} {
		cmd := shell.StageCopyCommand(tc.src, tc.dst, tc.mode, tc.owner)
		if err := shell.Parse(cmd, false); err != nil {
			t.Fatalf("%q does not parse: %v", cmd, err)
		}
		src, dst, mode, owner, err := ReadStageCopy(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if src != tc.src || dst != tc.dst || mode != Mode(tc.mode) || owner != tc.owner {
			t.Errorf("read %q %q %v %q back from %q", src, dst, mode, owner, cmd)
		}
	}
	if _, _, _, _, err := ReadStageCopy("cp -a /a /b"); err == nil {
		t.Error("a plain cp read as a copy from a stage")
	}
}
