package schema

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidEnvironmentName holds ValidEnvironmentName to the pattern it
// writes out, on every string of up to three bytes from an alphabet of
// each kind of byte, and around the length limit.
func TestValidEnvironmentName(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	const alphabet = "az09._-A$/ \n\xff"
	for _, s := range namesOver(alphabet, 3) {
		if got, want := ValidEnvironmentName(s), re.MatchString(s); got != want {
			t.Errorf("ValidEnvironmentName(%q) = %v, want %v", s, got, want)
		}
	}
	for n := 60; n <= 66; n++ {
		for _, s := range []string{strings.Repeat("a", n), "a" + strings.Repeat("-", n-1), "-" + strings.Repeat("a", n-1), strings.Repeat("a", n-1) + "A"} {
			if got, want := ValidEnvironmentName(s), re.MatchString(s); got != want {
				t.Errorf("ValidEnvironmentName(%q) = %v, want %v", s, got, want)
			}
		}
	}
}

// namesOver returns every string of up to n bytes from alphabet.
func namesOver(alphabet string, n int) []string {
	out := []string{""}
	level := []string{""}
	for range n {
		var next []string
		for _, p := range level {
			for i := 0; i < len(alphabet); i++ {
				next = append(next, p+alphabet[i:i+1])
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}
