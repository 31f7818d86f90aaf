package buildkit

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// hashBehind gives the SHA-256 of the bytes written, in writes of any size
// across its buffers' edges.
func TestHashBehind(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, hashBuffer - 1, hashBuffer, hashBuffer + 1, 5*hashBuffer + 12345} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(r.IntN(256))
		}
		hb := newHashBehind()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+r.IntN(3*hashBuffer/2))
			hb.write(rest[:n])
			rest = rest[n:]
		}
		want := sha256.Sum256(data)
		if got := hb.sum(); got != hex.EncodeToString(want[:]) {
			t.Errorf("%d bytes: %s, want %x", size, got, want)
		}
	}
}
