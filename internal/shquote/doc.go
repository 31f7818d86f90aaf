// Package shquote quotes values as POSIX sh words, with mvdan.cc/sh's
// quoting where it can and single quotes where POSIX has no escape (a
// tab, a no-break space, a zero-width or bidi character), so that every
// value but a NUL byte reaches a script as the same literal.
//
// The compiler (the commands of pip steps, repositories and the source
// wrapper) and the emitters' shared shell package (every script) quote
// with it, so that both quote a value the same way.
package shquote
