//go:build !unix

package cli

import (
	"io/fs"
	"os"
	"syscall"
)

// On systems without flock, compile takes no lock on its folders.
func tryLockFolder(f *os.File) (bool, error) { return true, nil }
func lockFolder(f *os.File) error            { return nil }
func lockFolderShared(f *os.File) error      { return nil }

// sameFile trusts os.Root here: what it opens is inside the root.
func sameFile(a, b fs.FileInfo) bool { return true }

const nonBlock = 0

// endBySignal exits as a shell reports a process ended by sig.
func endBySignal(sig os.Signal) {
	code := 130
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	os.Exit(code)
}
