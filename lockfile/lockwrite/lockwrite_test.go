package lockwrite

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/envc-dev/envc/lockfile"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

// The golden case's lock file is Write's output: reading it and writing
// it again gives the same bytes.
func TestRoundTripGolden(t *testing.T) {
	src, err := os.ReadFile("../../testdata/golden/locked/spec.lock.hcl")
	if err != nil {
		t.Fatal(err)
	}
	f, _, diags := lockfile.Read("spec.lock.hcl", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	f.Spec = "spec.hcl"
	if got := Write(f); !bytes.Equal(got, src) {
		t.Errorf("written again, the lock differs (-want +got):\n%s", cmp.Diff(string(src), string(got)))
	}
	e := f.Lookup("analysis")
	if e == nil || e.Platform("linux/amd64") == nil || e.Stage("build") == nil {
		t.Fatalf("read %+v", f)
	}
	if got := e.Platform("linux/amd64").PipAt("venv:/opt/lab").Packages["jupyterlab"]; got != "4.3.4" {
		t.Errorf("jupyterlab = %q", got)
	}
}

// Write is deterministic whatever order the lists come in, and Read
// gives back what was written.
func TestWriteDeterministic(t *testing.T) {
	mk := func(reverse bool) *lockfile.File {
		p1 := &lockfile.Platform{Name: "linux/amd64", Manager: "apt", Packages: map[string]string{"g++": "4:12.2.0-3", "curl": "7.88.1-10+deb12u8"},
			Dependencies: map[string]string{"libc6:i386": "2.36-9", "zlib1g": "1:1.2.13.dfsg-1"}}
		p2 := &lockfile.Platform{Name: "linux/arm64", Manager: "apt", Packages: map[string]string{"curl": "7.88.1-10+deb12u8"}}
		a := &lockfile.Env{Name: "a", Base: "debian:bookworm", Digest: "sha256:" + strings.Repeat("ab", 32), Platforms: []*lockfile.Platform{p1, p2},
			Stages: []*lockfile.Env{{Name: "s2", Base: "debian:bookworm"}, {Name: "s1", Base: "alpine:3.20"}}}
		b := &lockfile.Env{Name: "b", Base: "quay.io/x/y:1 ${not} %{ref}", Box: "debian/bookworm64", BoxVersion: "12.20240905.1"}
		f := &lockfile.File{Spec: "spec.hcl", Envs: []*lockfile.Env{a, b}}
		if reverse {
			f.Envs = []*lockfile.Env{b, a}
			a.Platforms = []*lockfile.Platform{p2, p1}
			a.Stages = []*lockfile.Env{a.Stages[1], a.Stages[0]}
		}
		return f
	}
	one, two := Write(mk(false)), Write(mk(true))
	if !bytes.Equal(one, two) {
		t.Fatalf("order changed the bytes:\n%s\n----\n%s", one, two)
	}
	back, _, diags := lockfile.Read("x.lock.hcl", one)
	if diags.HasErrors() {
		t.Fatalf("%s\n%s", diags, one)
	}
	back.Spec = "spec.hcl"
	want := mk(false)
	want.Sort()
	opts := cmpopts.IgnoreTypes(hcl.Range{})
	if diff := cmp.Diff(want, back, opts); diff != "" {
		t.Errorf("read back differs (-want +got):\n%s", diff)
	}
}
