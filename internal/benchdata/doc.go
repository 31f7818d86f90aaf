// Package benchdata gives envc's benchmarks their inputs: the example specs
// of the repository and the generated specs of package specgen (1x, 10x,
// 100x and 1000x the preCICE example, and the large recipe), as source
// bytes, parsed and decoded specs, or lowered IR. It is used only by
// benchmarks and tests.
package benchdata
