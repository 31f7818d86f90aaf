// Package hugeheap asks Linux to back envc's heap with transparent huge
// pages, so that a short run takes one page fault per 2 MiB of heap
// rather than one per 4 KiB.
//
// A compile of a small spec lasts milliseconds, and most of the fresh
// memory it touches is its heap: the runtime gives each size class a span
// of its own on each core, so a short run touches far more heap than it
// keeps. On a virtual machine whose page faults each cost a trip to the
// hypervisor, those faults were the largest part of the run (about 14 µs
// each on the machine docs/performance.md measures on, against well under
// 1 µs on bare metal). Go backs its heap with huge pages only where the
// system turns them on for every program
// (/sys/kernel/mm/transparent_hugepage/enabled set to "always"); where it
// is set to "madvise", the default of Debian and Ubuntu, a program must
// ask for them, and Go does not.
//
// Start asks for the heap's arena (madvise MADV_HUGEPAGE) and folds the
// 2 MiB regions already partly in use into huge pages (MADV_COLLAPSE).
// The runtime maps the heap 4 MiB at a time, and memory it maps later is
// not covered, so the compile calls Advise again between its stages.
// Package startup calls Start while Go initialises envc, unless the
// command line names a large file, and the compile calls it once it has
// read a spec of at most SmallSpec (internal/cli): such a compile's heap
// is mostly in use by then.
//
// The heap of a larger spec's compile grows by tens to hundreds of MiB
// after the spec is read, chunk by chunk, and Follow advises it as it
// grows: every millisecond, until the command ends, it advises the address
// space above the arena where the heap grows, which gives each chunk the
// runtime mapped since huge pages for what it has not touched yet.
// envc-build, whose builds run for seconds, turns the package Off. These
// requests are hints that never change what a program computes: on a
// kernel without them, or with huge pages turned off, they do nothing.
// GODEBUG=disablethp=1, Go's own switch that keeps the heap on small
// pages, turns them off.
//
// The price is memory: a run's peak RSS grows by up to 2 MiB per 2 MiB
// region of heap it uses (the preCICE example: 9.3 MiB to 11.5 MiB).
package hugeheap
