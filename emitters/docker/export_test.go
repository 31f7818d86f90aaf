package docker

import (
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

// Every Dockerfile the tests make is also read back in full, with
// BuildKit's parser (envc itself checks its structure alone).
func init() { FullSelfCheck(true) }
