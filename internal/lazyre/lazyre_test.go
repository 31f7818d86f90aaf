package lazyre

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestNew demands one compiled expression, shared by concurrent callers,
// and the pattern listed.
func TestNew(t *testing.T) {
	re := New(`^a+$`)
	if !slices.Contains(Patterns(), `^a+$`) {
		t.Error("pattern not listed")
	}
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Go(func() { got[i] = re() })
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatal("callers got different expressions")
		}
	}
	if !re().MatchString("aaa") || re().MatchString("ab") {
		t.Error("wrong expression")
	}
	defer func() {
		if recover() == nil {
			t.Error("a bad pattern did not panic when used")
		}
	}()
	New(`(`)()
}

// TestCompileAll demands the error of a pattern that does not compile.
func TestCompileAll(t *testing.T) {
	New(`a(`)
	err := CompileAll()
	if err == nil || !strings.Contains(err.Error(), `"a("`) {
		t.Errorf("CompileAll with a bad pattern: %v", err)
	}
}
