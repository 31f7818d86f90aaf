package buildkit

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// hashBuffer is the size of each buffer hashBehind hands to its goroutine.
const hashBuffer = 1 << 20

// hashBehind computes the SHA-256 of what is written to it on a goroutine
// of its own, a buffer at a time, so that a large definition's hash (for
// the manifest) is computed on another core while this one marshals the
// ops and hashes each for its digest. It holds three buffers at most.
type hashBehind struct {
	h    hash.Hash
	cur  []byte
	full chan []byte
	free chan []byte
	done chan struct{}
}

func newHashBehind() *hashBehind {
	hb := &hashBehind{h: sha256.New(), full: make(chan []byte, 2), free: make(chan []byte, 3), done: make(chan struct{})}
	for range 2 {
		hb.free <- make([]byte, 0, hashBuffer)
	}
	hb.cur = make([]byte, 0, hashBuffer)
	go func() {
		for b := range hb.full {
			hb.h.Write(b)
			hb.free <- b[:0]
		}
		close(hb.done)
	}()
	return hb
}

// write copies b into the current buffer, handing each full buffer over.
func (hb *hashBehind) write(b []byte) {
	for len(b) > 0 {
		n := min(len(b), cap(hb.cur)-len(hb.cur))
		hb.cur = append(hb.cur, b[:n]...)
		b = b[n:]
		if len(hb.cur) == cap(hb.cur) {
			hb.full <- hb.cur
			hb.cur = <-hb.free
		}
	}
}

// sum hands the last buffer over, waits for the goroutine and returns the
// hex SHA-256 of everything written. hb cannot be written to after.
func (hb *hashBehind) sum() string {
	if len(hb.cur) > 0 {
		hb.full <- hb.cur
	}
	close(hb.full)
	<-hb.done
	return hex.EncodeToString(hb.h.Sum(nil))
}
