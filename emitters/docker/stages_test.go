package docker

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/google/go-cmp/cmp"
)

// TestStages checks that stages become named build stages (each with its
// own steps, without the steps for other targets) and copies from them
// COPY --from, with --chmod only when the copy sets a mode, and that the
// platforms reach compose.yaml.
func TestStages(t *testing.T) {
	env := irtest.Stages()
	dockerfile, compose, diags := emit(t, env)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got, err := readDockerfile(dockerfile, baseEnv)
	if err != nil {
		t.Fatalf("ReadDockerfile: %v\n%s", err, dockerfile)
	}
	var names []string
	for _, st := range got.Stages {
		names = append(names, st.Name+" "+st.Base)
		for _, op := range st.Ops {
			if op.Kind == OpRun && strings.Contains(strings.Join(op.Args, " "), "echo machine") {
				t.Errorf("stage %s runs the vagrant-only step", st.Name)
			}
		}
	}
	if diff := cmp.Diff([]string{"build debian:bookworm", "more debian:bookworm"}, names); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	type copyOp struct{ From, Source, Dest, Chmod, Chown string }
	copies := func(ops []Op) []copyOp {
		var out []copyOp
		for _, op := range ops {
			if op.Kind == OpCopy {
				out = append(out, copyOp{op.From, op.Source, op.Dest, op.Chmod, op.Chown})
			}
		}
		return out
	}
	want := []copyOp{
		{"build", "/build/bin/tool", "/usr/local/bin/tool", "755", ""},
		{"more", "/build/share", "/opt/tool/share", "", "sim"},
		{"more", "/more/notes.txt", "/opt/tool/notes.txt", "640", "sim"},
	}
	if diff := cmp.Diff(want, copies(got.Ops)); diff != "" {
		t.Errorf("copies (-want +got):\n%s\n%s", diff, dockerfile)
	}
	if diff := cmp.Diff([]copyOp{{"build", "/build/share/doc/notes.txt", "/more/notes.txt", "", ""}}, copies(got.Stages[1].Ops)[1:]); diff != "" {
		t.Errorf("stage more's copy from build (-want +got):\n%s", diff)
	}
	svc, err := readWrittenCompose(compose)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, svc.Platforms); diff != "" {
		t.Errorf("compose platforms (-want +got):\n%s", diff)
	}
	if _, err := readDockerfile([]byte("FROM debian:bookworm\nCOPY --from=nowhere /a /b\n"), nil); err == nil {
		t.Error("ReadDockerfile accepted COPY --from a stage that does not exist")
	}
}
