package lockfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"mvdan.cc/sh/v3/syntax"
)

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"version = 2\n", "Unsupported lock file version"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n digest = \"sha256:12\"\n}\n", "Invalid digest"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n}\nenvironment \"a\" {\n base = \"x\"\n}\n", "Duplicate environment name"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n platform \"linux/amd64\" {\n  packages = { curl = \"1 ; rm\" }\n }\n}\n", "Invalid package"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n platform \"linux/amd64\" {\n  manager = \"yum\"\n }\n}\n", "Unknown package manager"},
		{"version = 1\nenvironment \"a\" {\n base = \"x\"\n platform \"linux/amd64\" {\n  pip \"venv:rel\" {}\n }\n}\n", "Invalid pip location"},
		{"version = 1\nenvironment \"a\" {\n}\n", "Missing required argument"},
	} {
		_, _, diags := Read("x.lock.hcl", []byte(tc.src))
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, diags, tc.want)
		}
		for _, d := range diags {
			if d.Subject == nil || d.Subject.Filename != "x.lock.hcl" || d.Subject.Start.Line == 0 {
				t.Errorf("%q: %q has no position", tc.src, d.Summary)
			}
		}
	}
}

func TestPath(t *testing.T) {
	for in, want := range map[string]string{"spec.hcl": "spec.lock.hcl", "dir/env.hcl": "dir/env.lock.hcl", "spec": "spec.lock.hcl"} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePackages(t *testing.T) {
	apt := "native\tamd64\nii \tcurl\tamd64\t7.88.1-10+deb12u8\nii \tca-certificates\tall\t20230311\nii \tlibc6\ti386\t2.36-9\nrc \told\tamd64\t1.0\n"
	want := map[string]string{"curl": "7.88.1-10+deb12u8", "ca-certificates": "20230311", "libc6:i386": "2.36-9"}
	if diff := cmp.Diff(want, ParsePackages("apt", []byte(apt))); diff != "" {
		t.Errorf("apt (-want +got):\n%s", diff)
	}
	rpm := "bash\t5.1.8-9.el9\ngpg-pubkey\t3228467c-613798eb\nperl-libs\t4:5.32.1-481.el9\n"
	want = map[string]string{"bash": "5.1.8-9.el9", "perl-libs": "4:5.32.1-481.el9"}
	if diff := cmp.Diff(want, ParsePackages("dnf", []byte(rpm))); diff != "" {
		t.Errorf("rpm (-want +got):\n%s", diff)
	}
	if got := ParsePip([]byte("Meshio\t5.3.5\nzope.interface\t7.2\n")); !cmp.Equal(got, map[string]string{"meshio": "5.3.5", "zope-interface": "7.2"}) {
		t.Errorf("pip: %v", got)
	}
}

func TestSplit(t *testing.T) {
	before := map[string]string{"libc6": "2.36-9", "zlib1g": "1"}
	after := map[string]string{"libc6": "2.36-9", "zlib1g": "2", "curl": "7", "libcurl4": "7", "ca-certificates": "2023"}
	pkgs, deps := Split(before, after, []string{"curl", "ca-certificates", "missing"})
	if diff := cmp.Diff(map[string]string{"curl": "7", "ca-certificates": "2023"}, pkgs); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"libcurl4": "7", "zlib1g": "2"}, deps); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
}

func TestNormalizePip(t *testing.T) {
	for in, want := range map[string]string{"Django": "django", "zope.interface": "zope-interface", "a__b--c": "a-b-c", "ruamel.yaml.clib": "ruamel-yaml-clib"} {
		if got := NormalizePip(in); got != want {
			t.Errorf("NormalizePip(%q) = %q, want %q", in, got, want)
		}
	}
}

// The probe commands are POSIX sh.
func TestProbesParse(t *testing.T) {
	var cmds []string
	for _, m := range []string{"apt", "dnf", "apk", "zypper"} {
		cmds = append(cmds, PackagesProbe(m))
	}
	for _, loc := range []string{"system", "user:sim", "venv:/opt/lab"} {
		cmds = append(cmds, PipProbe(loc))
	}
	for _, c := range cmds {
		if _, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(c), ""); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
}
