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
// the process held when Compile started (Options.MemoryLimit).
const DefaultMemoryLimit = 1 << 30

// watchEvery is how often the watch reads the heap's size.
const watchEvery = 2 * time.Millisecond

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
	base := heapBytes()
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			if h := heapBytes(); int64(h-min(base, h)) <= limit {
				continue
			}
			// Garbage counts until a collection: judge what is live.
			runtime.GC()
			if h := heapBytes(); int64(h-min(base, h)) <= limit {
				continue
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
			return
		}
	}()
	return w
}

// heapBytes is the size of the heap's objects, live and not yet
// collected. (runtime/metrics reads it without stopping the world, but
// its package's start-up costs every run more than this costs a watch.)
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
