package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/compiler"
)

// TestSymlinkSource: a file source that is, or lies under, a symbolic link
// leading outside the spec's directory is refused; a link inside it is
// fine.
func TestSymlinkSource(t *testing.T) {
	root := t.TempDir()
	specDir := filepath.Join(root, "spec")
	outside := filepath.Join(root, "secret")
	for _, d := range []string{specDir, outside, filepath.Join(specDir, "real")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(outside, "key"), filepath.Join(specDir, "real", "ok.txt")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"leak":      filepath.Join(outside, "key"),
		"leakdir":   outside,
		"inside":    filepath.Join("real", "ok.txt"),
		"insidedir": "real",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(specDir, name)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	for _, tc := range []struct {
		source, want string
	}{
		{"leak", "File source outside the spec's directory"},
		{"leakdir/key", "File source outside the spec's directory"},
		{"inside", ""},
		{"insidedir/ok.txt", ""},
	} {
		src := `environment "e" {
  base = "debian:bookworm"
  file {
    source = "` + tc.source + `"
    target = "/opt/x"
  }
}`
		_, got := compile(t, src, compiler.Options{SpecDir: specDir})
		if got != tc.want {
			t.Errorf("source %q: diagnostics %q, want %q", tc.source, got, tc.want)
		}
	}
}

// TestPackageRules checks names and constraints per package manager.
func TestPackageRules(t *testing.T) {
	for _, tc := range []struct {
		base string
		pkg  string
		ok   bool
	}{
		{"debian:bookworm", "python3-numpy", true},
		{"debian:bookworm", "libc6:i386", true},
		{"debian:bookworm", "curl=7.88.1-10+deb12u5", true},
		{"debian:bookworm", "curl=7.88.*", true},
		{"debian:bookworm", "cmake/bookworm-backports", true},
		{"debian:bookworm", "g++", true},
		{"debian:bookworm", "Numpy", false},
		{"debian:bookworm", "x", false},
		{"debian:bookworm", "curl>=7", false},
		{"debian:bookworm", "curl/a=1", false},
		{"debian:bookworm", "-y", false},
		{"debian:bookworm", "a;b", false},
		{"fedora:43", "gcc-c++", true},
		{"fedora:43", "python3-3.11*", true},
		{"fedora:43", "perl(Foo::Bar)", true},
		{"fedora:43", "python3=3.11", false},
		{"fedora:43", "python3>=3.11", false},
		{"alpine:3.20", "py3-numpy", true},
		{"alpine:3.20", "curl=8.5.0-r0", true},
		{"alpine:3.20", "curl>=8", true},
		{"alpine:3.20", "curl~8.5", true},
		{"alpine:3.20", "gdal@testing", true},
		{"alpine:3.20", "curl=>8", false},
		{"alpine:3.20", "perl(Foo)", false},
		{"opensuse/leap:15.6", "gcc-c++", true},
		{"opensuse/leap:15.6", "cmake>=3.20", true},
		{"opensuse/leap:15.6", "perl(Foo::Bar)", true},
		{"opensuse/leap:15.6", "cmake~3", false},
	} {
		src := `environment "e" {
  base     = "` + tc.base + `"
  packages = ["` + tc.pkg + `"]
}`
		_, got := compile(t, src, compiler.Options{})
		if (got == "") != tc.ok {
			t.Errorf("%s on %s: diagnostics %q, want ok=%v", tc.pkg, tc.base, got, tc.ok)
		}
	}
}
