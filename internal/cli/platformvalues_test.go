package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/google/go-cmp/cmp"
)

// TestDockerfile2LLBPlatformValues lowers envc's Dockerfile of every
// golden case with values per platform with BuildKit's Dockerfile
// frontend (dockerfile2llb) for each platform, so that BuildKit itself
// expands the FROM that selects the platform's stage, and demands the
// build and the image config of the Dockerfile written for that platform
// alone (ir.Env.ForPlatform): the same steps (each with the same
// variables: a stage built on another lists the ENV it takes first, then
// the ARGs it declares again, so the order of a step's variables may
// differ) but for the RUNs another
// platform's guard ends at once (and ARG TARGETPLATFORM, which BuildKit
// sets), the same variables in every step and in the image.
func TestDockerfile2LLBPlatformValues(t *testing.T) {
	seen := 0
	for _, c := range goldenCases(t) {
		c := c
		cc := goldenOnce(t, c)
		for _, env := range cc.envs {
			if !env.PlatformValues() {
				continue
			}
			seen++
			for _, p := range env.Platforms {
				t.Run(c.name+"/"+env.Name+"/"+p, func(t *testing.T) {
					_, real, realImg := lowerDockerfile(t, cc.files[env.Name][docker.DockerfileName], p)
					out, diags := emitters.EmitFor(docker.New(), env.ForTarget(docker.New().Name()).ForPlatform(p), emitters.Options{})
					if diags.HasErrors() {
						t.Fatal(diags)
					}
					var alone []byte
					for _, f := range out.Files {
						if f.Path == docker.DockerfileName {
							alone = f.Data
						}
					}
					_, own, ownImg := lowerDockerfile(t, alone, p)
					realRecipe, err := real.Recipe()
					if err != nil {
						t.Fatal(err)
					}
					ownRecipe, err := own.Recipe()
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(sortedEnv(plainRecipe(ownRecipe)), sortedEnv(unguarded(plainRecipe(realRecipe), p))); diff != "" {
						t.Errorf("build steps differ (-for %s alone +envc's Dockerfile):\n%s", p, diff)
					}
					if diff := cmp.Diff(configOf(ownImg.Config.ImageConfig), configOf(realImg.Config.ImageConfig)); diff != "" {
						t.Errorf("image config differs (-for %s alone +envc's Dockerfile):\n%s", p, diff)
					}
				})
			}
		}
	}
	if seen == 0 {
		t.Fatal("no golden case has values per platform")
	}
}

// unguarded returns r's steps as they act on platform: a RUN another
// platform's guard ends at once left out, the guard of one for platform
// taken off, and TARGETPLATFORM left out of every step's variables.
func unguarded(r *buildkit.Recipe, platform string) *buildkit.Recipe {
	out := *r
	out.Steps = nil
	for _, s := range r.Steps {
		s.Env = slices.DeleteFunc(slices.Clone(s.Env), func(kv string) bool { return strings.HasPrefix(kv, "TARGETPLATFORM=") })
		if n := len(s.Args); s.Kind == "exec" && n > 0 {
			if ps, rest, ok := readGuard(s.Args[n-1]); ok {
				if !slices.Contains(ps, platform) {
					continue
				}
				s.Args = append(slices.Clone(s.Args[:n-1]), rest)
			}
		}
		out.Steps = append(out.Steps, s)
	}
	return &out
}

// readGuard splits a command that starts with the docker target's
// platform guard (a case on $TARGETPLATFORM) into the platforms it names
// and the command after it.
func readGuard(cmd string) (platforms []string, rest string, ok bool) {
	const prefix, suffix = `case "$TARGETPLATFORM" in `, `) ;; *) exit 0 ;; esac; `
	after, found := strings.CutPrefix(cmd, prefix)
	if !found {
		return nil, cmd, false
	}
	pats, rest, found := strings.Cut(after, suffix)
	if !found {
		return nil, cmd, false
	}
	for _, p := range strings.Split(pats, "|") {
		if p = strings.TrimSuffix(p, "/v8"); !slices.Contains(platforms, p) {
			platforms = append(platforms, p)
		}
	}
	return platforms, rest, true
}

// sortedEnv returns r with each step's variables sorted.
func sortedEnv(r *buildkit.Recipe) *buildkit.Recipe {
	out := *r
	out.Steps = slices.Clone(r.Steps)
	for i := range out.Steps {
		out.Steps[i].Env = slices.Sorted(slices.Values(out.Steps[i].Env))
	}
	return &out
}

// TestEquivalenceCatchesBrokenPlatformValues breaks one platform's value
// in each target's output and demands that the comparison, one platform
// at a time, fails on env.
func TestEquivalenceCatchesBrokenPlatformValues(t *testing.T) {
	c := goldenCaseNamed(t, "platform-values")
	cc := goldenOnce(t, c)
	replace := func(old, new string) func(string) string {
		return func(s string) string { return strings.Replace(s, old, new, 1) }
	}
	runMutations(t, cc, cc.envs[0], []mutation{
		{"Dockerfile arm64 stage's ENV changed", "docker", "Dockerfile", replace("ENV PLATFORM=linux/arm64", "ENV PLATFORM=linux/arm64/v8"), "env"},
		{"Dockerfile amd64 build-only ARG added", "docker", "Dockerfile", replace("FROM envc-2 AS envc-2-amd64\nARG JOBS=2\n", "FROM envc-2 AS envc-2-amd64\nARG JOBS=2\nARG CFLAGS=-O1\n"), "setup"},
		{"Dockerfile stages of two platforms swapped", "docker", "Dockerfile", replace("FROM envc-1 AS envc-1-arm64\n", "FROM envc-1 AS envc-1-armv6\n"), "(whole output)"},
		{"arm/v7 image.json value changed", "llb", "linux-arm-v7/image.json", replace(`"PLATFORM=linux/arm/v7"`, `"PLATFORM=linux/arm64"`), "env"},
		{"Singularity.def %environment branch changed", "singularity", "Singularity.def", func(s string) string {
			return replaceLast(s, "aarch64)\nexport PLATFORM=linux/arm64", "armv7*)\nexport PLATFORM=linux/arm64")
		}, "env"},
		{"Singularity.def %post guard changed", "singularity", "Singularity.def", replace("case \"$(uname -m)\" in aarch64|armv7*)\nexport CFLAGS", "case \"$(uname -m)\" in x86_64|armv7*)\nexport CFLAGS"), "setup"},
		{"bootstrap.sh profile branch dropped", "vagrant", "bootstrap.sh", replace("x86_64)\nexport PLATFORM=linux/amd64\nexport TRIPLET=x86_64-linux-gnu\n;;\n", ""), "env"},
	})
}
