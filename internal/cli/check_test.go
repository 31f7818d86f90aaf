package cli

import (
	"strings"
	"testing"
)

// TestUnifiedDiffIsMinimal holds --diff to the smallest diff, as git
// shows it: in a file of repeated lines (llb.json's ops all end alike), a
// changed line is one line removed and one added, not a block of
// unchanged lines removed and added again. want is what diff -u prints.
func TestUnifiedDiffIsMinimal(t *testing.T) {
	block := func(digest string) string {
		return "  {\n    \"digest\": \"" + digest + "\",\n    \"cwd\": \"/\",\n    \"mounts\": [\n      \"/\"\n    ]\n  },\n"
	}
	old := "[\n" + block("a1") + block("b1") + block("c1") + "]\n"
	new := "[\n" + block("a1") + block("b2") + block("c1") + "]\n"
	got := string(unifiedDiff("llb.json", []byte(old), []byte(new)))
	want := `diff a/llb.json b/llb.json
--- a/llb.json
+++ b/llb.json
@@ -7,7 +7,7 @@
     ]
   },
   {
-    "digest": "b1",
+    "digest": "b2",
     "cwd": "/",
     "mounts": [
       "/"
`
	if got != want {
		t.Errorf("unifiedDiff:\n%s\nwant:\n%s", got, want)
	}
	if d := unifiedDiff("same", []byte(old), []byte(old)); d != nil {
		t.Errorf("unifiedDiff of equal files = %q, want nil", d)
	}
	if d := string(unifiedDiff("gone", []byte("x\n"), nil)); !strings.Contains(d, "+++ /dev/null\n@@ -1 +0,0 @@\n-x\n") {
		t.Errorf("unifiedDiff of a removed file:\n%s", d)
	}
}
