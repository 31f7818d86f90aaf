package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/envc-dev/envc/internal/specgen"
)

func main() {
	scale := flag.Int("scale", 1, "copies of the preCICE example in one environment")
	large := flag.Bool("large", false, "the large recipe: 10,000 packages, 2,000 env vars, 500 ports, 500 mounts, 500 setup steps")
	flag.Parse()
	if flag.NArg() != 0 || *scale < 1 {
		fmt.Fprintln(os.Stderr, "usage: specgen [-scale N | -large]")
		os.Exit(2)
	}
	size := specgen.Scale(*scale)
	if *large {
		size = specgen.Large()
	}
	if err := specgen.Write(os.Stdout, size); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}
