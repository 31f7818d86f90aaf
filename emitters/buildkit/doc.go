// Package buildkit is envc's BuildKit target (emitter name "llb", alias
// "buildkit"). It lowers an ir.Env to a BuildKit LLB graph built with
// github.com/moby/buildkit/client/llb, plus the OCI image config that must
// travel beside it, and writes three files:
//
//   - llb.pb: the marshalled pb.Definition, exactly what `buildctl build`
//     reads on stdin (`buildctl build --local context=DIR < llb.pb`);
//   - llb.json: a stable, readable dump of the same graph (every op in
//     definition order with its digest, platform and custom name), made
//     by reading llb.pb back with ReadBack; an exec op whose env repeats
//     the previous exec op's names that op ("envAs") instead of listing
//     the env again;
//   - (for an environment with platforms, the three files once per
//     platform, in the folder PlatformDir names, e.g. linux-arm64/);
//   - image.json: the OCI image config (Env, Cmd, User, WorkingDir,
//     ExposedPorts, Volumes, Labels) with no timestamps.
//
// The lowering mimics BuildKit's own Dockerfile frontend (dockerfile2llb)
// applied to the Dockerfile that the docker target writes: the base image's
// PATH seeds the env, a step runs as `/bin/sh -c CMD`, a copy is a FileOp
// from the local source "context" (a run of copies preceded by the same
// `mkdir -p` exec of their folders as in the Dockerfile), a workdir is a
// Mkdir owned by its owner. Each stage is a state of its own from its base,
// sharing the build context; a copy from a stage reads that state, as
// dockerfile2llb lowers COPY --from.
// LLB expands no variables, so env values are expanded here, against the
// vars set earlier and the base image's env (Options.BaseEnv, or an assumed
// PATH with a warning). The graph never needs a registry: no image metadata
// is resolved, and the platform is always explicit.
//
// The package also owns the way back: ReadBack decodes llb.pb with
// llb.ReadFrom into plain Go values, and Graph.Recipe walks the root
// filesystem chain from the base image to the result, for equivalence
// checks against the other targets.
//
// It sits after the compiler: it reads a finished ir.Env and imports
// neither schema nor compiler. It does not solve graphs or talk to a
// BuildKit daemon (that is the build command's job, which uses Build and
// Result to get the state and the config to attach).
package buildkit
