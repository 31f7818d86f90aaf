// Package irtest provides hand-built IR values for emitter tests that must
// not depend on the compiler.
package irtest
