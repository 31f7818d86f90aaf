package cli

import (
	"io/fs"
	"syscall"
)

// fileStamp returns what of fi the up-to-date check compares besides its
// size, mode and modification time: device, inode and change time (ns),
// which no tool sets back.
func fileStamp(fi fs.FileInfo) (dev, ino uint64, ctime int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return uint64(st.Dev), uint64(st.Ino), int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
}
