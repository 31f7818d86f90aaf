package singularity

import (
	"regexp"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestHelpHPC checks the hpc block's %help: no raw data line for a block
// without binds, srun lines that name no one process-management interface
// as the image's, and a read-back that gives the block back in each case.
func TestHelpHPC(t *testing.T) {
	binds := []ir.Bind{{Source: "/scratch", Target: "/scratch"}, {Source: "/site/ref", Target: "/ref", ReadOnly: true}}
	for _, tc := range []struct {
		name string
		hpc  ir.HPC
	}{
		{"hybrid without binds", ir.HPC{MPI: ir.MPIHybrid}},
		{"hybrid with binds", ir.HPC{MPI: ir.MPIHybrid, Binds: binds}},
		{"binds alone", ir.HPC{Binds: binds}},
		{"empty", ir.HPC{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := irtest.Minimal()
			h := tc.hpc
			h.Range = env.Base.Range
			env.HPC = &h
			data, _ := emit(t, env)
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			help := d.Help.Body
			if strings.Contains(help, "binds=[]") {
				t.Errorf("%%help holds a raw line for what the block does not set:\n%s", help)
			}
			srun := regexp.MustCompile(`(?m)^\s*srun .*$`).FindAllString(help, -1)
			if h.MPI == ir.MPIHybrid {
				for _, pmi := range []string{"pmix", "pmi2"} {
					if !strings.Contains(help, "srun --mpi="+pmi+" ") {
						t.Errorf("%%help gives no srun line for --mpi=%s:\n%s", pmi, help)
					}
				}
			} else if len(srun) > 0 {
				t.Errorf("%%help gives srun lines without an MPI model: %q", srun)
			}
			v, err := Effective(data)
			if err != nil {
				t.Fatal(err)
			}
			_, _, want := effective.ContractOf(env)
			if diff := cmp.Diff(want, v.HPC, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read back (-want +got):\n%s\n%s", diff, help)
			}
		})
	}
}
