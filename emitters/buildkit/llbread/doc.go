// Package llbread reads the llb target's outputs back: ReadBack decodes
// llb.pb with BuildKit's generated protobuf code (solver/pb) into the plain
// values of buildkit.Graph, independently of the writer in package
// buildkit, and Effective and EffectiveFiles turn llb.pb and image.json
// (one pair, or one per platform folder) into the effective view that the
// equivalence checks compare across targets.
//
// It is for tests and checks, apart from the emitter, so that `envc
// compile` links no protobuf runtime.
package llbread
