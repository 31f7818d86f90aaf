package shell

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlatformGuards checks that each guard reads back as the platforms
// it was written for, that the command after it is kept whole, and that
// sh runs a guarded command where the guard says alone.
func TestPlatformGuards(t *testing.T) {
	for _, ps := range [][]string{{"linux/amd64"}, {"linux/arm64"}, {"linux/arm/v7", "linux/386"}, {"linux/ppc64le", "linux/s390x", "linux/riscv64"}} {
		cmd := PlatformGuard(ps) + "; echo a; b"
		got, rest, ok := ReadPlatformGuard(cmd)
		if !ok || rest != "echo a; b" {
			t.Errorf("%v: read back %v %q %v", ps, got, rest, ok)
		}
		if diff := cmp.Diff(ps, got); diff != "" {
			t.Errorf("Dockerfile guard of %v (-want +got):\n%s", ps, diff)
		}
		open, close, ok := MachineGuard(ps)
		if !ok {
			t.Fatalf("%v: no machine guard", ps)
		}
		got, body, ok := ReadMachineGuard(open + "\n(\ntrue\n)\n" + close)
		if !ok || body != "(\ntrue\n)" {
			t.Errorf("%v: machine guard read back %v %q %v", ps, got, body, ok)
		}
		if diff := cmp.Diff(ps, got); diff != "" {
			t.Errorf("machine guard of %v (-want +got):\n%s", ps, diff)
		}
	}
	if _, _, ok := ReadPlatformGuard(`case "$TARGETPLATFORM" in linux/amd64) ;; *) exit 1 ;; esac; true`); ok {
		t.Error("a guard that fails the RUN read back")
	}
	// The Dockerfile guard, run by sh with TARGETPLATFORM as BuildKit
	// sets it.
	for platform, want := range map[string]string{"linux/arm64": "ran", "linux/arm64/v8": "ran", "linux/amd64": "", "": ""} {
		sh := exec.Command("/bin/sh", "-c", PlatformGuard([]string{"linux/arm64"})+"; echo ran")
		sh.Env = []string{"TARGETPLATFORM=" + platform}
		out, err := sh.Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("TARGETPLATFORM=%s: printed %q (%v), want %q", platform, out, err, want)
		}
	}
	// The machine guard, with uname -m replaced by each machine name.
	open, close, _ := MachineGuard([]string{"linux/arm/v7", "linux/386"})
	for machine, want := range map[string]string{"armv7l": "ran", "i686": "ran", "i386": "ran", "x86_64": "", "aarch64": ""} {
		script := strings.Replace(open, "$(uname -m)", machine, 1) + "\necho ran\n" + close
		out, err := exec.Command("/bin/sh", "-c", script).Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("machine %s: printed %q (%v), want %q", machine, out, err, want)
		}
	}
}
