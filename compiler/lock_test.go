package compiler_test

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/lockfile"
	"github.com/envc-dev/envc/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

var digest = "sha256:" + strings.Repeat("0123456789abcdef", 4)

func lockOf(t *testing.T, src string) *lockfile.File {
	t.Helper()
	f, _, diags := lockfile.Read("spec.lock.hcl", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return f
}

func compileLocked(t *testing.T, spec, lock string, locked bool) ([]*ir.Env, hcl.Diagnostics) {
	t.Helper()
	f, diags := schema.Parse("spec.hcl", []byte(spec))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s, diags := schema.Decode(f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return compiler.Compile(s, compiler.Options{Lock: lockOf(t, lock), LockName: "spec.lock.hcl", Locked: locked})
}

func installs(env *ir.Env) []string {
	var out []string
	for _, s := range env.Steps {
		if in, ok := s.(*ir.InstallStep); ok {
			out = append(out, in.Packages...)
		}
	}
	return out
}

// Each manager gets the pinned form it takes.
func TestLockPinsEveryManager(t *testing.T) {
	for _, tc := range []struct {
		base, pkgs, manager, deps string
		want                      []string
	}{
		{"debian:bookworm", `["curl", "git=1:2.39.*", "cmake/bookworm-backports"]`, "apt", `git = "1:2.39.5-0+deb12u1", cmake = "3.25.1-1"`, []string{"curl=7.88.1-10+deb12u8", "git=1:2.39.5-0+deb12u1", "cmake=3.25.1-1"}},
		{"rockylinux:9", `["curl", "python3-3.9*"]`, "dnf", `python3 = "3.9.18-3.el9"`, []string{"curl-7.76.1-29.el9", "python3-3.9*"}},
		{"alpine:3.20", `["curl", "gdal@testing", "git>=2"]`, "apk", `gdal = "3.9.1-r0", git = "2.45.2-r0"`, []string{"curl=8.9.0-r0", "gdal=3.9.1-r0@testing", "git=2.45.2-r0"}},
		{"opensuse/leap:15.6", `["curl", "cmake>=3.20"]`, "zypper", `cmake = "3.28.3-150600.1.3"`, []string{"curl=8.6.0-150600.4.3.1", "cmake=3.28.3-150600.1.3"}},
	} {
		spec := `environment "e" {
  base     = "` + tc.base + `"
  packages = ` + tc.pkgs + `
}`
		lock := `version = 1
environment "e" {
  base   = "` + tc.base + `"
  digest = "` + digest + `"
  platform "linux/amd64" {
    manager  = "` + tc.manager + `"
    packages = { curl = "` + map[string]string{"apt": "7.88.1-10+deb12u8", "dnf": "7.76.1-29.el9", "apk": "8.9.0-r0", "zypper": "8.6.0-150600.4.3.1"}[tc.manager] + `" }
    dependencies = { ` + tc.deps + ` }
  }
}`
		envs, diags := compileLocked(t, spec, lock, true)
		if diags.HasErrors() {
			t.Errorf("%s: %v", tc.manager, diags)
			continue
		}
		env := envs[0]
		if diff := cmp.Diff(tc.want, installs(env)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.manager, diff)
		}
		if want := tc.base + "@" + digest; env.Base.Ref != want || !strings.HasSuffix(env.Base.Canonical, "@"+digest) {
			t.Errorf("%s: base %q (%s), want %q", tc.manager, env.Base.Ref, env.Base.Canonical, want)
		}
		// apt's dependencies are pinned by a preferences file first.
		first, _ := env.Steps[0].(*ir.RunStep)
		if hasPin := first != nil && strings.Contains(first.Command, compiler.AptPinFile); hasPin != (tc.manager == "apt") {
			t.Errorf("%s: first step %v", tc.manager, env.Steps[0])
		}
		if tc.manager == "apt" && !strings.Contains(first.Command, `'Package: git' 'Pin: version 1:2.39.5-0+deb12u1'`) {
			t.Errorf("apt pin step: %s", first.Command)
		}
	}
}

const lockedSpec = `environment "e" {
  base     = "debian:bookworm"
  packages = ["curl"]
  pip {
    packages = ["numpy>=1.26", "Meshio[all]"]
  }
  vm {
    cpus = 2
  }
}`

const lockedLock = `version = 1
environment "e" {
  base        = "debian:bookworm"
  digest      = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  box         = "debian/bookworm64"
  box_version = "12.20240905.1"
  platform "linux/amd64" {
    manager  = "apt"
    packages = { curl = "7.88.1-10+deb12u8" }
    pip "system" {
      packages = { numpy = "2.2.1", meshio = "5.3.5" }
    }
  }
}`

func TestLockPinsPipAndBox(t *testing.T) {
	envs, diags := compileLocked(t, lockedSpec, lockedLock, true)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	env := envs[0]
	if env.VM.BoxVersion != "12.20240905.1" {
		t.Errorf("box version %q", env.VM.BoxVersion)
	}
	var pip *ir.RunStep
	for _, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok && r.Pip != nil {
			pip = r
		}
	}
	if pip == nil || !strings.Contains(pip.Command, "'numpy==2.2.1' 'Meshio[all]==5.3.5'") {
		t.Errorf("pip step %+v", pip)
	}
}

