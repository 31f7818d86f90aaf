package buildkit_test

import (
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"github.com/google/go-cmp/cmp"
)

// FuzzWire feeds any strings to the hand-written protobuf writer through a
// step, a variable, a copy and a workdir: BuildKit's generated code must
// decode the definition into exactly the ops the writer meant.
func FuzzWire(f *testing.F) {
	f.Add("echo hi", "value", "files/a.txt", "/opt/a.txt", "1000:1000", "/work")
	f.Add("", "", "x", "/", "root", "/")
	f.Add("\x00\xff\"'$(id)`\n\\", "${HOME}\u00e9\U0001F600", "a b/*.txt", "/etc/x/", "sim:staff", "/home/sim/case/.")
	f.Fuzz(func(t *testing.T, cmd, value, src, dst, owner, dir string) {
		env := irtest.Minimal()
		envVars := []ir.EnvVar{{Name: "V", Value: ir.Word{{Lit: value}}}}
		env.Steps = append(env.Steps,
			&ir.EnvStep{Vars: envVars},
			&ir.RunStep{Command: cmd},
			&ir.CopyStep{Source: src, Target: dst, Owner: owner, Mode: 0o640},
			&ir.WorkdirStep{Path: dir, Owner: owner},
			&ir.RunStep{Command: cmd, User: owner, Workdir: dir},
		)
		res, diags := buildkit.Build(env, emitters.Options{})
		if diags.HasErrors() {
			return // a value no target can carry: refused, as it must be
		}
		def := res.Marshal()
		got, err := llbread.ReadBack(def.Bytes)
		if err != nil {
			t.Fatalf("BuildKit's code does not read the definition back: %v", err)
		}
		if diff := cmp.Diff(def.Graph, got); diff != "" {
			t.Fatalf("definition read back (-written +read):\n%s", diff)
		}
	})
}
