package cli

import (
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// TestFromSharesOps checks what the capability matrix says of from on the
// llb target: an environment built on another holds every op of the
// other's graph, with the same digests, so a solver builds them once
// (the Docker builder does the same for the same instructions).
func TestFromSharesOps(t *testing.T) {
	c := goldenCase{name: "from", spec: filepath.Join("..", "..", "testdata", "golden", "from", "spec.hcl")}
	files := goldenOnce(t, c).tree()
	ops := func(env string) (map[digest.Digest]bool, digest.Digest) {
		f, ok := files[env+"/llb.pb"]
		if !ok {
			t.Fatalf("no %s/llb.pb", env)
		}
		var def pb.Definition
		if err := def.UnmarshalVT(f.Data); err != nil {
			t.Fatal(err)
		}
		set := map[digest.Digest]bool{}
		var last digest.Digest
		for _, b := range def.Def {
			last = digest.FromBytes(b)
			set[last] = true
		}
		// The last op only names the result: it is each graph's own.
		delete(set, last)
		return set, last
	}
	for _, pair := range [][2]string{{"toolchain", "solver"}, {"solver", "case"}, {"toolchain", "case"}} {
		parent, _ := ops(pair[0])
		child, _ := ops(pair[1])
		if len(parent) == 0 || len(child) <= len(parent) {
			t.Fatalf("%s has %d ops, %s %d", pair[0], len(parent), pair[1], len(child))
		}
		for d := range parent {
			if !child[d] {
				t.Errorf("op %s of %s is not in %s's graph", d, pair[0], pair[1])
			}
		}
	}
}
