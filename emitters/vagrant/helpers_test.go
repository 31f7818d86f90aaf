package vagrant

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
)

// hostile is irtest.Hostile with a mount target Vagrant can carry (the
// original one is an error, see TestEmitErrors).
func hostile() *ir.Env {
	env := irtest.Hostile()
	env.Mounts[0].Target = "/data"
	return env
}

var cases = []struct {
	name string
	env  func() *ir.Env
}{
	{"full", irtest.Full},
	{"minimal", irtest.Minimal},
	{"hostile", hostile},
}

// emitFiles emits env and fails the test on errors.
func emitFiles(t *testing.T, env *ir.Env) (vagrantfile, bootstrap []byte, diags hcl.Diagnostics) {
	t.Helper()
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatalf("Emit: %v", diags)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Path] = f.Data
	}
	return files[VagrantfileName], files[BootstrapName], diags
}

// writeOutput writes the outputs and the context files into a new
// folder and returns it.
func writeOutput(t *testing.T, env *ir.Env) string {
	t.Helper()
	dir := t.TempDir()
	out, diags := emitters.EmitFor(New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatalf("Emit: %v", diags)
	}
	for _, f := range out.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Path), f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range env.ContextFiles {
		p := filepath.Join(dir, filepath.FromSlash(c.ContextPath))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("context\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ruleNames(diags hcl.Diagnostics) []string {
	var names []string
	for _, d := range diags {
		if x, ok := d.Extra.(emitters.RuleExtra); ok {
			names = append(names, x.Rule.Name)
		}
	}
	sort.Strings(names)
	return names
}

func needTool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (%s)", name, install)
	}
	return p
}

// noCanary fails the test when a file named CANARY exists under dirs.
func noCanary(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Name() == "CANARY" {
				t.Errorf("a command hidden in a value ran: %s exists", p)
			}
			return nil
		})
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
