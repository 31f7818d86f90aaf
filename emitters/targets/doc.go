// Package targets is the explicit registry of envc's emitters, sorted by
// name. It is the only package that imports every target, so a command
// that needs one target need not pay for the others.
package targets
