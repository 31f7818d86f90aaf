package buildkit

import (
	"testing"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestNormalizePlatform holds normalizePlatform to containerd's
// platforms.Normalize, which it copies.
func TestNormalizePlatform(t *testing.T) {
	for _, os := range []string{"linux", "Linux", "macos", "darwin", "windows"} {
		for _, arch := range []string{"386", "i386", "amd64", "x86_64", "x86-64", "AMD64", "arm64", "aarch64", "arm", "armhf", "armel", "ppc64le", "s390x", "riscv64", "mips64le", "loong64"} {
			for _, variant := range []string{"", "v1", "V1", "5", "6", "7", "8", "v5", "v6", "v7", "v8", "v8.0", "9", "9.0", "v9.0", "v9", "v2"} {
				p := ocispecs.Platform{OS: os, Architecture: arch, Variant: variant}
				got := normalizePlatform(Platform{OS: os, Architecture: arch, Variant: variant})
				if want := platforms.Normalize(p); got.OS != want.OS || got.Architecture != want.Architecture || got.Variant != want.Variant {
					t.Errorf("normalizePlatform(%s/%s/%s) = %s, want %s", os, arch, variant, FormatPlatform(got), platforms.Format(want))
				}
			}
		}
	}
}
