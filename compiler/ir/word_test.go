package ir

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseWord(t *testing.T) {
	tests := []struct {
		in   string
		want Word
	}{
		{"", nil},
		{"plain", Word{{Lit: "plain"}}},
		{"/usr/games:$PATH", Word{{Lit: "/usr/games:"}, {Ref: "PATH"}}},
		{"${HOME}/x", Word{{Ref: "HOME"}, {Lit: "/x"}}},
		{"$A$B", Word{{Ref: "A"}, {Ref: "B"}}},
		{"cost $$5", Word{{Lit: "cost $5"}}},
		{"$5 and $", Word{{Lit: "$5 and $"}}},
		{"${", Word{{Lit: "${"}}},
		{"${1x}", Word{{Lit: "${1x}"}}},
		{"${A-b}", Word{{Lit: "${A-b}"}}},
		{"$(cmd)", Word{{Lit: "$(cmd)"}}},
		{"a$_b.c", Word{{Lit: "a"}, {Ref: "_b"}, {Lit: ".c"}}},
	}
	for _, tt := range tests {
		got := ParseWord(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseWord(%q) (-want +got):\n%s", tt.in, diff)
		}
		if again := ParseWord(got.String()); !cmp.Equal(again, got) {
			t.Errorf("ParseWord(%q).String() = %q does not read back: %#v", tt.in, got.String(), again)
		}
	}
}

func FuzzParseWord(f *testing.F) {
	for _, s := range []string{"", "$PATH", "${A}b$$c", "$", "${x", "a$1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := ParseWord(s)
		for i, p := range w {
			if (p.Lit == "") == (p.Ref == "") {
				t.Fatalf("part %d of %q has neither or both: %#v", i, s, p)
			}
			if p.Ref != "" && !ValidName(p.Ref) {
				t.Fatalf("invalid ref %q", p.Ref)
			}
			if i > 0 && p.Lit != "" && w[i-1].Lit != "" {
				t.Fatalf("adjacent literals in %q", s)
			}
		}
		if again := ParseWord(w.String()); !cmp.Equal(again, w) {
			t.Fatalf("round trip of %q: %#v != %#v", s, again, w)
		}
	})
}
