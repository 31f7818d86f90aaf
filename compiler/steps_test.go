package compiler_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/google/go-cmp/cmp"
)

// TestSteps checks how step blocks lower: after v1's shorthand, in author
// order, the run user created before the first step that needs it, a
// step's workdir created before it, and only/except kept per step.
func TestSteps(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `
environment "e" {
  base     = "debian:bookworm"
  user     = "u"
  workdir  = "/w"
  setup    = ["echo v1"]
  packages = ["git"]
  step {
    run = "echo first"
  }
  step {
    except = ["buildkit", "singularity"]
    packages = ["vim"]
  }
  step {
    copy {
      source = "a.txt"
      target = "/home/u/a.txt"
      owner  = "u"
      mode   = "0600"
    }
  }
  step {
    user    = "root"
    workdir = "/srv/x/"
    shell   = "bash"
    run     = "pwd"
  }
  step {
    only = ["vagrant", "docker", "vagrant"]
    user = "u"
    run  = "id"
  }
}
`
	names := map[string]string{"docker": "docker", "llb": "llb", "buildkit": "llb", "singularity": "singularity", "vagrant": "vagrant"}
	envs, errs := compile(t, src, compiler.Options{SpecDir: dir, Targets: names})
	if errs != "" {
		t.Fatal(errs)
	}
	env := envs[0]
	var got []string
	for _, line := range strings.Split(ir.Dump(env), "\n") {
		if strings.HasPrefix(line, "  step ") || strings.HasPrefix(line, "    only ") {
			got = append(got, strings.TrimSpace(line))
		}
	}
	want := []string{
		`step 0 install apt ["git"]`,
		`step 1 run shell=sh user="" workdir="" "echo v1"`,
		`step 2 run shell=sh user="" workdir="" "echo first"`,
		`step 3 install apt ["vim"]`,
		`only docker vagrant`,
		`step 4 user "u"`,
		`step 5 copy "files/a.txt" -> "/home/u/a.txt" mode=0600 owner="u"`,
		`step 6 workdir "/srv/x" owner=""`,
		`step 7 run shell=bash user="" workdir="/srv/x" "pwd"`,
		`step 8 run shell=sh user="u" workdir="" "id"`,
		`only docker vagrant`,
		`step 9 workdir "/w" owner="u"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	// Each target sees its own steps.
	count := func(target string) int { return len(env.ForTarget(target).Steps) }
	if count("docker") != 10 || count("vagrant") != 10 || count("llb") != 8 || count("singularity") != 8 {
		t.Errorf("steps per target: docker %d, vagrant %d, llb %d, singularity %d; want 10, 10, 8, 8",
			count("docker"), count("vagrant"), count("llb"), count("singularity"))
	}
	for _, s := range env.ForTarget("llb").Steps {
		if ts := s.StepTargets(); ts != nil && !slices.Contains(ts, "llb") {
			t.Errorf("the llb target sees a step for %v", ts)
		}
	}
}
