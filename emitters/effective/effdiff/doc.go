// Package effdiff compares two effective views (package effective)
// construct by construct, with go-cmp, and reports each difference under
// the construct and target it concerns.
//
// The equivalence tests use it; it is kept apart from package effective,
// which every emitter links for its read-back, so that the compiler
// carries only the views and not their comparison.
package effdiff
