//go:build linux && (amd64 || arm64 || loong64 || ppc64le || riscv64 || s390x)

package hugeheap

import (
	"sync/atomic"
	"syscall"
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

// probe holds the object whose address tells Advise where the heap grows.
// An object of 32 KiB takes a span of its own, and the runtime takes the
// free pages of lowest address for it: those at the end of the heap in
// use, as nothing is freed before the first collection.
// (Stored atomically, as the tests compile on several goroutines at once;
// kept in a variable, so that it is on the heap.)
var probe atomic.Pointer[[32 << 10]byte]

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
	if !enabled || off.Load() || !started.Load() {
		return
	}
	p := new([32 << 10]byte)
	probe.Store(p)
	at := uintptr(unsafe.Pointer(p))
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
