package docker

import (
	"sync"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
)

// Exported for the external tests of this directory (package docker_test),
// which may import dockerread.

// ReadWrittenCompose is Emit's self-check reader of compose.yaml.
var ReadWrittenCompose = readWrittenCompose

// Case is one environment of the package's test table.
type Case struct {
	Name string
	Env  func() *ir.Env
}

// Cases returns the package's test table: the irtest environments and one
// per string that some reader of a Dockerfile or compose.yaml treats
// specially.
func Cases() []Case {
	var out []Case
	for _, c := range cases() {
		out = append(out, Case{c.name, c.env})
	}
	return out
}

// EmitFiles emits env and checks the files' names, modes and headers.
func EmitFiles(t *testing.T, env *ir.Env) (dockerfile, compose []byte, diags hcl.Diagnostics) {
	t.Helper()
	return emit(t, env)
}

// fullRead is the full self-check's reader, dockerread.ReadDockerfileFor,
// which the external tests install (fullcheck_test.go) and the package's
// own tests, which cannot import dockerread, read Dockerfiles back with.
var fullRead = sync.OnceValue(func() Reader { return *fullReader.Load() })

// readDockerfile is dockerread.ReadDockerfile.
func readDockerfile(data []byte, baseEnv []string) (*Dockerfile, error) {
	return fullRead()(data, baseEnv, "")
}

// readDockerfileFor is dockerread.ReadDockerfileFor.
func readDockerfileFor(data []byte, baseEnv []string, platform string) (*Dockerfile, error) {
	return fullRead()(data, baseEnv, platform)
}
