package emitters

import (
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
)

// DockerGPUArgs returns the docker run arguments that request g:
// "--gpus" and "all", a count, or, with capabilities other than "gpu"
// alone, Docker's CSV form ("count=2,\"capabilities=compute,utility\"").
func DockerGPUArgs(g *ir.GPU) []string {
	count := "all"
	if g.Count > 0 {
		count = strconv.Itoa(g.Count)
	}
	if len(g.Capabilities) == 1 && g.Capabilities[0] == "gpu" {
		return []string{"--gpus", count}
	}
	return []string{"--gpus", "count=" + count + `,"capabilities=` + strings.Join(g.Capabilities, ",") + `"`}
}