// What the lock does not cover is a lock-stale warning, an error when
// locked, and stays unpinned.
func TestLockStale(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{strings.Replace(lockedSpec, `["curl"]`, `["curl", "git"]`, 1), `installs "git", which spec.lock.hcl does not hold`},
		{strings.Replace(lockedSpec, `"debian:bookworm"`, `"debian:trixie"`, 1), `is built on "debian:trixie", and spec.lock.hcl holds "debian:bookworm"`},
		{strings.Replace(lockedSpec, `"Meshio[all]"`, `"Meshio[all]", "scipy"`, 1), `installs "scipy" with pip (system)`},
		{strings.Replace(lockedSpec, `environment "e"`, `environment "f"`, 1), `The environment "f" is not in spec.lock.hcl`},
	} {
		for _, locked := range []bool{false, true} {
			envs, diags := compileLocked(t, tc.spec, lockedLock, locked)
			var found *hcl.Diagnostic
			for _, d := range diags {
				if compiler.IsStale(d) && strings.Contains(d.Detail, tc.want) {
					found = d
				}
			}
			if found == nil {
				t.Errorf("locked=%v: no stale diagnostic %q in %v", locked, tc.want, diags)
				continue
			}
			if wantSev := map[bool]hcl.DiagnosticSeverity{false: hcl.DiagWarning, true: hcl.DiagError}[locked]; found.Severity != wantSev {
				t.Errorf("locked=%v: severity %v", locked, found.Severity)
			}
			if found.Subject == nil || found.Subject.Start.Line == 0 {
				t.Errorf("no position: %v", found)
			}
			if !locked && len(envs) != 1 {
				t.Errorf("warning only, yet %d environments", len(envs))
			}
		}
	}
}

// Pinning copies: the environment compiled without the lock is not
// changed, and compiling twice gives the same IR.
func TestLockCopies(t *testing.T) {
	envs, _ := compile(t, lockedSpec, compiler.Options{})
	before := ir.Dump(envs[0])
	pinned, diags := compiler.Pin(envs[0], lockOf(t, lockedLock), "spec.lock.hcl", true)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if ir.Dump(envs[0]) != before {
		t.Error("Pin changed its input")
	}
	if ir.Dump(pinned) == before {
		t.Error("Pin pinned nothing")
	}
	again, _ := compiler.Pin(envs[0], lockOf(t, lockedLock), "spec.lock.hcl", true)
	if ir.Dump(again) != ir.Dump(pinned) {
		t.Error("pinning twice differs")
	}
}

// A box version in no lock and no spec is warned about, once.
func TestLockBoxUnpinned(t *testing.T) {
	lock := strings.Replace(lockedLock, `  box_version = "12.20240905.1"`+"\n", "", 1)
	_, diags := compileLocked(t, lockedSpec, lock, true)
	n := 0
	for _, d := range diags {
		if x, ok := d.Extra.(compiler.LintExtra); ok && x.Lint == compiler.LintLockBoxUnpinned {
			n++
		}
	}
	if n != 1 || diags.HasErrors() {
		t.Errorf("%d box warnings in %v", n, diags)
	}
}

// A locked pip step keeps its options; a pipx block stays as written and
// says so.
func TestLockKeepsPipOptions(t *testing.T) {
	spec := strings.Replace(lockedSpec, `packages = ["numpy>=1.26", "Meshio[all]"]`,
		`packages = ["numpy>=1.26", "Meshio[all]"]
    index_url = "https://pypi.example.org/simple"
    trusted_hosts = ["pypi.example.org"]
    no_binary = ["numpy"]
    env = { CFLAGS = "-O2" }`, 1)
	spec = strings.Replace(spec, "  vm {", "  pipx {\n    packages = [\"black\"]\n  }\n  vm {", 1)
	envs, diags := compileLocked(t, spec, lockedLock, false)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var pip *ir.RunStep
	for _, s := range envs[0].Steps {
		if r, ok := s.(*ir.RunStep); ok && r.Pip != nil {
			pip = r
		}
	}
	want := "--index-url https://pypi.example.org/simple --trusted-host pypi.example.org --no-binary numpy 'numpy==2.2.1' 'Meshio[all]==5.3.5'"
	if pip == nil || !strings.HasSuffix(pip.Command, want) || len(pip.Env) != 1 || pip.Pip.IndexURL != "https://pypi.example.org/simple" {
		t.Errorf("pip step %+v, want a command ending in %q and CFLAGS", pip, want)
	}
	unpinned := 0
	for _, d := range diags {
		if strings.Contains(d.Detail, `the pipx block installs "black" as written`) {
			unpinned++
		}
	}
	if unpinned != 1 {
		t.Errorf("want one warning that pipx's packages are not pinned: %v", diags)
	}
}
