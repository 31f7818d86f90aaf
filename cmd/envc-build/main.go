package main

import (
	"os"

	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/cli/buildcmd"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ(), buildcmd.Options()...))
}
