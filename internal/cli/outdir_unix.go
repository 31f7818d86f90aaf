//go:build unix

package cli

import (
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// tryLockFolder takes the exclusive lock of the open folder f (flock), or
// reports false when another process holds it. The lock goes with the
// process: a compile killed with SIGKILL holds nothing.
func tryLockFolder(f *os.File) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case unix.EINTR:
			continue
		case unix.EWOULDBLOCK:
			return false, nil
		}
		return false, err
	}
}

// lockFolder waits for the exclusive lock of the open folder f.
func lockFolder(f *os.File) error {
	for {
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != unix.EINTR {
			return err
		}
	}
}

// lockFolderShared waits for a shared lock of the open folder f: compile
// --check reads while no compile writes, and several checks read at once.
func lockFolderShared(f *os.File) error {
	for {
		if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != unix.EINTR {
			return err
		}
	}
}

// sameFile reports whether a and b describe the same file (device and
// inode).
func sameFile(a, b fs.FileInfo) bool { return os.SameFile(a, b) }

// nonBlock is added to the flags of every file and folder compile opens
// in its trees. A file opened for reading that was swapped for a FIFO
// after it was checked must not block compile. And Go's os package
// switches a file opened without it to non-blocking mode and back (four
// fcntl calls) to offer it to the poller, which takes no regular file or
// folder; opened with it, the file only stays non-blocking, which
// changes nothing for either.
const nonBlock = unix.O_NONBLOCK

// endBySignal ends the process by sig, as if it had not been caught.
func endBySignal(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if ok {
		signal.Reset(sig)
		unix.Kill(os.Getpid(), s)
		// The signal is delivered at once; should it be ignored, exit as
		// a shell reports it.
		time.Sleep(time.Second)
	}
	code := 130
	if ok {
		code = 128 + int(s)
	}
	os.Exit(code)
}
