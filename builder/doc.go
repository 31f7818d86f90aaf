// Package builder builds an environment into an image on a BuildKit
// daemon, for `envc build`.
//
// It reaches BuildKit the ways buildx does (ResolveEndpoint, Connect): a
// buildkitd at unix:// or tcp:// (with TLS), through BuildKit's
// connection helpers (docker-container://, podman-container://,
// nerdctl-container://, kube-pod://, ssh://: buildctl dial-stdio run
// beside the daemon), or Docker Engine's own builder, dialled as buildx's
// "docker" driver dials it: BuildKit's API and the session over HTTP
// upgrades of the Engine API's /grpc and /session (dockerd.go, a few
// requests written by hand rather than a Docker client library). An
// address where nothing listens is blamed as the address before BuildKit's
// client is given it. Results go into Docker Engine's image store
// (Options.Load: the Engine builder's own "moby" exporter, or a docker
// archive streamed to the Engine API's image load) and to registries
// (Options.Push). Several builds share one progress display (Display),
// each step named after its environment. It has two ways to build:
//
//   - LLB: the environment is lowered by emitters/buildkit inside a
//     gateway build function. The function first resolves the base image's
//     config through the gateway (ResolveImageConfig), lowers again with
//     the base's real env (emitters.Options.BaseEnv, so that LLB's
//     expansion of $PATH and friends uses the real values), solves the
//     definition, and attaches the image config to the result
//     (exptypes.ExporterImageConfigKey): the spec's config merged onto the
//     base's, the way a Dockerfile build inherits from FROM. A stage on
//     another image is lowered against that image's resolved env
//     (buildkit.BuildOptions.StageBaseEnv). Every op made from a spec step
//     carries the step's range in an LLB source map, so a failing step is
//     reported at its line in the spec (Diagnose).
//   - Dockerfile: the docker target's Dockerfile is solved by BuildKit's
//     own Dockerfile frontend (dockerfile.v0) on the same daemon.
//
// The platform is chosen against the daemon's workers (ChoosePlatform):
// the requested one, which an environment with platforms must list and
// the daemon must run (natively or through binfmt_misc emulation); else
// the daemon's own, when the environment lists no platforms or lists it;
// else the first of the environment's platforms the daemon runs. A
// platform it cannot run is refused before any build, saying which ones
// it runs.
//
// Outputs (--output), cache exports and imports are given in buildctl's
// CSV syntax (ParseOutput, ParseCache); progress is BuildKit's progressui.
//
// An LLB build can also make a SIF for Apptainer (type=sif,dest=FILE):
// BuildKit's tar exporter streams the root file system to the client,
// where package sifimage lays Apptainer's metadata into the stream (from
// LLB.Deffile, the singularity target's definition file, and the base and
// merged image configs the build function resolved) and feeds it to
// mksquashfs; after the solve the squashfs is written as a SIF. These
// steps are vertices of their own on the progress display, beside
// BuildKit's.
//
// Probe builds an environment without exporting it and reads files from
// the result through the gateway (ReadFile), with the base image's digest
// from ResolveImageConfig: `envc lock` reads the installed packages so.
//
// This is the only envc package that imports the BuildKit client; keep it
// that way, since the client's package initialisation is paid by every
// command of the binary that links it.
package builder
