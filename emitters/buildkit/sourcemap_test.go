package buildkit

import (
	"context"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/moby/buildkit/client/llb"
)

// A source map adds each step's spec range to its op and changes no op:
// the digests (and so BuildKit's cache keys) are the same as without it.
func TestSourceMapLocations(t *testing.T) {
	env := irtest.Full()
	opts := emitters.Options{Platform: emitters.DefaultPlatform}
	plain, diags := Build(env, opts)
	if diags.HasErrors() {
		t.Fatal(diags.Errs())
	}
	src := []byte("spec bytes\n")
	sm := llb.NewSourceMap(nil, env.DeclRange.Filename, "HCL", src)
	mapped, diags := BuildWith(env, opts, BuildOptions{SourceMap: sm})
	if diags.HasErrors() {
		t.Fatal(diags.Errs())
	}
	ctx := context.Background()
	d1, err := plain.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := mapped.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d1.Def) != len(d2.Def) {
		t.Fatalf("ops: %d without a source map, %d with", len(d1.Def), len(d2.Def))
	}
	for i := range d1.Def {
		if string(d1.Def[i]) != string(d2.Def[i]) {
			t.Errorf("op %d differs with a source map", i)
		}
	}
	if d1.Source != nil {
		for dgst, locs := range d1.Source.Locations {
			if len(locs.Locations) > 0 {
				t.Errorf("without a source map, op %s has locations %v", dgst, locs)
			}
		}
	}
	pb := d2.ToPB()
	if pb.Source == nil || len(pb.Source.Infos) != 1 || pb.Source.Infos[0].Filename != env.DeclRange.Filename {
		t.Fatalf("source infos = %v, want one for %q", pb.Source, env.DeclRange.Filename)
	}
	lines := map[int32]bool{}
	for _, locs := range pb.Source.Locations {
		for _, l := range locs.Locations {
			for _, r := range l.Ranges {
				lines[r.Start.Line] = true
			}
		}
	}
	for _, s := range env.Steps {
		switch s := s.(type) {
		case *ir.EnvStep:
			continue // env makes no op
		case *ir.WorkdirStep:
			if s.Path == "/" {
				continue
			}
		}
		if r := s.StepRange(); !lines[int32(r.Start.Line)] {
			t.Errorf("no op carries line %d (%T)", r.Start.Line, s)
		}
	}
}
