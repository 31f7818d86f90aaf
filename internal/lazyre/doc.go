// Package lazyre owns the regular expressions that packages compile when
// first used instead of when the program starts. Go initialises every
// package a binary links before main runs, so a package-level
// regexp.MustCompile costs every envc process its compile, whether the
// command uses the expression or not (the compiler's package patterns
// alone were most of its start-up). Each package's tests compile every
// pattern given to New (Patterns), so that a bad pattern still fails a
// test rather than a user's compile.
package lazyre
