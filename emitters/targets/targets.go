package targets

import (
	"sort"
	"strings"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/emitters/vagrant"
)

// All returns every emitter, sorted by name.
func All() []emitters.Emitter {
	all := []emitters.Emitter{
		docker.New(),
		buildkit.New(),
		singularity.New(),
		vagrant.New(),
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all
}

// Lookup returns the emitter called name (or one of its aliases).
func Lookup(name string) (emitters.Emitter, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, e := range All() {
		if e.Name() == name {
			return e, true
		}
		for _, a := range e.Aliases() {
			if a == name {
				return e, true
			}
		}
	}
	return nil, false
}

// Names maps each target's name and each alias to the target's name: what
// a step's only and except may say (compiler.Options.Targets).
func Names() map[string]string {
	m := map[string]string{}
	for _, e := range All() {
		m[e.Name()] = e.Name()
		for _, a := range e.Aliases() {
			m[a] = e.Name()
		}
	}
	return m
}
