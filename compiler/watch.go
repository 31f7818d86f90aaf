package compiler

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// DefaultMemoryLimit is how much heap an evaluation may take beyond what
// the process held when the watch first looked (Options.MemoryLimit).
const DefaultMemoryLimit = 1 << 30

// watchAfter is how long the watch waits before its first look at the
// heap, and watchEvery how often it looks after that. Most compiles are
// over before the first look.
const (
	watchAfter = 20 * time.Millisecond
	watchEvery = 2 * time.Millisecond
)

// watch ends a compilation whose evaluation grows the heap past a limit.
// The functions' checks and the size of each value (limits.go) catch the
// usual ways a short spec makes a huge value before it is made; what they
// cannot judge beforehand (a template's for directive joins what its body
// makes, as large as it turns out) the watch catches as it grows. HCL's
// evaluation cannot be stopped midway, so the watch hands an error at the
// expression being evaluated to Options.Exhausted, which ends the process.
type watch struct {
	at   atomic.Pointer[hcl.Range]
	stop chan struct{}
	done sync.WaitGroup
}

// startWatch starts a watch when opts asks for one, and returns nil
// otherwise (a nil watch does nothing).
func startWatch(opts Options) *watch {
	if opts.Exhausted == nil {
		return nil
	}
	limit := opts.MemoryLimit
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	w := &watch{stop: make(chan struct{})}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		first := time.NewTimer(watchAfter)
		defer first.Stop()
		select {
		case <-w.stop:
			return
		case <-first.C:
		}
		// The heap's size is read once the compile ran for a while: a
		// read stops the world (runtime/metrics does not, but its
		// package's start-up costs every run more than these reads).
		// What an evaluation grows before it is not counted, at most a
		// few hundred MiB at memory's speed.
		base := heapBytes()
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		for !over(base, limit) {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
		rng := hcl.Range{}
		if at := w.at.Load(); at != nil {
			rng = *at
		}
		opts.Exhausted(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Spec too costly to evaluate",
			Detail: fmt.Sprintf("Evaluating this expression took more than %d MiB of memory, more than a spec may: a for directive of a template, or a function, makes a value far larger than any value envc carries. "+
				"Make the value smaller.", limit>>20),
			Subject: rng.Ptr(),
		})
	}()
	return w
}

// over reports whether the heap grew more than limit past base: garbage
// counts until a collection, so a heap over it is judged again on what is
// live.
func over(base uint64, limit int64) bool {
	grown := func() bool {
		h := heapBytes()
		return int64(h-min(base, h)) > limit
	}
	if !grown() {
		return false
	}
	runtime.GC()
	return grown()
}

// heapBytes is the size of the heap's objects, live and not yet
// collected.
func heapBytes() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// evaluating records that the expression at rng is being evaluated.
func (w *watch) evaluating(rng hcl.Range) {
	if w != nil {
		w.at.Store(&rng)
	}
}

// end stops the watch.
func (w *watch) end() {
	if w != nil {
		close(w.stop)
		w.done.Wait()
	}
}
