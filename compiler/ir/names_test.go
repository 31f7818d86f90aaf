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

func TestNumericUser(t *testing.T) {
	type res struct {
		uid, gid   int
		hasGID, ok bool
	}
	for in, want := range map[string]res{
		"1000":           {1000, 0, false, true},
		"1000:100":       {1000, 100, true, true},
		"0":              {0, 0, false, true},
		"0:0":            {0, 0, true, true},
		"2147483646":     {2147483646, 0, false, true},
		"2147483647":     {},
		"01":             {},
		"1000:":          {},
		":100":           {},
		"-1":             {},
		"+1":             {},
		"1000:100:1":     {},
		"alice":          {},
		"alice:100":      {},
		"":               {},
		"99999999999999": {},
	} {
		uid, gid, hasGID, ok := NumericUser(in)
		if got := (res{uid, gid, hasGID, ok}); got != want {
			t.Errorf("NumericUser(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestSeries(t *testing.T) {
	for _, c := range []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := Series(c.items); got != c.want {
			t.Errorf("Series(%q) = %q, want %q", c.items, got, c.want)
		}
	}
}
