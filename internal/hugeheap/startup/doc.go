// Package startup starts package hugeheap while Go initialises the
// program's packages, before most of them touch the heap, unless the
// command line names a file larger than hugeheap.SmallSpec (a spec whose
// compile follows its heap instead, hugeheap.Follow). cmd/envc imports it
// for that side effect alone; envc-build, whose builds run for seconds,
// does not.
//
// The compile starts hugeheap itself once it has read a small spec, but
// by then the packages' initialisers and the command line's parsing have
// taken their page faults: on the machine docs/performance.md measures
// on, starting here saves about 2 ms more of a compile of the preCICE
// example.
package startup
