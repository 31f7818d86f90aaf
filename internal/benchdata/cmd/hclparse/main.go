// Command hclparse reads one HCL file and parses it with HCL's native-syntax
// parser, nothing else: scripts/bench.sh times it as the floor for
// compiling the same file, since envc uses HCL's parser as the language's
// reference implementation. It exits 1 when the file does not parse.
//
//	hclparse FILE
package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: hclparse FILE")
		os.Exit(2)
	}
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, diags := hclsyntax.ParseConfig(src, os.Args[1], hcl.InitialPos); diags.HasErrors() {
		fmt.Fprintln(os.Stderr, diags.Error())
		os.Exit(1)
	}
}
