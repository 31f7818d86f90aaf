package docker

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/template"
)

// unescapeCompose reads what compose-go's interpolation reads, with an
// empty environment, from every value the writer makes (every "$"
// doubled), and refuses what compose-go would take for a variable.
func TestUnescapeComposeIsCompose(t *testing.T) {
	empty := func(string) (string, bool) { return "", false }
	for _, v := range []string{"", "plain", "$", "$$", "a$b", "${HOME}", "$HOME:-x", "$${x}", "€$%{}\t\n", "$$$", "end$"} {
		escaped := str(v).Value
		got, err := unescapeCompose(escaped)
		want, werr := template.Substitute(escaped, empty)
		if err != nil || werr != nil || got != want || got != v {
			t.Errorf("%q escaped as %q: read %q (%v), compose-go %q (%v)", v, escaped, got, err, want, werr)
		}
	}
	// What compose-go takes for a variable is refused; so is a last "$",
	// which compose-go keeps but the writer never leaves undoubled.
	for _, raw := range []string{"$HOME", "${HOME}", "a$b", "x$"} {
		if _, err := unescapeCompose(raw); err == nil {
			t.Errorf("%q: an undoubled $ was read", raw)
		}
	}
	for _, raw := range []string{"$HOME", "${HOME}", "a$b"} {
		if got, err := template.Substitute(raw, empty); err == nil && got == raw {
			t.Errorf("%q: compose-go reads it as is", raw)
		}
	}
}
