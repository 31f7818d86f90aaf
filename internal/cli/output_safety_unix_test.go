//go:build unix

package cli

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/envc-dev/envc/internal/specgen"
	"golang.org/x/sys/unix"
)

// envcProgram returns the envc command that TestMain puts on PATH (this
// test binary, run as envc).
func envcProgram(t *testing.T) string {
	t.Helper()
	prog, err := exec.LookPath("envc")
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// A compile into a folder another compile is writing waits for it, says
// so, and writes once the other is done.
func TestCompileWaitsForLock(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.hcl")
	if err := os.WriteFile(spec, []byte(copySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	envDir := filepath.Join(out, "demo")
	if err := os.MkdirAll(envDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// This test holds the lock a running compile holds.
	lock := func() *os.File {
		f, err := os.Open(envDir)
		if err == nil {
			err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		}
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	// start runs compile and returns once it says it waits.
	start := func() *exec.Cmd {
		cmd := exec.Command(envcProgram(t), "compile", spec, "-o", out)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stderr).ReadString('\n')
		if !strings.Contains(line, "waiting for another envc compile") {
			cmd.Wait()
			t.Fatalf("compile did not wait for the folder's lock: first line of its output %q (%v), exit %v", line, err, cmd.ProcessState)
		}
		return cmd
	}

	held := lock()
	cmd := start()
	if _, err := os.Lstat(filepath.Join(envDir, "Dockerfile")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the waiting compile wrote its outputs (%v)", err)
	}
	held.Close() // releases the lock
	if err := cmd.Wait(); err != nil {
		t.Fatalf("compile after the lock was released: %v", err)
	}
	if _, err := os.Stat(filepath.Join(envDir, "Dockerfile")); err != nil {
		t.Errorf("compile after the lock was released: %v", err)
	}

	// A waiting compile stopped by a signal leaves nothing behind. Without
	// the record of the compile above (which a compile would check first,
	// waiting for the lock without a word), it says it waits.
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove((&app{environ: os.Environ()}).statePath(out)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(envDir, 0o755); err != nil {
		t.Fatal(err)
	}
	held = lock()
	defer held.Close()
	cmd = start()
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("compile stopped while waiting: %v, want killed by SIGTERM", err)
	}
	if entries, err := os.ReadDir(envDir); err != nil || len(entries) != 0 {
		t.Errorf("compile stopped while waiting left %v (%v)", entries, err)
	}
}

// A compile stopped by SIGTERM or SIGINT while it writes removes its
// temporary files (the large spec's llb.pb is tens of MB) and ends by the
// signal.
func TestSignalRemovesTemporaries(t *testing.T) {
	if testing.Short() {
		t.Skip("large spec in -short mode")
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "large.hcl")
	if err := os.WriteFile(spec, specgen.Spec(specgen.Large()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	// temporaries returns the temporary files under out.
	temporaries := func() []string {
		var temps []string
		filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".tmp") {
				temps = append(temps, path)
			}
			return nil
		})
		return temps
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			// The signal must come while a temporary file exists: a run
			// that ends before one is seen is tried again.
			for attempt := 0; attempt < 20; attempt++ {
				os.RemoveAll(out)
				cmd := exec.Command(envcProgram(t), "compile", spec, "-o", out, "-t", "llb")
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				var err error
				caught := false
			poll:
				for {
					select {
					case err = <-done:
						break poll
					default:
					}
					if len(temporaries()) > 0 {
						cmd.Process.Signal(sig)
						caught = true
						err = <-done
						break
					}
					time.Sleep(time.Millisecond)
				}
				if !caught {
					continue
				}
				ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if !ok || !ws.Signaled() || ws.Signal() != sig {
					t.Errorf("compile after %v: %v, want ended by the signal", sig, err)
				}
				if temps := temporaries(); len(temps) > 0 {
					t.Errorf("temporary files left after %v: %v", sig, temps)
				}
				return
			}
			t.Fatal("no run was caught while it had a temporary file")
		})
	}
}
