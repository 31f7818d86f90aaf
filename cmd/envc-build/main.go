package main

import (
	"os"

	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/cli/buildcmd"
	"github.com/envc-dev/envc/internal/hugeheap"
)

func main() {
	// envc-build is mostly builds, which run for seconds and collect the
	// heap many times over: huge pages are for short compiles
	// (internal/hugeheap).
	hugeheap.Off()
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ(), buildcmd.Options()...))
}
