package builder

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// Display is one progress display that several builds share (several
// environments built at once on one daemon): each build's steps are
// named with its prefix, as buildx names the targets of a bake.
type Display struct {
	ch   chan *client.SolveStatus
	done chan struct{}
	err  error
	wg   sync.WaitGroup
}

// NewDisplay starts a display in mode (progressui's: auto, tty, plain,
// rawjson or quiet) on w.
func NewDisplay(mode string, w io.Writer) (*Display, error) {
	if mode == "" {
		mode = string(progressui.AutoMode)
	}
	if w == nil {
		w = io.Discard
	}
	disp, err := progressui.NewDisplay(w, progressui.DisplayMode(mode))
	if err != nil {
		return nil, fmt.Errorf("progress %q: %w", mode, err)
	}
	d := &Display{ch: make(chan *client.SolveStatus), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		// The display ends when every build is done; it must not stop
		// early on a cancellation, or the failing step's log is lost.
		_, d.err = disp.UpdateFrom(context.Background(), d.ch)
		// Whatever comes after an error is read, so that no build blocks.
		for range d.ch {
		}
	}()
	return d, nil
}

// attach returns the channel a build sends its statuses to (it closes it
// when done); they reach the display with prefix before each step's name.
func (d *Display) attach(prefix string) chan *client.SolveStatus {
	in := make(chan *client.SolveStatus)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for s := range in {
			if prefix != "" {
				s = withPrefix(s, prefix)
			}
			d.ch <- s
		}
	}()
	return in
}

// Close waits for the builds attached to finish, ends the display and
// returns its error.
func (d *Display) Close() error {
	d.wg.Wait()
	close(d.ch)
	<-d.done
	return d.err
}

// withPrefix returns s with "[prefix] " before each step's name, and
// every step's digest made the build's own: two builds that share a
// cached step show it each on its own line, under its own name.
func withPrefix(s *client.SolveStatus, prefix string) *client.SolveStatus {
	own := func(d digest.Digest) digest.Digest { return digest.FromString(prefix + " " + d.String()) }
	out := &client.SolveStatus{}
	for _, v := range s.Vertexes {
		cv := *v
		cv.Digest = own(v.Digest)
		cv.Name = "[" + prefix + "] " + v.Name
		cv.Inputs = nil
		for _, in := range v.Inputs {
			cv.Inputs = append(cv.Inputs, own(in))
		}
		out.Vertexes = append(out.Vertexes, &cv)
	}
	for _, st := range s.Statuses {
		cs := *st
		cs.Vertex = own(st.Vertex)
		out.Statuses = append(out.Statuses, &cs)
	}
	for _, l := range s.Logs {
		cl := *l
		cl.Vertex = own(l.Vertex)
		out.Logs = append(out.Logs, &cl)
	}
	for _, w := range s.Warnings {
		cw := *w
		cw.Vertex = own(w.Vertex)
		out.Warnings = append(out.Warnings, &cw)
	}
	return out
}
