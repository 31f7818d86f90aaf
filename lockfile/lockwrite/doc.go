// Package lockwrite writes envc's lock file (package lockfile holds its
// data and reads it): the same bytes for the same content, environments,
// stages, platforms and pip locations in name order, package maps in key
// order, laid out by hclwrite's formatter.
//
// It is a package of its own so that the envc program, which reads lock
// files on every compile but never writes one, does not link hclwrite:
// hclwrite brings go-cmp, whose initialisers compile Unicode patterns at
// every start. envc lock writes through the envc-build program
// (cli.WithHCLWriter).
package lockwrite
