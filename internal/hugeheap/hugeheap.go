package hugeheap

import (
	"sync/atomic"
	"syscall"
)

// enabled is false when GODEBUG turns huge pages off for the heap.
var enabled = !disabledBy(getenv("GODEBUG"))

// SmallSpec is the size of the largest spec whose compile asks for huge
// pages with Start and Advise: one that ends before the collector's first
// cycle, whose heap is mostly touched before the compile begins (the
// preCICE example repeated ten times, 12 KB, is collected no time; thirty
// times, 35 KB, once; a hundred times, five times). The compile of a
// larger spec has its heap followed instead (Follow): it grows by tens to
// hundreds of MiB after the spec is read, most of it mapped, in 4 MiB
// chunks, after any call of Advise.
const SmallSpec = 32 << 10

// off is set by Off.
var off atomic.Bool

// Off makes Start, Advise and Follow do nothing in this process from now
// on: a program that runs for seconds (envc-build) keeps the system's
// setting for what its heap grows into.
func Off() { off.Store(true) }

// following is set from Follow to its stop: the heap is advised as it
// grows, and Start and Advise have nothing left to do.
var following atomic.Bool

func getenv(key string) string {
	v, _ := syscall.Getenv(key)
	return v
}

// disabledBy reports whether a GODEBUG value sets disablethp to 1. As in
// Go's runtime, the value is a comma-separated list of name=value
// settings, and a later setting of a name overrides an earlier one.
func disabledBy(godebug string) bool {
	disabled := false
	for start := 0; start <= len(godebug); {
		end := start
		for end < len(godebug) && godebug[end] != ',' {
			end++
		}
		switch godebug[start:end] {
		case "disablethp=1":
			disabled = true
		case "disablethp=0":
			disabled = false
		}
		start = end + 1
	}
	return disabled
}
