package dockerread

import (
	"bytes"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
)

// stageCases are environments with stages and platforms: irtest.Stages
// (a file copied with a mode, a folder copied with an owner and the
// stage's modes, a file with owner and mode, a stage copying from an
// earlier one, a stage's own variables, a stage step for vagrant only,
// two platforms), then variations of it.
func stageCases() map[string]*ir.Env {
	withRun := irtest.Stages()
	// A run step of the environment sees the environment's variables,
	// not the stages'.
	own := []ir.EnvVar{{Name: "TOOL_HOME", Value: ir.ParseWord("/opt/tool")}}
	withRun.Steps = append(withRun.Steps,
		&ir.EnvStep{Vars: own},
		&ir.RunStep{Command: `cat "$TOOL_HOME/notes.txt" && ls /opt/tool/share/doc`, Shell: "sh", User: "sim"},
	)

	noPlatforms := irtest.Stages()
	noPlatforms.Platforms = nil

	// A stage named like the environment's base image ("debian", no tag):
	// FROM debian would build on the stage.
	shadow := irtest.Stages()
	shadow.Base = ir.Image{Ref: "debian", Canonical: "docker.io/library/debian:latest"}
	shadow.Stages[0].Name = "debian"
	shadow.Stages[1].Base = shadow.Base
	for _, s := range append(append([]ir.Step(nil), shadow.Steps...), shadow.Stages[1].Steps...) {
		if c, ok := s.(*ir.CopyStep); ok && c.Stage == "build" {
			c.Stage = "debian"
		}
	}

	// A stage with nothing but a base, copied from.
	bare := irtest.Minimal()
	bare.Stages = []*ir.Env{{Name: "busybox", Base: ir.Image{Ref: "busybox:1.36", Canonical: "docker.io/library/busybox:1.36"}}}
	bare.Steps = []ir.Step{&ir.CopyStep{Stage: "busybox", Source: "/bin/busybox", Target: "/usr/local/bin/busybox", Mode: 0o755}}

	return map[string]*ir.Env{"stages": irtest.Stages(), "with-run": withRun, "no-platforms": noPlatforms, "shadow": shadow, "bare": bare}
}

func emitDocker(t *testing.T, env *ir.Env) (dockerfile, compose []byte) {
	t.Helper()
	out, diags := emitters.EmitFor(docker.New(), env, emitters.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Path] = f.Data
	}
	return files[docker.DockerfileName], files[docker.ComposeName]
}

// TestStagesRoundTrip reads the Dockerfile and compose.yaml of
// environments with stages and platforms back (BuildKit's parser,
// compose-go) and demands the spec's effective view.
func TestStagesRoundTrip(t *testing.T) {
	for name, env := range stageCases() {
		t.Run(name, func(t *testing.T) {
			dockerfile, compose := emitDocker(t, env)
			df2, compose2 := emitDocker(t, stageCases()[name])
			if !bytes.Equal(dockerfile, df2) || !bytes.Equal(compose, compose2) {
				t.Error("two emissions differ")
			}
			got, err := Effective(dockerfile, compose)
			if err != nil {
				t.Fatalf("%v\n%s", err, dockerfile)
			}
			want := effective.Expect("docker", effective.FromIR(env.ForTarget("docker")))
			for _, d := range effdiff.Compare("docker", want, got) {
				t.Errorf("%s\n%s", d, dockerfile)
			}
			if len(env.Stages) != len(got.Stages) {
				t.Errorf("%d stages read back, want %d", len(got.Stages), len(env.Stages))
			}
		})
	}
}

// TestStagesRoundTripCatches changes what the Dockerfile and compose.yaml
// say about stages and platforms and demands a difference for each.
func TestStagesRoundTripCatches(t *testing.T) {
	env := irtest.Stages()
	dockerfile, compose := emitDocker(t, env)
	want := effective.Expect("docker", effective.FromIR(env.ForTarget("docker")))
	for _, tc := range []struct {
		name, file, old, new string
		construct            string
	}{
		{"chmod dropped", docker.DockerfileName, "COPY --from=build --chmod=755 ", "COPY --from=build ", "file"},
		{"chmod added", docker.DockerfileName, "COPY --from=more --chown=sim /build/share", "COPY --from=more --chmod=755 --chown=sim /build/share", "file"},
		{"owner dropped", docker.DockerfileName, "COPY --from=more --chown=sim /build/share", "COPY --from=more /build/share", "file"},
		{"other stage", docker.DockerfileName, "COPY --from=more --chmod=640", "COPY --from=build --chmod=640", "file"},
		{"stage step", docker.DockerfileName, "echo more >> /more/notes.txt", "echo less >> /more/notes.txt", "stage"},
		{"stage base", docker.DockerfileName, "FROM debian:bookworm AS more", "FROM debian:trixie AS more", "stage"},
		{"stage variable", docker.DockerfileName, "ENV PREFIX=/build", "ENV PREFIX=/build2", "stage"},
		{"platform", docker.ComposeName, "linux/arm64", "linux/arm/v7", "platforms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			df, cy := dockerfile, compose
			target := &df
			if tc.file == docker.ComposeName {
				target = &cy
			}
			if !bytes.Contains(*target, []byte(tc.old)) {
				t.Fatalf("%s has no %q:\n%s", tc.file, tc.old, *target)
			}
			*target = bytes.Replace(*target, []byte(tc.old), []byte(tc.new), 1)
			got, err := Effective(df, cy)
			if err != nil {
				t.Fatal(err)
			}
			diffs := effdiff.Compare("docker", want, got)
			var constructs []string
			for _, d := range diffs {
				constructs = append(constructs, d.Construct)
			}
			if !strings.Contains(strings.Join(constructs, " "), tc.construct) {
				t.Errorf("differences %q, want one in %s", constructs, tc.construct)
			}
		})
	}
}
