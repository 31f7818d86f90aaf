package docker_test

import (
	"testing"

	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/docker/dockerread"
	"github.com/envc-dev/envc/internal/benchdata"
)

// BenchmarkEmit emits the IR of each example and generated spec, with the
// self-check envc makes (the structural one).
func BenchmarkEmit(b *testing.B) {
	dockerread.FullSelfCheck(false)
	defer dockerread.FullSelfCheck(true)
	benchdata.BenchmarkEmit(b, "../..", docker.New())
}
