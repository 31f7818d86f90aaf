package vagrant_test

import (
	"testing"

	"github.com/envc-dev/envc/emitters/vagrant"
	"github.com/envc-dev/envc/internal/benchdata"
)

// BenchmarkEmit emits the IR of each example and generated spec.
func BenchmarkEmit(b *testing.B) { benchdata.BenchmarkEmit(b, "../..", vagrant.New()) }
