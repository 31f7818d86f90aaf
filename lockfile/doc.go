// Package lockfile holds and reads envc's lock file: what a spec's
// environments really got when they were built (the base image's digest,
// the version of every distribution package and pip package installed,
// the Vagrant box version), so that compiling with it pins every target
// to the same environment.
//
// The lock file is HCL, like the spec it sits beside (SPEC.hcl ->
// SPEC.lock.hcl, Path), so that the same editors, the same review tools
// and envc's own diagnostics (file:line:col) serve both. Package
// lockwrite writes it (the same bytes for the same content, laid out by
// hclwrite's formatter). Read checks what it reads (digests, platform and
// package names, duplicates) and reports each problem at its position.
//
// The package holds data only: `envc lock` (package builder, through
// envc-build) fills a File from a build, the compiler pins an
// environment from it (compiler.Options.Lock), and `envc lock --check`
// compares it with the spec, without a daemon.
package lockfile
