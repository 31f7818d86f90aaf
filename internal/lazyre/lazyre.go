package lazyre

import (
	"regexp"
	"sync"
)

// patterns are every pattern given to New, for Patterns.
var patterns []string

// New returns a function that compiles pattern the first time it is
// called (panicking, as regexp.MustCompile does, if it does not compile)
// and returns the same *regexp.Regexp to every call, from any goroutine.
func New(pattern string) func() *regexp.Regexp {
	patterns = append(patterns, pattern)
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// Patterns returns every pattern given to New so far (in a test, those of
// the packages it links), so that a test can compile them all.
func Patterns() []string { return append([]string(nil), patterns...) }
