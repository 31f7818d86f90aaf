// Command envc-build is `envc build`: envc runs it, with the same
// arguments, for its build command. It is the whole envc command line
// plus a build command that links BuildKit's client, which envc leaves out
// to start fast. Install it beside envc (go install ./cmd/...).
package main

import (
	"os"

	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/cli/buildcmd"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ(), cli.WithBuild(buildcmd.Command)))
}
