package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// notYet matches the errors of language v2 constructs envc does not
// implement yet: stages, repositories, environments built on others,
// sourced scripts and platforms.
var notYet = []struct {
	re        *regexp.Regexp
	construct string // "" when the match names it
}{
	{regexp.MustCompile(`^Blocks of type "(stage|repository)" are not expected here\.$`), ""},
	{regexp.MustCompile(`^An argument named "(from|source|platforms)" is not expected here\.$`), ""},
	{regexp.MustCompile(`^The argument "base" is required`), "from"}, // from = environment.x replaces it
	{regexp.MustCompile(`^Stages are part of language v2 and not implemented yet`), "stage"},
}

// TestCorpus checks the corpus of real recipes (testdata/corpus): a recipe
// with a want/ folder is a golden case (TestGolden, TestEquivalence); every
// other recipe must fail only on the language v2 constructs not
// implemented yet, so that its NOTES.md stays true. It logs what each
// recipe still needs.
func TestCorpus(t *testing.T) {
	specs, _ := filepath.Glob("../../testdata/corpus/*/spec.hcl")
	if len(specs) < 6 {
		t.Fatalf("the corpus has %d recipes, want at least 6", len(specs))
	}
	for _, spec := range specs {
		dir := filepath.Dir(spec)
		name := filepath.Base(dir)
		for _, f := range []string{"SOURCE.md", "NOTES.md"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "want")); err == nil {
			continue
		}
		var stdout, stderr bytes.Buffer
		code := run([]string{"validate", "--json", spec}, strings.NewReader(""), &stdout, &stderr, nil)
		if code == 0 {
			t.Errorf("%s now compiles: give it a want/ folder (go test ./internal/cli -run TestGolden -update) and update its NOTES.md", name)
			continue
		}
		var report struct {
			Diagnostics []struct {
				Severity, Summary, Detail string
			} `json:"diagnostics"`
		}
		out := stdout.Bytes()
		if len(bytes.TrimSpace(out)) == 0 {
			out = stderr.Bytes() // diagnostics of a failed run
		}
		if err := json.Unmarshal(out, &report); err != nil {
			t.Fatalf("%s: exit %d, %v\n%s%s", name, code, err, stdout.String(), stderr.String())
		}
		missing := map[string]bool{}
		for _, d := range report.Diagnostics {
			if d.Severity != "error" {
				continue
			}
			known := false
			for _, n := range notYet {
				if m := n.re.FindStringSubmatch(d.Detail); m != nil {
					known = true
					if n.construct != "" {
						missing[n.construct] = true
					} else {
						missing[m[1]] = true
					}
				}
			}
			if !known {
				t.Errorf("%s: an error that is not about a construct still to implement: %s: %s", name, d.Summary, d.Detail)
			}
		}
		keys := make([]string, 0, len(missing))
		for k := range missing {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("%s needs: %s", name, strings.Join(keys, ", "))
	}
}
