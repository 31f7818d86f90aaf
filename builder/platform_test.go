package builder

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir/irtest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestChoosePlatform(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	i386 := ocispecs.Platform{OS: "linux", Architecture: "386"}
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	armv7 := ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	for _, tc := range []struct {
		name      string
		requested string
		built     []string
		daemon    []ocispecs.Platform
		want      string // the platform, or the error's summary
		detail    string // a part of the error's detail
	}{
		{"daemon's own", "", nil, []ocispecs.Platform{arm64, amd64}, "linux/arm64", ""},
		{"daemon lists none", "", nil, nil, "linux/amd64", ""},
		{"built for the daemon's", "", []string{"linux/amd64", "linux/arm64"}, []ocispecs.Platform{arm64, amd64}, "linux/arm64", ""},
		{"built for an emulated one", "", []string{"linux/amd64", "linux/arm/v7"}, []ocispecs.Platform{arm64, armv7}, "linux/arm/v7", ""},
		{"built for none it runs", "", []string{"linux/s390x", "linux/arm64"}, []ocispecs.Platform{amd64, i386}, "Platform the daemon cannot run", "binfmt_misc"},
		{"requested, normalized", "linux/arm64/v8", []string{"linux/arm64"}, []ocispecs.Platform{arm64}, "linux/arm64", ""},
		{"requested, emulated", "linux/arm64", nil, []ocispecs.Platform{amd64, arm64}, "linux/arm64", ""},
		{"requested, not built for", "linux/riscv64", []string{"linux/amd64", "linux/arm64"}, []ocispecs.Platform{amd64}, "Platform not built for", "linux/amd64, linux/arm64, not for linux/riscv64"},
		{"requested, not run", "linux/arm64", nil, []ocispecs.Platform{amd64, i386}, "Platform the daemon cannot run", "unix:///test.sock cannot run linux/arm64: it builds for linux/amd64, linux/386 only"},
		{"requested, no list", "linux/ppc64le", nil, nil, "linux/ppc64le", ""},
		{"requested, invalid", "linux", nil, nil, "Invalid platform", "os/arch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := irtest.Minimal()
			env.Platforms = tc.built
			got, diags := ChoosePlatform(tc.requested, env, tc.daemon, "unix:///test.sock")
			if diags.HasErrors() {
				got = diags[0].Summary
				if !strings.Contains(diags[0].Detail, tc.detail) {
					t.Errorf("detail %q does not say %q", diags[0].Detail, tc.detail)
				}
			}
			if got != tc.want || (tc.detail != "") != diags.HasErrors() {
				t.Errorf("ChoosePlatform(%q, %q, %v) = %q (%v), want %q", tc.requested, tc.built, tc.daemon, got, diags, tc.want)
			}
		})
	}
}
