package compiler

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidUserName holds validUserName to the pattern it writes out, on
// every string of up to three bytes from an alphabet of each kind of
// byte, and around the length limit.
func TestValidUserName(t *testing.T) {
	re := regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,30}\$?$`)
	const alphabet = "az_09.-$A/ \n\xff"
	names := []string{""}
	level := []string{""}
	for range 3 {
		var next []string
		for _, p := range level {
			for i := 0; i < len(alphabet); i++ {
				next = append(next, p+alphabet[i:i+1])
			}
		}
		names = append(names, next...)
		level = next
	}
	for n := 29; n <= 34; n++ {
		names = append(names, strings.Repeat("a", n), strings.Repeat("a", n)+"$", strings.Repeat("a", n)+"$$", "_"+strings.Repeat("9", n-1), "9"+strings.Repeat("a", n-1))
	}
	for _, s := range names {
		if got, want := validUserName(s), re.MatchString(s); got != want {
			t.Errorf("validUserName(%q) = %v, want %v", s, got, want)
		}
	}
}
