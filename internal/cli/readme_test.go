package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters"
	"github.com/google/go-cmp/cmp"
)

// The README's mapping table lies between these markers; it is generated
// from the capability matrix (emitters.Capabilities).
const (
	mappingBegin = "<!-- mapping:begin -->\n"
	mappingEnd   = "<!-- mapping:end -->"
)

// mappingHeaders head the table's target columns.
var mappingHeaders = map[string]string{
	"docker":      "docker (Dockerfile + compose.yaml)",
	"llb":         "llb (LLB + image config)",
	"singularity": "singularity (.def)",
	"vagrant":     "vagrant (Vagrantfile + bootstrap.sh)",
}

// TestReadmeMapping checks that README.md's mapping table is the one the
// capability matrix generates, so the two cannot disagree; -update
// rewrites it.
func TestReadmeMapping(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i := strings.Index(readme, mappingBegin)
	j := strings.Index(readme, mappingEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q block", strings.TrimSpace(mappingBegin), mappingEnd)
	}
	got := readme[i+len(mappingBegin) : j]
	want := emitters.MarkdownTable(mappingHeaders)
	if *update && got != want {
		readme = readme[:i+len(mappingBegin)] + want + readme[j:]
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		got = want
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README.md's mapping table is out of date (-want +got); run go test ./internal/cli -run TestReadmeMapping -update:\n%s", diff)
	}
}
