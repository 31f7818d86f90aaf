package ir

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// GPU is the GPUs the run command needs (a gpu block). It says what a
// container runtime reserves, the way Compose's device reservations do.
type GPU struct {
	// Count is the number of GPUs; 0 means every GPU the host has.
	Count int
	// Vendor is the GPUs' vendor: "nvidia" (the one every target's
	// runtime knows how to pass through).
	Vendor string
	// Capabilities are the driver capabilities asked for, in author
	// order, without duplicates ("gpu", "compute", "utility", ...); never
	// empty (the compiler's default is ["gpu"]).
	Capabilities []string
	Range        hcl.Range
}

// Healthcheck is the command that tells whether the running environment
// is healthy (a healthcheck block): it succeeds (exit status 0) when it
// is. Zero durations and retries leave the runtime's defaults.
type Healthcheck struct {
	// Test is the command as an argv, run without a shell (non-empty).
	Test        []string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	// Retries is the number of consecutive failures that make the
	// environment unhealthy; 0 leaves the default.
	Retries int
	Range   hcl.Range
}

// HPC is how a cluster runs the environment (an hpc block): the site's
// paths to bind, and the MPI model. It is Apptainer's contract; the other
// targets have what is natural to them or warn.
type HPC struct {
	// Binds are the host paths bound into the environment at run time,
	// in author order, each target once.
	Binds []Bind
	// MPI is the MPI model: "" for none, or MPIHybrid.
	MPI   string
	Range hcl.Range
}

// MPIHybrid is the MPI model in which the host's MPI launcher (mpirun,
// srun) starts one container per rank, and the MPI inside the container,
// compatible with the host's, connects them.
const MPIHybrid = "hybrid"

// Bind is one host path bound into the environment.
type Bind struct {
	// Source is the absolute host path; Target the absolute path inside
	// (Source when the spec names one path).
	Source   string
	Target   string
	ReadOnly bool
}
