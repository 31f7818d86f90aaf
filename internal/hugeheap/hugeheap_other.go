//go:build !(linux && (amd64 || arm64 || loong64 || ppc64le || riscv64 || s390x))

package hugeheap

// Start does nothing here: the huge-page advice is Linux's, on the
// 64-bit architectures whose heap layout the package knows.
func Start() {}

// Advise does nothing here, as Start does not.
func Advise() {}

// Follow does nothing here, as Start does not; stop does nothing either.
func Follow() (stop func()) { return func() {} }
