// Package effdiff compares two effective views (package effective)
// construct by construct, with go-cmp, and reports each difference under
// the construct and target it concerns.
//
// The equivalence tests use it; it is kept apart from package effective,
// which the envc command links through the singularity and vagrant
// packages (their readers live beside their writers), so that the
// command carries only the views and not their comparison with go-cmp.
package effdiff
