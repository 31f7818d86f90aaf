package vagrant

import (
	"testing"

	"github.com/envc-dev/envc/internal/lazyre"
)

// TestPatternsCompile compiles every regular expression that this package
// (and those it links) compiles when first used.
func TestPatternsCompile(t *testing.T) {
	if err := lazyre.CompileAll(); err != nil {
		t.Error(err)
	}
}
