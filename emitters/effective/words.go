package effective

import (
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
)

// Scope holds the variables set so far by a build, to turn values into
// effective values.
type Scope struct {
	vars map[string]ir.Word
}

// NewScope returns an empty scope: only the base image's variables.
func NewScope() *Scope { return &Scope{vars: map[string]ir.Word{}} }

// Effective returns w with every reference to a variable of the scope
// replaced by that variable's effective value.
func (s *Scope) Effective(w ir.Word) ir.Word { return ir.ResolveWord(w, s.vars) }

// Set sets name to the effective value of w and returns it as a Var.
func (s *Scope) Set(name string, w ir.Word) Var {
	e := s.Effective(w)
	s.vars[name] = e
	return Var{Name: name, Value: e}
}

// Vars returns the variables set so far, sorted by name.
func (s *Scope) Vars() []Var {
	if len(s.vars) == 0 {
		return nil
	}
	out := make([]Var, 0, len(s.vars))
	for name, w := range s.vars {
		out = append(out, Var{Name: name, Value: w})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Canonical returns w with adjacent literals merged and empty parts
// dropped.
func Canonical(w ir.Word) ir.Word { return ir.ResolveWord(w, nil) }

// Marker stands for the base image's variable name inside a value that a
// target's own tools expanded (see MarkedEnv).
func Marker(name string) string { return "\uE000" + name + "\uE001" }

var markerPattern = lazyre.New("\uE000([A-Za-z_][A-Za-z0-9_]*)\uE001")

// Unmark turns a value expanded against MarkedEnv back into a word: each
// marker becomes a reference to its variable.
func Unmark(s string) ir.Word {
	var w ir.Word
	last := 0
	for _, m := range markerPattern().FindAllStringSubmatchIndex(s, -1) {
		w = append(w, ir.WordPart{Lit: s[last:m[0]]}, ir.WordPart{Ref: s[m[2]:m[3]]})
		last = m[1]
	}
	return Canonical(append(w, ir.WordPart{Lit: s[last:]}))
}

var refPattern = lazyre.New(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// MarkedEnv returns a stand-in for the base image's environment, as
// NAME=value entries: every variable name text refers to ($NAME or
// ${NAME}) is set to its Marker. A tool that expands values against it
// (BuildKit's Dockerfile lexer) leaves the markers where the base image's
// variables would go, and Unmark recovers the references.
func MarkedEnv(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range refPattern().FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1]+"="+Marker(m[1]))
		}
	}
	sort.Strings(out)
	return out
}

// Resolve expands the effective value v against base, the base image's
// environment as NAME=value entries; a variable base does not set expands
// to "".
func Resolve(v ir.Word, base []string) string {
	return v.Expand(func(name string) string {
		for _, kv := range base {
			if k, val, _ := strings.Cut(kv, "="); k == name {
				return val
			}
		}
		return ""
	})
}

// Literal returns s as an effective value: literal text alone.
func Literal(s string) ir.Word { return Canonical(ir.Word{{Lit: s}}) }
