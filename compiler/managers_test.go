package compiler_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
)

// TestCondaUser checks a conda block's user: a step as root giving the
// user the conda installation, then the install as the user; before
// them, a plain user step with the image's ids for a user the base image
// ships, the user block's step for a declared one, and
// step-user-not-created for one neither the spec nor the image has.
func TestCondaUser(t *testing.T) {
	for _, tc := range []struct {
		name, base, users, user string
		// steps are the steps as "user: command" or "useradd NAME
		// IMAGEUID:IMAGEGID"; warns
		// the diagnostics' summaries.
		steps []string
		warns string
	}{
		{"the image's mambauser", "mambaorg/micromamba:1.0.0", "", "mambauser", []string{
			"useradd mambauser 57439:57439",
			": find /opt/conda ! -user mambauser -exec chown -h mambauser: {} +",
			"mambauser: /bin/micromamba install -y -r /opt/conda -n base numpy && /bin/micromamba clean -a -y",
		}, ""},
		{"the image's jovyan", "quay.io/jupyter/scipy-notebook:2024-07-29", "", "jovyan", []string{
			"useradd jovyan 1000:100",
			": find /opt/conda ! -user jovyan -exec chown -h jovyan: {} +",
			"jovyan: /opt/conda/bin/mamba install -y -n base numpy && /opt/conda/bin/mamba clean -a -y",
		}, ""},
		{"a user block", "continuumio/miniconda3:25.5.1", `user "analyst" { uid = 1001 }`, "analyst", []string{
			"useradd analyst 0:0",
			": find /opt/conda ! -user analyst -exec chown -h analyst: {} +",
			"analyst: /opt/conda/bin/conda install -y -n base numpy && /opt/conda/bin/conda clean -a -y",
		}, ""},
		{"root", "continuumio/miniconda3:25.5.1", "", "root", []string{
			": /opt/conda/bin/conda install -y -n base numpy && /opt/conda/bin/conda clean -a -y",
		}, ""},
		{"unknown", "continuumio/miniconda3:25.5.1", "", "mambauser", []string{
			": find /opt/conda ! -user mambauser -exec chown -h mambauser: {} +",
			"mambauser: /opt/conda/bin/conda install -y -n base numpy && /opt/conda/bin/conda clean -a -y",
		}, "Step user not created by the spec [step-user-not-created]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `environment "e" {
  base = "` + tc.base + `"
  ` + tc.users + `
  conda {
    packages = ["numpy"]
    user     = "` + tc.user + `"
  }
}`
			envs, diags := compile(t, src, compiler.Options{})
			if diags != tc.warns {
				t.Errorf("diagnostics %q, want %q", diags, tc.warns)
			}
			if len(envs) != 1 {
				t.Fatalf("%d environments", len(envs))
			}
			var got []string
			for _, s := range envs[0].Steps {
				switch s := s.(type) {
				case *ir.UserStep:
					got = append(got, fmt.Sprintf("useradd %s %d:%d", s.Name, s.ImageUID, s.ImageGID))
				case *ir.RunStep:
					got = append(got, s.User+": "+s.Command)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.steps, "\n") {
				t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.steps, "\n"))
			}
		})
	}
}

// TestPipxPackageOnce checks that a pipx block installs the distribution's
// pipx package only where no install step before it does, in every target
// and on every platform.
func TestPipxPackageOnce(t *testing.T) {
	for _, tc := range []struct {
		name, packages string
		want           []string
	}{
		{"none", `["git"]`, []string{"install git", "install pipx", "run pipx"}},
		{"listed", `["git", "pipx"]`, []string{"install git pipx", "run pipx"}},
		{"listed with a version", `["pipx=1.1.0-1"]`, []string{"install pipx=1.1.0-1", "run pipx"}},
		{"another name", `["pipx-doc"]`, []string{"install pipx-doc", "install pipx", "run pipx"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			envs, diags := compile(t, `environment "e" {
  base     = "debian:bookworm"
  packages = `+tc.packages+`
  pipx {
    packages = ["black"]
  }
}`, compiler.Options{})
			if diags != "" || len(envs) != 1 {
				t.Fatalf("%d environments, diagnostics %q", len(envs), diags)
			}
			var got []string
			for _, s := range envs[0].Steps {
				switch s := s.(type) {
				case *ir.InstallStep:
					got = append(got, "install "+strings.Join(s.Packages, " "))
				case *ir.RunStep:
					got = append(got, "run "+strings.Fields(s.Command)[len(strings.Fields(s.Command))-3])
				}
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("steps %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPipxPackageOnlySomeTargets checks that pipx listed for some targets
// only does not stand for the pipx block's own install.
func TestPipxPackageOnlySomeTargets(t *testing.T) {
	envs, diags := compile(t, `environment "e" {
  base = "debian:bookworm"
  step {
    only     = ["docker"]
    packages = ["pipx"]
  }
  pipx {
    packages = ["black"]
  }
}`, compiler.Options{})
	if diags != "" || len(envs) != 1 {
		t.Fatalf("%d environments, diagnostics %q", len(envs), diags)
	}
	n := 0
	for _, s := range envs[0].Steps {
		if in, ok := s.(*ir.InstallStep); ok && slices.Contains(in.Packages, "pipx") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d install steps of pipx, want 2 (the docker-only step's and the block's)", n)
	}
}
