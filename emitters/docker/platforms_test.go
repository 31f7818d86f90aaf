package docker

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
)

// TestPlatformStageNames checks that the stages of values per platform
// take no name of a stage of the spec.
func TestPlatformStageNames(t *testing.T) {
	for _, c := range []struct {
		stages []string
		want   string
	}{
		{nil, "envc-1"},
		{[]string{"build", "envc"}, "envc-1"},
		{[]string{"envc-tools"}, "envc0-1"},
		{[]string{"envc-tools", "envc0-x"}, "envc1-1"},
	} {
		env := &ir.Env{}
		for _, s := range c.stages {
			env.Stages = append(env.Stages, &ir.Env{Name: s})
		}
		if got := newStageNames(env).next(); got != c.want {
			t.Errorf("stages %v: %s, want %s", c.stages, got, c.want)
		}
	}
}

// platformEnv returns an environment for linux/amd64 and linux/arm64
// with steps.
func platformEnv(steps ...ir.Step) *ir.Env {
	env := irtest.Minimal()
	env.Platforms = []string{"linux/amd64", "linux/arm64"}
	env.Steps = steps
	return env
}

func envStep(buildOnly bool, platforms []string, kv ...string) *ir.EnvStep {
	s := &ir.EnvStep{BuildOnly: buildOnly, Platforms: platforms}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Vars = append(s.Vars, ir.EnvVar{Name: kv[i], Value: ir.ParseWord(kv[i+1])})
	}
	return s
}

// TestPlatformValuesCarryArgs checks that a stage of values per platform
// declares the build's variables again with the values they had (a
// reference to a variable set later resolved), as each platform's read
// shows, and that a value that refers to a variable the Dockerfile set
// from the base image's is an error rather than read anew.
func TestPlatformValuesCarryArgs(t *testing.T) {
	env := platformEnv(
		envStep(false, nil, "P", "1"),
		envStep(true, nil, "B", "${P}-b"),
		envStep(false, nil, "P", "2"),
		envStep(false, []string{"linux/arm64"}, "ARCH", "arm"),
		&ir.RunStep{Command: "echo \"$B $ARCH\""},
	)
	dockerfile, _, _ := emit(t, env)
	if !strings.Contains(string(dockerfile), "FROM envc-1-${TARGETARCH}${TARGETVARIANT}\nARG B=1-b\n") {
		t.Errorf("the stage after the values does not declare B again as 1-b:\n%s", dockerfile)
	}
	for _, p := range env.Platforms {
		df, err := readDockerfileFor(dockerfile, nil, p)
		if err != nil {
			t.Fatal(err)
		}
		run := df.Ops[len(df.Ops)-1]
		want := []KeyValue{{"B", "1-b"}, {"P", "2"}}
		if p == "linux/arm64" {
			want = append(want, KeyValue{"ARCH", "arm"})
		}
		if run.Kind != OpRun || !equalKV(run.Env, want) {
			t.Errorf("%s: the run sees %v, want %v", p, run.Env, want)
		}
	}
	if _, err := readDockerfile(dockerfile, nil); err == nil {
		t.Error("ReadDockerfile read a Dockerfile of values per platform without a platform")
	}

	bad := platformEnv(
		envStep(false, nil, "PATH", "/opt/bin:${PATH}"),
		envStep(true, nil, "B", "${PATH}"),
		envStep(false, []string{"linux/arm64"}, "ARCH", "arm"),
	)
	_, diags := emitters.EmitFor(New(), bad, emitters.Options{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Value cannot be carried") {
		t.Errorf("a build variable that refers to a base variable the Dockerfile set: %v", diags)
	}
}

func equalKV(a, b []KeyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
