package lazyre

import (
	"errors"
	"fmt"
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

// CompileAll compiles every pattern given to New so far (in a test, those
// of the packages it links) and returns the errors of those that do not
// compile, or an error when none was given.
func CompileAll() error {
	if len(patterns) == 0 {
		return errors.New("no patterns registered")
	}
	var errs []error
	for _, p := range patterns {
		if _, err := regexp.Compile(p); err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
