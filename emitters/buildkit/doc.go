// Package buildkit is envc's BuildKit target (emitter name "llb", alias
// "buildkit"). It lowers an ir.Env to a BuildKit LLB graph, plus the OCI
// image config that must travel beside it, and writes three files:
//
//   - llb.pb: the marshalled pb.Definition, exactly what `buildctl build`
//     reads on stdin (`buildctl build --local context=DIR < llb.pb`);
//   - llb.json: a stable, readable dump of the same graph (every op in
//     definition order with its digest, platform and custom name); an
//     exec op whose env repeats the previous exec op's names that op
//     ("envAs") instead of listing the env again;
//   - image.json: the OCI image config (Env, Cmd, User, WorkingDir,
//     ExposedPorts, Volumes, Labels, and Docker's Healthcheck extension
//     when the spec has a healthcheck) with no timestamps, and the
//     platform (os, architecture, variant).
//
// The three files are for Options.Platform, at the top of the folder. An
// environment with platforms has them once per platform instead, each in
// the folder PlatformDir names (linux-amd64/llb.pb, linux-arm-v7/...),
// the platform normalized as BuildKit does ("linux/arm64/v8" is
// linux-arm64): every definition pins its platform on its image sources
// and exec ops, as dockerfile2llb does for --platform. A step for some
// platforms is in their definitions alone (ir.Env.ForPlatform, which
// Build applies); llbread merges the definitions back into one list.
//
// The lowering mimics BuildKit's own Dockerfile frontend (dockerfile2llb)
// applied to the Dockerfile that the docker target writes: the base image's
// PATH seeds the env, a step runs as `/bin/sh -c CMD`, a copy is a FileOp
// from the local source "context" (a run of copies preceded by the same
// `mkdir -p` exec of their folders as in the Dockerfile), a workdir is a
// Mkdir owned by its owner. Each stage is a state of its own from its base,
// lowered by the same steps code with its own env, sharing the build
// context; a copy from a stage is a file op reading that state with the
// options dockerfile2llb gives COPY --from (no mode when the stage's modes
// are kept), named "COPY --from=STAGE SRC DST" so that the read-back knows
// the stage. Without stages and platforms none of this costs anything.
// LLB expands no variables, so env values are expanded here, against the
// vars set earlier and the base image's env (Options.BaseEnv, for a stage
// on another image BuildOptions.StageBaseEnv, else an assumed PATH with a
// warning). The graph never needs a registry: no image metadata
// is resolved, and the platform is always explicit.
//
// The graph is written without BuildKit's client/llb and protobuf runtime
// (which would cost every `envc compile` their start-up): the ops are
// plain values (vertex.go) written in protobuf's wire format by hand
// (wire.go), walked from the result inputs first, deduplicated by digest
// and with their metadata and source map, exactly as client/llb writes
// them: the bytes and digests are the same, which the golden llb.pb files
// (first written with client/llb) and the read-back hold to account. An
// exec op's env, the bulk of a spec with many variables, is encoded once
// per distinct environment and copied into each op. Above a few megabytes,
// and when the caller writes streams (emitters.Options.Stream, as compile
// does), llb.pb is a File.Stream: a first pass finds the digests and the
// graph (for llb.json), the second writes the ops to the file one at a
// time, so that the definition of a spec with thousands of variables and
// steps (which LLB repeats in every exec op) is never held in memory.
//
// Graph is the plain form of a definition (llb.json), and Graph.Recipe
// walks the root filesystem chain from the base image to the result, for
// equivalence checks against the other targets. The way back from llb.pb
// (decoding with BuildKit's generated code, and the effective view of
// the stages and platforms) is package llbread.
//
// It sits after the compiler: it reads a finished ir.Env and imports
// neither schema nor compiler. It does not solve graphs or talk to a
// BuildKit daemon (that is the build command's job, which uses BuildWith
// and Result.Marshal to get the definition and the config to attach).
package buildkit
