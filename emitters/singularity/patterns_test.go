package singularity

import (
	"regexp"
	"testing"

	"github.com/envc-dev/envc/internal/lazyre"
)

// TestPatternsCompile compiles every regular expression that this package
// (and those it links) compiles when first used.
func TestPatternsCompile(t *testing.T) {
	ps := lazyre.Patterns()
	if len(ps) == 0 {
		t.Fatal("no patterns registered")
	}
	for _, p := range ps {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}
