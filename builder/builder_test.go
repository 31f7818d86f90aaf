package builder

import (
	"errors"
	"github.com/envc-dev/envc/emitters/buildkit"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestResolveEndpoint(t *testing.T) {
	for _, tc := range []struct {
		flag    string
		environ []string
		addr    string
		from    string
		docker  bool
	}{
		{"", []string{"HOME=/root", "BUILDKIT_HOST=tcp://b:1234"}, "tcp://b:1234", "BUILDKIT_HOST", false},
		{"unix:///x.sock", []string{"BUILDKIT_HOST=tcp://b:1234"}, "unix:///x.sock", "--addr", false},
		{"", []string{"DOCKER_HOST=unix:///d.sock"}, "unix:///d.sock", "DOCKER_HOST", true},
		{"", []string{"DOCKER_HOST=unix:///d.sock", "BUILDKIT_HOST=unix:///b.sock"}, "unix:///b.sock", "BUILDKIT_HOST", false},
		{"docker", []string{"DOCKER_HOST=tcp://engine:2375", "BUILDKIT_HOST=unix:///b.sock"}, "docker", "--addr", true},
		{"docker+unix:///run/user/1000/docker.sock", nil, "unix:///run/user/1000/docker.sock", "--addr", true},
		{"docker-container://buildkitd", nil, "docker-container://buildkitd", "--addr", false},
		{"kube-pod://buildkitd-0?namespace=ci", nil, "kube-pod://buildkitd-0?namespace=ci", "--addr", false},
		{"ssh://me@builder", nil, "ssh://me@builder", "--addr", false},
	} {
		ep, err := ResolveEndpoint(tc.flag, tc.environ)
		if err != nil || ep.Addr != tc.addr || ep.From != tc.from || ep.Docker() != tc.docker {
			t.Errorf("ResolveEndpoint(%q, %q) = %q from %q (docker %v), %v; want %q from %q (docker %v)", tc.flag, tc.environ, ep.Addr, ep.From, ep.Docker(), err, tc.addr, tc.from, tc.docker)
		}
	}
	// An address envc cannot reach by its form blames the address.
	for flag, want := range map[string]string{
		"foo":                 `--addr "foo" is not a builder address: write unix:///PATH`,
		"http://b:1234":       "cannot reach a builder by http://",
		"unix://":             "names no socket",
		"tcp://b":             "needs a host and a port",
		"docker-container://": "names no container",
		"docker+ssh://x":      "unix:///PATH or tcp://HOST:PORT",
	} {
		if _, err := ResolveEndpoint(flag, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ResolveEndpoint(%q) error %v, want %q", flag, err, want)
		}
	}
}

func TestParseOutput(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Output
		err  bool
	}{
		{in: "type=oci,dest=out.tar", want: Output{Type: "oci", Dest: "out.tar", Attrs: map[string]string{}}},
		{in: "type=docker,dest=-,name=envc/x:1", want: Output{Type: "docker", Dest: "-", Attrs: map[string]string{"name": "envc/x:1"}}},
		{in: "type=local,dest=rootfs", want: Output{Type: "local", Dest: "rootfs", Attrs: map[string]string{}}},
		{in: "type=image,name=reg:5000/x,push=true", want: Output{Type: "image", Attrs: map[string]string{"name": "reg:5000/x", "push": "true"}}},
		{in: "type=registry,name=reg:5000/x", want: Output{Type: "image", Attrs: map[string]string{"name": "reg:5000/x", "push": "true"}}},
		{in: `type=image,"name=a,b"`, want: Output{Type: "image", Attrs: map[string]string{"name": "a,b"}}},
		{in: "type=sif,dest=env.sif", want: Output{Type: "sif", Dest: "env.sif", Attrs: map[string]string{}}},
		{in: "type=sif", err: true},
		{in: "type=sif,dest=-", err: true},
		{in: "type=sif,dest=x.sif,compression=xz", err: true},
		{in: "type=oci", err: true},
		{in: "type=local,dest=-", err: true},
		{in: "type=image", err: true},
		{in: "dest=x", err: true},
		{in: "type=zip,dest=x", err: true},
		{in: "type", err: true},
	} {
		got, err := ParseOutput(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("ParseOutput(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseOutput(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseOutput(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestParseCache(t *testing.T) {
	got, err := ParseCache("type=local,dest=/tmp/c,mode=max")
	if err != nil {
		t.Fatal(err)
	}
	want := Cache{Type: "local", Attrs: map[string]string{"dest": "/tmp/c", "mode": "max"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err = ParseCache("reg:5000/cache")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Cache{Type: "registry", Attrs: map[string]string{"ref": "reg:5000/cache"}}); !cmp.Equal(want, got) {
		t.Errorf("bare ref: got %+v", got)
	}
	if _, err := ParseCache("mode=max"); err == nil {
		t.Error("a cache without type= was accepted")
	}
}

func TestMergeConfig(t *testing.T) {
	base := &ocispecs.Image{
		Config: ocispecs.ImageConfig{
			Env:          []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
			Cmd:          []string{"bash"},
			Entrypoint:   []string{"/init"},
			WorkingDir:   "/base",
			Labels:       map[string]string{"a": "base", "b": "base"},
			ExposedPorts: map[string]struct{}{"22/tcp": {}},
		},
		History: []ocispecs.History{{CreatedBy: "base layer"}},
	}
	own := &buildkit.Image{
		Platform: buildkit.Platform{OS: "linux", Architecture: "amd64"},
		Config: buildkit.ImageConfig{
			Env:    []string{"PATH=/opt/bin:/usr/bin:/bin", "LANG=C.UTF-8", "X=1"},
			Cmd:    []string{"run"},
			User:   "sim",
			Labels: map[string]string{"b": "own"},
		},
	}
	got := MergeConfig(base, own)
	want := &ocispecs.Image{
		Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"},
		Config: ocispecs.ImageConfig{
			Env:          own.Config.Env,
			Cmd:          []string{"run"},
			Entrypoint:   []string{"/init"},
			User:         "sim",
			WorkingDir:   "/base",
			Labels:       map[string]string{"a": "base", "b": "own"},
			ExposedPorts: map[string]struct{}{"22/tcp": {}},
		},
		RootFS:  ocispecs.RootFS{Type: "layers"},
		History: base.History,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MergeConfig (-want +got):\n%s", diff)
	}
	if base.Config.Labels["b"] != "base" {
		t.Error("MergeConfig changed the base's labels")
	}
	// No run command: the base's Cmd stays, as under a Dockerfile.
	own.Config.Cmd = nil
	if got := MergeConfig(base, own); !cmp.Equal(got.Config.Cmd, []string{"bash"}) {
		t.Errorf("Cmd = %q, want the base's", got.Config.Cmd)
	}
	// An entrypoint replaces the base's and drops the base's Cmd, as a
	// Dockerfile's ENTRYPOINT does; default arguments come with it.
	own.Config.Entrypoint = []string{"/entry"}
	if got := MergeConfig(base, own); !cmp.Equal(got.Config.Entrypoint, []string{"/entry"}) || got.Config.Cmd != nil {
		t.Errorf("Entrypoint, Cmd = %q, %q; want [/entry] and none", got.Config.Entrypoint, got.Config.Cmd)
	}
	own.Config.Cmd = []string{"--help"}
	if got := MergeConfig(base, own); !cmp.Equal(got.Config.Cmd, []string{"--help"}) {
		t.Errorf("Cmd = %q, want [--help]", got.Config.Cmd)
	}
}

func TestDiagnose(t *testing.T) {
	src := &errdefs.Source{
		Info:   &pb.SourceInfo{Filename: "spec.hcl", Data: []byte("a\n  \"exit 3\",\nc\n")},
		Ranges: []*pb.Range{{Start: &pb.Position{Line: 2, Character: 3}, End: &pb.Position{Line: 2, Character: 9}}},
	}
	err := src.WrapError(errors.New(`process "/bin/sh -c exit 3" did not complete successfully: exit code: 3`))
	diags := Diagnose(err, "spec.hcl")
	if len(diags) != 1 || diags[0].Subject == nil {
		t.Fatalf("Diagnose = %v, want one error with a range", diags)
	}
	want := hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: 2, Column: 3, Byte: 4}, End: hcl.Pos{Line: 2, Column: 9, Byte: 10}}
	if diff := cmp.Diff(want, *diags[0].Subject); diff != "" {
		t.Errorf("range (-want +got):\n%s", diff)
	}
	if diags[0].Summary != "Build step failed" {
		t.Errorf("summary %q", diags[0].Summary)
	}
	// A location in another file (e.g. a Dockerfile) gives no spec range.
	diags = Diagnose(err, "other.hcl")
	if len(diags) != 1 || diags[0].Subject != nil {
		t.Errorf("Diagnose for another file = %v, want one error without a range", diags)
	}
	// Lowering errors come back unchanged.
	lower := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid platform"}}
	if got := Diagnose(diagError{lower}, "spec.hcl"); !cmp.Equal(got, lower) {
		t.Errorf("lowering error: got %v", got)
	}
}
