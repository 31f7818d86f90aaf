// Package buildcmd is `envc build`: it builds the environments of a spec
// on BuildKit with package builder (a buildkitd, or Docker Engine's own
// builder, found as buildx finds one), from envc's own LLB graph or
// through BuildKit's Dockerfile frontend, several at once on one progress
// display, and exports the results: images (loaded into Docker Engine,
// pushed, or written as buildctl's outputs), or with --format sif SIFs for
// Apptainer (builder's type=sif output, for which it emits the
// singularity target's definition file).
//
// It is also the resolving half of `envc lock` (Lock, given to the CLI
// with cli.WithLock): each environment and stage is built with probe
// steps on top (builder.Probe), and the packages they list, against the
// base image's, make the lock entry.
//
// It links BuildKit's client (gRPC, OpenTelemetry, containerd's API), so
// only the envc-build program uses it (cli.WithBuild, cli.WithLock); envc
// itself hands `envc build` and `envc lock` (but for --check) to
// envc-build and starts without initialising any of that.
package buildcmd
