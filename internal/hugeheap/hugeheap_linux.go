//go:build linux && (amd64 || arm64 || loong64 || ppc64le || riscv64 || s390x)

package hugeheap

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The madvise advice values of Linux's asm-generic mman-common.h, which
// the architectures above use.
const (
	madvHugepage = 14
	madvCollapse = 25
)

// The layout of Go's heap on 64-bit Linux: it reserves address space in
// arenas of 64 MiB, aligned to their size, and maps it for use in chunks
// of 4 MiB, aligned to theirs. Were a later Go to change them, Advise
// would ask for less, or more, of the heap: never anything but the hint.
// A huge page is 2 MiB on these architectures with 4 KiB pages.
const (
	arenaBytes = 64 << 20
	chunkBytes = 4 << 20
	hugeBytes  = 2 << 20
	pageBytes  = 4 << 10
)

// probe holds the object whose address tells where the heap grows
// (growing). An object of 32 KiB takes a span of its own, and the runtime
// takes the free pages of lowest address for it: those at the end of the
// heap in use, as nothing is freed before the first collection.
// (Stored atomically, as the tests compile on several goroutines at once;
// kept in a variable, so that it is on the heap.)
var probe atomic.Pointer[[32 << 10]byte]

// growing returns the address of a new probe: where the heap grows now.
func growing() uintptr {
	p := new([32 << 10]byte)
	probe.Store(p)
	return uintptr(unsafe.Pointer(p))
}

// started is set by Start.
var started atomic.Bool

// Start asks the kernel to back the heap's arena with transparent huge
// pages, given as the heap first touches each 2 MiB of it, and folds the
// pages already in use in the 2 MiB regions where the heap now grows into
// huge pages; it makes later calls of Advise do the same for what the
// heap grew into since. It does nothing when GODEBUG has disablethp=1,
// or after Off.
func Start() {
	started.Store(true)
	Advise()
}

// Advise does what Start does, once Start was called, and nothing before.
func Advise() {
	if !enabled || off.Load() || !started.Load() || following.Load() {
		return
	}
	at := growing()
	madvise(at&^(arenaBytes-1), arenaBytes, madvHugepage)
	// A region partly in use has its page table already: the kernel
	// gives it no huge page at a fault, so it is collapsed. A region not
	// yet touched gets one at its first fault, and collapsing it would
	// only make and clear its page now.
	chunk := at &^ (chunkBytes - 1)
	for r := chunk; r < chunk+chunkBytes; r += hugeBytes {
		if partlyResident(r) {
			madvise(r, hugeBytes, madvCollapse)
		}
	}
}

// partlyResident reports whether some, but not all, of the pages of the
// 2 MiB region at r are in memory (mincore), and false if that cannot be
// told.
func partlyResident(r uintptr) bool {
	var vec [hugeBytes / pageBytes]byte
	_, _, errno := syscall.Syscall(syscall.SYS_MINCORE, r, hugeBytes, uintptr(unsafe.Pointer(&vec[0])))
	if errno != 0 {
		return false
	}
	in := 0
	for _, v := range vec {
		in += int(v & 1)
	}
	return in > 0 && in < len(vec)
}

// madvise gives advice for [addr, addr+n); an error (a kernel without
// the advice, or huge pages turned off) leaves memory as it was.
func madvise(addr, n uintptr, advice int) {
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, n, uintptr(advice))
}

// followSpan is how much address space Follow advises, from the arena
// where the heap grows when it starts: the runtime reserves each new arena
// after the last, so this covers a heap of up to 4 GiB. What lies beyond
// it keeps small pages.
const followSpan = 4 << 30

// followTick is how often Follow advises. The runtime maps a chunk and
// allocates from it at once, and what is touched of a chunk before the
// next tick keeps its small pages: a compile that grows its heap by 100
// MiB a second fills a chunk in about 40 ms.
const followTick = time.Millisecond

// Follow asks the kernel to back the heap with transparent huge pages as
// it grows, until stop is called: every followTick it advises
// (MADV_HUGEPAGE) followSpan of address space from the arena where the
// heap now grows, which gives each chunk the runtime mapped since the
// last tick huge pages for what it has not touched yet. Nothing is
// folded (MADV_COLLAPSE): what the heap holds when Follow starts keeps
// its small pages. Until stop, Start and Advise do nothing. Follow does
// nothing when GODEBUG has disablethp=1, or after Off. stop may be
// called more than once.
func Follow() (stop func()) {
	if !enabled || off.Load() {
		return func() {}
	}
	following.Store(true)
	base := growing() &^ (arenaBytes - 1)
	done := make(chan struct{})
	followers.Add(1)
	go func() {
		defer followers.Add(-1)
		t := time.NewTicker(followTick)
		defer t.Stop()
		for {
			madvise(base, followSpan, madvHugepage)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			following.Store(false)
		})
	}
}

// followers counts the goroutines Follow started that have not ended, for
// the tests.
var followers atomic.Int32
