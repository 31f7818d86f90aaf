package buildkit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
)

// A definition written to a stream, an op at a time after a pass for the
// digests, is byte for byte the one written in memory, and so is llb.json.
func TestStreamedDefinition(t *testing.T) {
	defer func(n int) { streamAbove = n }(streamAbove)
	streamAbove = 0
	for name, env := range map[string]func() *ir.Env{
		"full": irtest.Full, "minimal": irtest.Minimal, "hostile": irtest.Hostile, "stages": irtest.Stages,
	} {
		t.Run(name, func(t *testing.T) {
			mem, diags := emitters.EmitFor(New(), env(), emitters.Options{})
			if diags.HasErrors() {
				t.Fatal(diags.Errs())
			}
			streamed, _ := emitters.EmitFor(New(), env(), emitters.Options{Stream: true})
			if len(mem.Files) != len(streamed.Files) {
				t.Fatalf("%d files in memory, %d streamed", len(mem.Files), len(streamed.Files))
			}
			n := 0
			for i, f := range streamed.Files {
				if f.Stream != nil {
					n++
					if f.Data != nil {
						t.Errorf("%s: both Data and Stream", f.Path)
					}
				}
				got, err := f.Bytes()
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(got); f.Stream != nil && f.SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("%s: SHA256 %s is not the hash of the bytes streamed", f.Path, f.SHA256)
				}
				if f.Path != mem.Files[i].Path || !bytes.Equal(got, mem.Files[i].Data) {
					t.Errorf("%s: streamed bytes differ from %s in memory", f.Path, mem.Files[i].Path)
				}
			}
			if n == 0 {
				t.Error("no file was streamed")
			}
		})
	}
}
