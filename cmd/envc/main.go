package main

import (
	"os"
	"runtime"
	"runtime/debug"

	"github.com/envc-dev/envc/internal/cli"
)

func main() {
	// envc runs for milliseconds to a second and then exits: a collector
	// that waits for the heap to triple rather than double spends less of
	// that time collecting (the large spec: 0.27 s -> 0.24 s, 60 -> 76 MiB).
	// GOGC, when set, still decides.
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(200)
	}
	// A small spec compiles faster on one thread than the runtime takes to
	// start a second for the parallel targets (the preCICE example: 0.8 ms
	// of 24 ms, and 2.4 ms of CPU): envc starts on one processor, and the
	// spec's reader moves it to every one for a larger spec. GOMAXPROCS,
	// when set, still decides.
	var opts []cli.Option
	if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
		opts = append(opts, cli.WithProcs(runtime.GOMAXPROCS(1)))
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ(), opts...))
}
