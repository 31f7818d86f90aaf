package docker_test

import (
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/docker/dockerread"
	"github.com/google/go-cmp/cmp"
)

// TestReadWrittenComposeAgrees demands that the self-check's reader and
// compose-go's loader read every test case's compose.yaml the same way.
func TestReadWrittenComposeAgrees(t *testing.T) {
	for _, tc := range docker.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			_, compose, _ := docker.EmitFiles(t, tc.Env())
			want, err := dockerread.ReadCompose(compose)
			if err != nil {
				t.Fatalf("ReadCompose: %v", err)
			}
			got, err := docker.ReadWrittenCompose(compose)
			if err != nil {
				t.Fatalf("readWrittenCompose: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("readWrittenCompose differs from ReadCompose (-want +got):\n%s", diff)
			}
		})
	}
}

// TestComposeResolvedPaths loads compose.yaml the way `docker compose`
// does, resolving paths: relative sources land in the output folder, and
// a leading "~" is not taken for the home directory.
func TestComposeResolvedPaths(t *testing.T) {
	env := irtest.Full()
	env.Mounts = []ir.Mount{
		{Source: "../..", Target: "/a"},
		{Source: "~data", Target: "/b"},
		{Source: "~", Target: "/c"},
		{Source: "/srv/data", Target: "/d"},
		{Source: "da ta/$HOME", Target: "/e"},
	}
	_, compose, _ := docker.EmitFiles(t, env)
	const dir = "/projects/spec/out/fenics"
	got, err := dockerread.LoadCompose(compose, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, m := range got.Mounts {
		sources = append(sources, m.Source)
	}
	want := []string{"/projects/spec", filepath.Join(dir, "~data"), filepath.Join(dir, "~"), "/srv/data", filepath.Join(dir, "da ta/$HOME")}
	if diff := cmp.Diff(want, sources); diff != "" {
		t.Errorf("resolved sources (-want +got):\n%s", diff)
	}
	if got.BuildContext != dir {
		t.Errorf("build context %q, want %q", got.BuildContext, dir)
	}
}
