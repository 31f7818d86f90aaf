package buildcmd

import (
	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/lockfile/lockwrite"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Options are the envc-build program's settings of cli.Run: its build
// command, its lock resolver and the HCL writers (hclwrite's formatter for
// fmt, the lock file's writer), which the envc program hands these
// commands to it for.
func Options() []cli.Option {
	return []cli.Option{
		cli.WithBuild(Command),
		cli.WithLock(Lock),
		cli.WithHCLWriter(cli.HCLWriter{Format: hclwrite.Format, WriteLock: lockwrite.Write}),
	}
}
