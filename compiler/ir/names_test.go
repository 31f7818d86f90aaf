package ir

import (
	"regexp"
	"strings"
	"testing"
)

// ValidStageName is the pattern ^[a-z][a-z0-9._-]{0,62}$, without a regexp.
func TestValidStageName(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-z][a-z0-9._-]{0,62}$`)
	for _, s := range []string{"", "a", "build", "build-2", "b.c_d-e", "9a", "Build", "a b", "a/b", "é", "a\n", "-a", "_a", "a$", "scratch", "a" + strings.Repeat("b", 62), "a" + strings.Repeat("b", 63)} {
		if got, want := ValidStageName(s), pattern.MatchString(s); got != want {
			t.Errorf("ValidStageName(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValidStageName(f *testing.F) {
	pattern := regexp.MustCompile(`^[a-z][a-z0-9._-]{0,62}$`)
	for _, s := range []string{"a", "9a", "a-b", "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidStageName(s), pattern.MatchString(s); got != want {
			t.Errorf("ValidStageName(%q) = %v, want %v", s, got, want)
		}
	})
}
