package startup

import (
	"os"

	"github.com/envc-dev/envc/internal/hugeheap"
)

func init() {
	if !namesLargeFile(os.Args[1:]) {
		hugeheap.Start()
	}
}

// namesLargeFile reports whether an argument names a regular file larger
// than hugeheap.SmallSpec. Every argument is tried, flags' values
// included: a word that is no file costs one failed stat.
func namesLargeFile(args []string) bool {
	for _, a := range args {
		if a == "" || a[0] == '-' {
			continue
		}
		if fi, err := os.Stat(a); err == nil && fi.Mode().IsRegular() && fi.Size() > hugeheap.SmallSpec {
			return true
		}
	}
	return false
}
