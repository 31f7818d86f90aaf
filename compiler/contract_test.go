package compiler_test

import (
	"testing"
	"time"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

// TestContract lowers the gpu, healthcheck and hpc blocks (defaults,
// "all", binds in Apptainer's syntax), and checks that an environment
// built on another takes the blocks it does not set itself.
func TestContract(t *testing.T) {
	src := `
environment "parent" {
  base = "debian:bookworm"
  gpu {}
  healthcheck {
    test     = ["true"]
    interval = "1m30s"
  }
  hpc {
    binds = ["/scratch/", "/site/ref:/ref:ro", "/a:/b:rw"]
    mpi   = "hybrid"
  }
}
environment "child" {
  from = environment.parent
  gpu {
    count        = "all"
    capabilities = ["compute"]
  }
}
`
	envs, errs := compile(t, src, compiler.Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	parent, child := envs[0], envs[1]
	ignore := cmpopts.IgnoreTypes(hcl.Range{})
	if diff := cmp.Diff(&ir.GPU{Vendor: "nvidia", Capabilities: []string{"gpu"}}, parent.GPU, ignore); diff != "" {
		t.Errorf("parent gpu (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&ir.GPU{Vendor: "nvidia", Capabilities: []string{"compute"}}, child.GPU, ignore); diff != "" {
		t.Errorf("child gpu (-want +got):\n%s", diff)
	}
	wantHealth := &ir.Healthcheck{Test: []string{"true"}, Interval: 90 * time.Second}
	for _, env := range envs {
		if diff := cmp.Diff(wantHealth, env.Healthcheck, ignore); diff != "" {
			t.Errorf("%s healthcheck (-want +got):\n%s", env.Name, diff)
		}
		wantHPC := &ir.HPC{MPI: ir.MPIHybrid, Binds: []ir.Bind{
			{Source: "/scratch", Target: "/scratch"},
			{Source: "/site/ref", Target: "/ref", ReadOnly: true},
			{Source: "/a", Target: "/b"},
		}}
		if diff := cmp.Diff(wantHPC, env.HPC, ignore); diff != "" {
			t.Errorf("%s hpc (-want +got):\n%s", env.Name, diff)
		}
	}
}
