package ir

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlatformRunEnv checks the run command's variables of an
// environment whose variables differ by platform: those with one value
// on every platform apart, each platform's own resolved (a name set again takes its later place), and a platform
// without a step of its own keeping the earlier value or none.
func TestPlatformRunEnv(t *testing.T) {
	vars := func(kv ...string) []EnvVar {
		var out []EnvVar
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, EnvVar{Name: kv[i], Value: ParseWord(kv[i+1])})
		}
		return out
	}
	env := &Env{
		Platforms: []string{"linux/amd64", "linux/arm64", "linux/arm/v7"},
		Steps: []Step{
			&EnvStep{Vars: vars("LIB", "/usr/lib", "MODE", "generic")},
			&EnvStep{Platforms: []string{"linux/amd64"}, Vars: vars("TRIPLET", "x86_64", "MODE", "fast")},
			&EnvStep{Platforms: []string{"linux/arm64"}, Vars: vars("TRIPLET", "aarch64")},
			&EnvStep{Vars: vars("LIBPATH", "${LIB}/${TRIPLET}")},
		},
	}
	if !env.PlatformValues() {
		t.Fatal("PlatformValues is false")
	}
	common, per := env.PlatformRunEnv()
	type nv struct{ Name, Value string }
	flat := func(vs []EnvVar) []nv {
		var out []nv
		for _, v := range vs {
			out = append(out, nv{v.Name, v.Value.String()})
		}
		return out
	}
	if diff := cmp.Diff([]nv{{"LIB", "/usr/lib"}}, flat(common)); diff != "" {
		t.Errorf("common (-want +got):\n%s", diff)
	}
	want := [][]nv{
		{{"TRIPLET", "x86_64"}, {"MODE", "fast"}, {"LIBPATH", "/usr/lib/x86_64"}},
		{{"MODE", "generic"}, {"TRIPLET", "aarch64"}, {"LIBPATH", "/usr/lib/aarch64"}},
		{{"MODE", "generic"}, {"LIBPATH", "/usr/lib/${TRIPLET}"}},
	}
	for i := range want {
		if diff := cmp.Diff(want[i], flat(per[i])); diff != "" {
			t.Errorf("%s (-want +got):\n%s", env.Platforms[i], diff)
		}
	}
}
