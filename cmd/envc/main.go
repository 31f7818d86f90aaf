// Command envc compiles one HCL environment spec into a Vagrantfile, a
// Dockerfile, a BuildKit LLB graph and a Singularity definition.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
}

// Exit codes.
const (
	exitOK    = 0
	exitSpec  = 1 // the spec has errors
	exitUsage = 2 // the command line is wrong
)

// run is the whole program: it never calls os.Exit and prints only to the
// given writers.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	app := newApp(stdin, stdout, stderr, environ)
	return app.execute(args)
}
