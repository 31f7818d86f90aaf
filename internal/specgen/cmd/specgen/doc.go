// Command specgen prints a synthetic envc spec, for benchmarks:
//
//	go run ./internal/specgen/cmd/specgen -scale 100 > precice-100x.hcl
//	go run ./internal/specgen/cmd/specgen -large > large.hcl
package main
