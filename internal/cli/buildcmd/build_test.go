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

// The build command's own errors need no daemon: usage errors exit 2, a
// daemon that does not answer exits 1 and says where it looked.
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
		{[]string{"build", "--addr", sock, spec}, exitSpec, "no BuildKit daemon answers at " + sock},
		{[]string{"build", spec}, exitSpec, "no BuildKit daemon answers at unix:///nonexistent/b.sock"},
	} {
		var stdout, stderr bytes.Buffer
		environ := []string{"BUILDKIT_HOST=unix:///nonexistent/b.sock"}
		code := cli.Run(tc.args, strings.NewReader(""), &stdout, &stderr, environ, cli.WithBuild(buildcmd.Command))
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("envc %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, stderr.String(), tc.code, tc.want)
		}
	}
}
