// Command envc compiles one HCL environment spec into a Vagrantfile, a
// Dockerfile, a BuildKit LLB graph and a Singularity definition.
//
// `envc build`, which links BuildKit's client (gRPC and the rest), is the
// envc-build program beside it: keeping that out of this binary keeps the
// start-up of every other command short.
package main
