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
// Dump renders an Env as stable text for tests and debugging.
package ir
