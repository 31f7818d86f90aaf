package readback

import (
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/docker/dockerread"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/emitters/vagrant"
)

// Reader is one target's reader.
type Reader struct {
	// Target is the target's name, as emitters.Emitter.Name says it.
	Target string
	// Needs lists the programs Read runs, which must be on PATH.
	Needs []string
	// Read reads the target's files of one environment.
	Read effective.ReadFunc
}

// All returns every target's reader, sorted by target name (the order of
// emitters/targets.All).
func All() []Reader {
	return []Reader{
		{Target: docker.New().Name(), Read: dockerread.Read},
		{Target: buildkit.New().Name(), Read: llbread.Read},
		{Target: singularity.New().Name(), Read: singularity.Read},
		{Target: vagrant.New().Name(), Needs: []string{"ruby"}, Read: vagrant.Read},
	}
}

// Lookup returns the reader of the target named target.
func Lookup(target string) (Reader, bool) {
	for _, r := range All() {
		if r.Target == target {
			return r, true
		}
	}
	return Reader{}, false
}
