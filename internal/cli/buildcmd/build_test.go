package buildcmd_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/cli/buildcmd"
)

const (
	exitSpec  = 1
	exitUsage = 2
)

// The build command's own errors need no daemon: usage errors exit 2
// (a malformed --addr among them), an address where nothing listens exits
// 1 and blames the address, saying where it came from.
func TestBuildCommandErrors(t *testing.T) {
	spec := "../../../testdata/golden/debian-lolcow/spec.hcl"
	sock := "unix://" + filepath.Join(t.TempDir(), "none.sock")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"build"}, exitUsage, "takes 1 argument"},
		{[]string{"build", "-t", "vagrant", spec}, exitUsage, "takes llb or docker"},
		{[]string{"build", "--progress", "fancy", spec}, exitUsage, "--progress takes"},
		{[]string{"build", "--output", "type=oci", spec}, exitUsage, "needs dest="},
		{[]string{"build", "--cache-to", "mode=max", spec}, exitUsage, "no type="},
		{[]string{"build", "--tlscert", "c.pem", "--addr", sock, spec}, exitSpec, "--tlscert and --tlskey"},
		{[]string{"build", "../../../testdata/golden/multi-env/spec.hcl", "--output", "type=local,dest=x"}, exitUsage, "choose one with -e"},
		{[]string{"build", "--addr", sock, spec}, exitSpec, "nothing listens at " + sock + " (--addr): no such file or directory"},
		{[]string{"build", "--addr", "buildkitd:1234", spec}, exitUsage, "cannot reach a builder by buildkitd://"},
		{[]string{"build", "--addr", "builder", spec}, exitUsage, `--addr "builder" is not a builder address`},
		{[]string{"build", "--addr", "tcp://builder", spec}, exitUsage, "needs a host and a port"},
		{[]string{"build", "--push", spec}, exitUsage, "--push needs --tag"},
		{[]string{"build", "--tag", "x:1", "../../../testdata/golden/multi-env/spec.hcl"}, exitUsage, "--tag names one image"},
		{[]string{"build", "--format", "sif", "--load", spec}, exitUsage, "--load and --push are for images"},
		{[]string{"build", "--jobs", "0", spec}, exitUsage, "--jobs takes"},
		{[]string{"build", "--format", "squash", spec}, exitUsage, "--format takes image or sif"},
		{[]string{"build", "--format", "sif", "-t", "docker", spec}, exitUsage, "--format sif builds envc's own graph"},
		{[]string{"build", "--format", "sif", "--output", "type=oci,dest=x.tar", spec}, exitUsage, "--output takes type=sif,dest=FILE"},
		{[]string{"build", "-t", "docker", "--output", "type=sif,dest=x.sif", spec}, exitUsage, "a SIF is built from envc's own graph"},
		{[]string{"build", "--output", "type=sif", spec}, exitUsage, "needs dest=FILE"},
		{[]string{"build", "--output", "type=sif,dest=x.sif,name=y", spec}, exitUsage, "type=sif takes only dest="},
		{[]string{"build", spec}, exitSpec, "nothing listens at unix:///nonexistent/b.sock (BUILDKIT_HOST)"},
	} {
		var stdout, stderr bytes.Buffer
		environ := []string{"BUILDKIT_HOST=unix:///nonexistent/b.sock"}
		code := cli.Run(tc.args, strings.NewReader(""), &stdout, &stderr, environ, cli.WithBuild(buildcmd.Command))
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("envc %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, stderr.String(), tc.code, tc.want)
		}
	}
}

// Under --json the failure is a JSON report on standard output.
func TestBuildErrorJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"build", "../../../testdata/golden/debian-lolcow/spec.hcl", "--json"}
	code := cli.Run(args, strings.NewReader(""), &stdout, &stderr, []string{"BUILDKIT_HOST=unix:///nonexistent/b.sock"}, cli.WithBuild(buildcmd.Command))
	if code != exitSpec || !strings.Contains(stdout.String(), `"summary": "Command failed"`) || !strings.Contains(stdout.String(), "nothing listens at unix:///nonexistent/b.sock") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and a JSON report blaming the address", code, stdout.String(), stderr.String())
	}
}

// Without mksquashfs, a SIF build stops before it connects, naming the
// package to install.
func TestBuildSIFWithoutMksquashfs(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	spec := "../../../testdata/golden/debian-lolcow/spec.hcl"
	for _, args := range [][]string{
		{"build", "--format", "sif", spec},
		{"build", "--output", "type=sif,dest=x.sif", spec},
	} {
		var stdout, stderr bytes.Buffer
		code := cli.Run(args, strings.NewReader(""), &stdout, &stderr, []string{"BUILDKIT_HOST=unix:///nonexistent/b.sock"}, cli.WithBuild(buildcmd.Command))
		if code != exitSpec || !strings.Contains(stderr.String(), "squashfs-tools") || strings.Contains(stderr.String(), "BuildKit") {
			t.Errorf("envc %s without mksquashfs: exit %d, stderr %q; want exit 1 naming squashfs-tools", strings.Join(args, " "), code, stderr.String())
		}
	}
}
