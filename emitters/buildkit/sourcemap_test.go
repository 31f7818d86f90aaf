package buildkit_test

import (
	"github.com/envc-dev/envc/emitters/buildkit"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/moby/buildkit/solver/pb"
)

// A source map adds each step's spec range to its op and changes no op:
// the digests (and so BuildKit's cache keys) are the same as without it.
func TestSourceMapLocations(t *testing.T) {
	env := irtest.Full()
	opts := emitters.Options{Platform: emitters.DefaultPlatform}
	plain, diags := buildkit.Build(env, opts)
	if diags.HasErrors() {
		t.Fatal(diags.Errs())
	}
	src := []byte("spec bytes\n")
	sm := &buildkit.SourceMap{Filename: env.DeclRange.Filename, Language: "HCL", Data: src}
	mapped, diags := buildkit.BuildWith(env, opts, buildkit.BuildOptions{SourceMap: sm})
	if diags.HasErrors() {
		t.Fatal(diags.Errs())
	}
	var d1, d2 pb.Definition
	if err := d1.UnmarshalVT(plain.Marshal().Bytes); err != nil {
		t.Fatal(err)
	}
	if err := d2.UnmarshalVT(mapped.Marshal().Bytes); err != nil {
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
	if d1.Source == nil || len(d1.Source.Infos) != 0 {
		t.Errorf("without a source map, source = %v, want no infos", d1.Source)
	} else {
		for dgst, locs := range d1.Source.Locations {
			if len(locs.Locations) > 0 {
				t.Errorf("without a source map, op %s has locations %v", dgst, locs)
			}
		}
	}
	if d2.Source == nil || len(d2.Source.Infos) != 1 || d2.Source.Infos[0].Filename != env.DeclRange.Filename ||
		d2.Source.Infos[0].Language != "HCL" || string(d2.Source.Infos[0].Data) != string(src) {
		t.Fatalf("source infos = %v, want one for %q", d2.Source, env.DeclRange.Filename)
	}
	// Every op but the terminal one has an entry, as BuildKit's client
	// writes them.
	if got, want := len(d2.Source.Locations), len(d2.Def)-1; got != want {
		t.Errorf("%d location entries, want %d", got, want)
	}
	pb := &d2
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
