package emitters

import (
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/google/go-cmp/cmp"
)

func TestUnknownRefs(t *testing.T) {
	v := func(name string, w ...ir.WordPart) ir.EnvVar { return ir.EnvVar{Name: name, Value: w} }
	lit := func(s string) ir.WordPart { return ir.WordPart{Lit: s} }
	ref := func(s string) ir.WordPart { return ir.WordPart{Ref: s} }
	env := &ir.Env{Steps: []ir.Step{
		&ir.EnvStep{Vars: []ir.EnvVar{
			v("PATH", lit("/opt/bin:"), ref("PATH")),          // the assumed base env sets PATH
			v("DATA", ref("HOME"), lit("/data"), ref("HOME")), // once per name
			v("A", ref("B")), // B is set only later
		}},
		&ir.RunStep{Command: "true"},
		&ir.EnvStep{Vars: []ir.EnvVar{
			v("B", lit("b")),
			v("C", ref("B"), ref("JAVA_HOME")),
		}},
	}}
	type got struct{ Var, Ref string }
	summary := func(refs []UnknownRef) []got {
		var out []got
		for _, r := range refs {
			out = append(out, got{r.Var.Name, r.Ref})
		}
		return out
	}
	want := []got{{"DATA", "HOME"}, {"A", "B"}, {"C", "JAVA_HOME"}}
	if diff := cmp.Diff(want, summary(UnknownRefs(env, nil))); diff != "" {
		t.Errorf("unresolved base (-want +got):\n%s", diff)
	}
	// A resolved base env replaces the assumption: this one sets HOME and
	// JAVA_HOME, and no PATH.
	want = []got{{"PATH", "PATH"}, {"A", "B"}}
	if diff := cmp.Diff(want, summary(UnknownRefs(env, []string{"HOME=/root", "JAVA_HOME=/usr/lib/jvm"}))); diff != "" {
		t.Errorf("resolved base (-want +got):\n%s", diff)
	}
}
