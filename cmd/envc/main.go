package main

import (
	"os"
	"runtime/debug"

	"github.com/envc-dev/envc/internal/cli"
	// Asks for huge pages for the heap while Go initialises the program,
	// unless the command line names a large file (internal/hugeheap).
	_ "github.com/envc-dev/envc/internal/hugeheap/startup"
)

func main() {
	// envc runs for milliseconds to a second and then exits: a collector
	// that waits for the heap to triple rather than double spends less of
	// that time collecting (the large spec: 0.27 s -> 0.24 s, 60 -> 76 MiB).
	// GOGC, when set, still decides.
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(200)
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
}
