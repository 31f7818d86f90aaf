package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/envc-dev/envc/internal/sifimage"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// sifExport is one type=sif output of an LLB build. BuildKit's tar
// exporter streams the root file system to the client; the stream is
// rewritten with Apptainer's metadata laid in and fed to mksquashfs as it
// arrives, so the root file system is never unpacked on disk. After the
// solve, the squashfs and the metadata are written as a SIF.
type sifExport struct {
	dest       string
	mksquashfs string
	// squashfs is the temporary squashfs, beside dest.
	squashfs string

	mu     sync.Mutex
	layout *sifimage.Layout
	// started is set when BuildKit asked for the stream; err is the
	// squashfs's result once the stream is closed.
	started, finished bool
	err               error
}

// sifState holds what the build function learns (the configs and the
// platform) for the SIF exports that run after it.
type sifState struct {
	mu  sync.Mutex
	cfg *sifimage.Config
}

func (s *sifState) set(cfg sifimage.Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = &cfg
}

func (s *sifState) get() (sifimage.Config, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return sifimage.Config{}, false
	}
	return *s.cfg, true
}

// newSIFExports checks the type=sif outputs before a build: mksquashfs is
// installed, the definition file is given and each destination's folder
// exists.
func newSIFExports(outputs []Output, deffile []byte) ([]*sifExport, error) {
	var out []*sifExport
	for _, o := range outputs {
		if o.Type != ExporterSIF {
			continue
		}
		mks, err := sifimage.LookMksquashfs()
		if err != nil {
			return nil, err
		}
		if deffile == nil {
			return nil, errors.New("a type=sif output needs the definition file (LLB.Deffile)")
		}
		dir := filepath.Dir(o.Dest)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("output type=sif,dest=%s: the folder %s does not exist", o.Dest, dir)
		}
		out = append(out, &sifExport{
			dest:       o.Dest,
			mksquashfs: mks,
			squashfs:   filepath.Join(dir, "."+filepath.Base(o.Dest)+".squashfs"+strconv.Itoa(os.Getpid())),
		})
	}
	return out, nil
}

// entry is the tar export that feeds x's squashfs.
func (x *sifExport) entry(ctx context.Context, state *sifState, prog *progress) client.ExportEntry {
	return client.ExportEntry{
		Type: client.ExporterTar,
		Output: func(map[string]string) (io.WriteCloser, error) {
			cfg, ok := state.get()
			if !ok {
				return nil, errors.New("the SIF's image config was not resolved")
			}
			layout, err := sifimage.Lay(cfg)
			if err != nil {
				return nil, err
			}
			x.mu.Lock()
			x.layout, x.started = layout, true
			x.mu.Unlock()
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			v := prog.start("[sif] squashfs of the root file system with Apptainer's metadata (mksquashfs -tar -comp gzip)")
			go func() {
				err := layout.Squash(ctx, x.mksquashfs, pr, x.squashfs, prog.logWriter(v))
				prog.done(v, err)
				if err != nil {
					pr.CloseWithError(err)
				} else {
					// What follows the tar's end (padding) is read too, so
					// that BuildKit's writer never blocks.
					_, err = io.Copy(io.Discard, pr)
				}
				done <- err
			}()
			return &sifWriter{PipeWriter: pw, done: done, x: x}, nil
		},
	}
}

// sifWriter is the stream BuildKit writes the tar to; Close waits for the
// squashfs.
type sifWriter struct {
	*io.PipeWriter
	done chan error
	x    *sifExport
	once sync.Once
	err  error
}

func (w *sifWriter) Close() error {
	w.once.Do(func() {
		w.PipeWriter.Close()
		w.err = <-w.done
		w.x.mu.Lock()
		w.x.finished, w.x.err = true, w.err
		w.x.mu.Unlock()
	})
	return w.err
}

// finish writes the SIF once the solve has exported the root file system.
func (x *sifExport) finish(prog *progress) error {
	x.mu.Lock()
	started, finished, err, layout := x.started, x.finished, x.err, x.layout
	x.mu.Unlock()
	switch {
	case !started || !finished:
		return fmt.Errorf("BuildKit exported no root file system for %s", x.dest)
	case err != nil:
		return err
	}
	v := prog.start("[sif] writing " + x.dest)
	err = layout.Write(x.dest, x.squashfs)
	prog.done(v, err)
	return err
}

// cleanup removes the temporary squashfs.
func (x *sifExport) cleanup() { os.Remove(x.squashfs) }

// progress sends envc's own steps (the SIF's) to the progress display as
// vertices of their own, beside BuildKit's.
type progress struct {
	ch chan *client.SolveStatus
	// salt tells the steps of builds that share a display apart.
	salt string
}

// vertex is one of envc's own steps on the display.
type vertex struct {
	d       digest.Digest
	name    string
	started time.Time
}

func (p *progress) start(name string) *vertex {
	v := &vertex{d: digest.FromString("envc " + p.salt + " " + name), name: name, started: time.Now()}
	p.ch <- &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: v.d, Name: v.name, Started: &v.started}}}
	return v
}

func (p *progress) done(v *vertex, err error) {
	now := time.Now()
	cv := &client.Vertex{Digest: v.d, Name: v.name, Started: &v.started, Completed: &now}
	if err != nil {
		cv.Error = err.Error()
	}
	p.ch <- &client.SolveStatus{Vertexes: []*client.Vertex{cv}}
}

// logWriter shows what is written to it as the vertex's log.
func (p *progress) logWriter(v *vertex) io.Writer {
	return logFunc(func(b []byte) (int, error) {
		p.ch <- &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: v.d, Stream: 1, Data: append([]byte(nil), b...), Timestamp: time.Now()}}}
		return len(b), nil
	})
}

type logFunc func([]byte) (int, error)

func (f logFunc) Write(b []byte) (int, error) { return f(b) }
