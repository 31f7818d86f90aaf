package compiler

import (
	"regexp"
	"testing"
)

// The regular expressions the byte-set checks stand for.
var (
	aptNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$`)
	packagePattern = regexp.MustCompile(`^[A-Za-z0-9_+][A-Za-z0-9_+.:~=<>*/@,()-]*$`)
)

func checkCharsets(t *testing.T, s string) {
	if got, want := isAptName(s), aptNamePattern.MatchString(s); got != want {
		t.Errorf("isAptName(%q) = %v, the pattern says %v", s, got, want)
	}
	if got, want := isPackageWord(s), packagePattern.MatchString(s); got != want {
		t.Errorf("isPackageWord(%q) = %v, the pattern says %v", s, got, want)
	}
}

// TestCharsets checks the byte-set checks against the regular expressions
// they replace, on every string of up to three bytes from an alphabet of
// the interesting bytes.
func TestCharsets(t *testing.T) {
	alphabet := "aZ09+.-:_~=<>*/@,()! \n\xff"
	var walk func(prefix string, n int)
	walk = func(prefix string, n int) {
		checkCharsets(t, prefix)
		if n == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(prefix+alphabet[i:i+1], n-1)
		}
	}
	walk("", 3)
	for _, s := range []string{"libc6:i386", "python3-numpy", "g++", "a:", ":b", "ab:c:d", "x", "curl=7.88.*", "perl(Foo::Bar)"} {
		checkCharsets(t, s)
	}
}

func FuzzCharsets(f *testing.F) {
	for _, s := range []string{"libc6:i386", "python3-numpy", "g++", "a:", "curl=7.88.*"} {
		f.Add(s)
	}
	f.Fuzz(checkCharsets)
}
