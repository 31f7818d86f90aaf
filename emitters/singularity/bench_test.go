package singularity_test

import (
	"testing"

	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/internal/benchdata"
)

// BenchmarkEmit emits the IR of each example and generated spec.
func BenchmarkEmit(b *testing.B) { benchdata.BenchmarkEmit(b, "../..", singularity.New()) }
