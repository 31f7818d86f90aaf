// Package ir defines envc's intermediate representation: one Env per spec
// environment, lowered from the surface language by package compiler and read
// by every emitter.
//
// The IR owns meaning, not syntax: it holds plain Go strings, ints and bools
// in author order (never cty values or maps), the build as an ordered list
// of steps from a closed set, and the spec range of every node so that an
// emitter can attach a warning to the construct it cannot express. Language
// v1's fixed order (packages, files, env, setup, user, workdir) is just one
// arrangement of Steps; emitters walk Steps and never assume phases.
//
// The views of views.go are applied once, in the pipeline, never by an
// emitter: ForTarget gives an environment as one target sees it (the steps
// of other targets left out, the target's own run-time values of a target
// block applied), ForPlatform as it is built for one platform (the steps
// of other platforms left out), for the targets that write one definition
// per platform.
//
// Dump renders an Env as stable text for tests and debugging. Series
// joins names as a sentence lists them, for the messages of the compiler
// and the targets alike.
package ir
