package buildkit_test

import (
	"bytes"
	"encoding/json"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
	"github.com/google/go-cmp/cmp"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// stageCases are environments with stages: irtest.Stages (a file copied
// with a mode, a folder copied with an owner and the stage's modes, a
// file with owner and mode, a stage copying from an earlier one, a
// stage's own variables, a stage step for vagrant only, two platforms),
// then variations of it.
func stageCases() map[string]*ir.Env {
	withRun := irtest.Stages()
	own := []ir.EnvVar{{Name: "TOOL_HOME", Value: ir.ParseWord("/opt/tool")}}
	withRun.Steps = append(withRun.Steps,
		&ir.EnvStep{Vars: own},
		&ir.RunStep{Command: `cat "$TOOL_HOME/notes.txt" && ls /opt/tool/share/doc`, Shell: "sh", User: "sim"},
	)

	noPlatforms := irtest.Stages()
	noPlatforms.Platforms = nil

	variant := irtest.Stages()
	variant.Platforms = []string{"linux/arm/v7", "linux/arm64", "linux/amd64"}

	bare := irtest.Minimal()
	bare.Stages = []*ir.Env{{Name: "busybox", Base: ir.Image{Ref: "busybox:1.36", Canonical: "docker.io/library/busybox:1.36"}}}
	bare.Steps = []ir.Step{&ir.CopyStep{Stage: "busybox", Source: "/bin/busybox", Target: "/usr/local/bin/busybox", Mode: 0o755}}

	return map[string]*ir.Env{"stages": irtest.Stages(), "with-run": withRun, "no-platforms": noPlatforms, "variant": variant, "bare": bare}
}

// TestStagesRoundTrip reads the definitions (one per platform) and image
// configs of environments with stages back and demands the spec's view,
// stages and platforms included.
func TestStagesRoundTrip(t *testing.T) {
	for name, env := range stageCases() {
		t.Run(name, func(t *testing.T) {
			files, _ := emit(t, env, emitters.Options{})
			again, _ := emit(t, stageCases()[name], emitters.Options{})
			if !maps.EqualFunc(files, again, bytes.Equal) {
				t.Error("two emissions differ")
			}
			got, err := llbread.EffectiveFiles(files, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := effective.Expect("llb", effective.FromIR(env.ForTarget("llb")))
			for _, d := range effdiff.Compare("llb", want, got) {
				t.Error(d)
			}
			if len(env.Stages) != len(got.Stages) {
				t.Errorf("%d stages read back, want %d", len(got.Stages), len(env.Stages))
			}
		})
	}
}

// TestStageGraph checks the graph of irtest.Stages: each stage a chain of
// its own from its image, its steps for the llb target only, with its own
// variables; each copy from a stage a file op whose secondary input is
// that stage's last op, with dockerfile2llb's COPY --from options (no mode
// when the stage's modes are kept).
func TestStageGraph(t *testing.T) {
	env := irtest.Stages()
	env.Platforms = nil
	files, _ := emit(t, env, emitters.Options{})
	g, err := llbread.ReadBack(files[buildkit.DefinitionFile])
	if err != nil {
		t.Fatal(err)
	}
	byDigest := map[string]*buildkit.Op{}
	for i := range g.Ops {
		byDigest[g.Ops[i].Digest] = &g.Ops[i]
	}
	type copyFrom struct {
		Stage, Src, Dest, Mode, Owner string
		Flags                         []bool // CreateDestPath, FollowSymlink, DirCopyContents
	}
	var copies []copyFrom
	stageState := map[string]string{}
	for _, op := range g.Ops {
		if op.Kind == "exec" {
			cmd := strings.Join(op.Exec.Args, " ")
			if strings.Contains(cmd, "echo machine") {
				t.Errorf("the vagrant-only stage step is in the graph: %s", cmd)
			}
			// The stage steps after the stage's env step.
			stageStep := strings.Contains(cmd, "$PREFIX") || strings.Contains(cmd, "/build/etc") || strings.Contains(cmd, "/more")
			if hasPrefix := slices.Contains(op.Exec.Env, "PREFIX=/build"); hasPrefix != stageStep {
				t.Errorf("exec %q has PREFIX set: %v, want %v", cmd, hasPrefix, stageStep)
			}
		}
		if op.Kind != "file" {
			continue
		}
		for _, a := range op.File.Actions {
			c := a.Copy
			if c == nil || !strings.HasPrefix(op.Name, buildkit.CopyFromPrefix) {
				continue
			}
			stage, _, _ := strings.Cut(strings.TrimPrefix(op.Name, buildkit.CopyFromPrefix), " ")
			src := byDigest[op.Inputs[a.SecondaryInput].Digest]
			if prev, ok := stageState[stage]; ok && prev != src.Digest {
				t.Errorf("stage %s is read as two states", stage)
			}
			stageState[stage] = src.Digest
			copies = append(copies, copyFrom{stage, c.Src, c.Dest, c.Mode, c.Owner, []bool{c.CreateDestPath, c.FollowSymlink, c.DirCopyContents}})
		}
	}
	yes := []bool{true, true, true}
	want := []copyFrom{
		{"build", "/build/bin/tool", "/usr/local/bin/tool", "0755", "", yes},
		{"build", "/build/share/doc/notes.txt", "/more/notes.txt", "", "", yes},
		{"more", "/build/share", "/opt/tool/share", "", "sim", yes},
		{"more", "/more/notes.txt", "/opt/tool/notes.txt", "0640", "sim", yes},
	}
	if diff := cmp.Diff(want, copies); diff != "" {
		t.Errorf("copies from stages (-want +got):\n%s", diff)
	}
	// Each stage's state is its own chain from its image, and the chain of
	// "more" holds the copy from "build".
	for stage, dgst := range stageState {
		r, err := g.RecipeOf(dgst)
		if err != nil {
			t.Fatalf("stage %s: %v", stage, err)
		}
		if r.Image != "docker.io/library/debian:bookworm" || r.Platform != "linux/amd64" {
			t.Errorf("stage %s starts from %s on %s", stage, r.Image, r.Platform)
		}
		fromBuild := slices.ContainsFunc(r.Steps, func(s buildkit.RecipeStep) bool { return s.State == stageState["build"] })
		if fromBuild != (stage == "more") {
			t.Errorf("stage %s copies from build: %v", stage, fromBuild)
		}
	}
	if len(stageState) != 2 {
		t.Errorf("stages read: %v", slices.Sorted(maps.Keys(stageState)))
	}
}

// TestPlatforms checks that an environment with platforms has one
// definition and image config per platform, in a folder per platform,
// each pinned to it (the image source and every exec op), and that the
// files without platforms keep their v1 names.
func TestPlatforms(t *testing.T) {
	env := stageCases()["variant"]
	files, _ := emit(t, env, emitters.Options{Platform: "linux/s390x"}) // the option is ignored
	var want []string
	for _, dir := range []string{"linux-amd64", "linux-arm-v7", "linux-arm64"} {
		for _, f := range []string{buildkit.ImageFile, buildkit.DumpFile, buildkit.DefinitionFile} {
			want = append(want, dir+"/"+f)
		}
	}
	if diff := cmp.Diff(want, slices.Sorted(maps.Keys(files))); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	for _, p := range []string{"linux/arm/v7", "linux/arm64", "linux/amd64"} {
		dir := buildkit.PlatformDir(p)
		g, err := llbread.ReadBack(files[dir+"/"+buildkit.DefinitionFile])
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range g.Ops {
			if (op.Kind == "exec" || (op.Kind == "source" && strings.HasPrefix(op.Source.Identifier, "docker-image://"))) && op.Platform != p {
				t.Errorf("%s: %s op %q on %q", dir, op.Kind, op.Name, op.Platform)
			}
		}
		var img ocispecs.Image
		if err := json.Unmarshal(files[dir+"/"+buildkit.ImageFile], &img); err != nil {
			t.Fatal(err)
		}
		if got := buildkit.FormatPlatform(buildkit.Platform{OS: img.OS, Architecture: img.Architecture, Variant: img.Variant}); got != p {
			t.Errorf("%s/%s is for %s", dir, buildkit.ImageFile, got)
		}
		var dump struct {
			Ops []buildkit.Op `json:"ops"`
		}
		if err := json.Unmarshal(files[dir+"/"+buildkit.DumpFile], &dump); err != nil || len(dump.Ops) != len(g.Ops) {
			t.Errorf("%s/%s: %d ops (%v), want %d", dir, buildkit.DumpFile, len(dump.Ops), err, len(g.Ops))
		}
	}
	if bytes.Equal(files["linux-amd64/"+buildkit.DefinitionFile], files["linux-arm64/"+buildkit.DefinitionFile]) {
		t.Error("two platforms, one definition")
	}
	// The same environment without platforms: the v1 files, for
	// Options.Platform.
	env.Platforms = nil
	one, _ := emit(t, env, emitters.Options{Platform: "linux/arm64"})
	if diff := cmp.Diff([]string{buildkit.ImageFile, buildkit.DumpFile, buildkit.DefinitionFile}, slices.Sorted(maps.Keys(one))); diff != "" {
		t.Errorf("files without platforms (-want +got):\n%s", diff)
	}
	if r := recipeOf(t, one[buildkit.DefinitionFile]); r.Platform != "linux/arm64" {
		t.Errorf("without platforms, built for %s", r.Platform)
	}
}

// TestEffectiveFilesCatches checks that the read-back of a multi-platform
// output refuses files that disagree, and sees a changed stage copy.
func TestEffectiveFilesCatches(t *testing.T) {
	env := irtest.Stages()
	files, _ := emit(t, env, emitters.Options{})
	swapped := maps.Clone(files)
	swapped["linux-amd64/"+buildkit.ImageFile], swapped["linux-arm64/"+buildkit.ImageFile] = files["linux-arm64/"+buildkit.ImageFile], files["linux-amd64/"+buildkit.ImageFile]
	if _, err := llbread.EffectiveFiles(swapped, nil); err == nil {
		t.Error("image configs in each other's folder read back")
	}
	moved := map[string][]byte{}
	for name, data := range files {
		moved[strings.Replace(name, "linux-arm64/", "linux-riscv64/", 1)] = data
	}
	if _, err := llbread.EffectiveFiles(moved, nil); err == nil {
		t.Error("a definition in another platform's folder read back")
	}
	other := irtest.Stages()
	other.Steps[2].(*ir.CopyStep).Mode = 0o700 // the folder copy sets a mode
	otherFiles, _ := emit(t, other, emitters.Options{})
	mixed := maps.Clone(files)
	for _, f := range []string{buildkit.DefinitionFile, buildkit.ImageFile} {
		mixed["linux-arm64/"+f] = otherFiles["linux-arm64/"+f]
	}
	if _, err := llbread.EffectiveFiles(mixed, nil); err == nil {
		t.Error("two platforms building different environments read back")
	}
	got, err := llbread.EffectiveFiles(otherFiles, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := effective.Expect("llb", effective.FromIR(env.ForTarget("llb")))
	diffs := effdiff.Compare("llb", want, got)
	if len(diffs) == 0 || diffs[0].Construct != "file" {
		t.Errorf("a folder copy with a mode instead of the stage's: differences %v", diffs)
	}
}

// TestStageBaseEnv checks that a stage on another image than the
// environment's expands its values against that image's env
// (BuildOptions.StageBaseEnv), and the environment against its own.
func TestStageBaseEnv(t *testing.T) {
	env := irtest.Stages()
	env.Platforms = nil
	gobase := ir.Image{Ref: "golang:1.22", Canonical: "docker.io/library/golang:1.22"}
	env.Stages[0].Base = gobase
	env.Stages[0].Steps[1] = &ir.EnvStep{Vars: []ir.EnvVar{{Name: "PREFIX", Value: ir.ParseWord("$GOPATH/build")}}}
	res, diags := buildkit.BuildWith(env, emitters.Options{BaseEnv: []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}},
		buildkit.BuildOptions{StageBaseEnv: map[string][]string{"golang:1.22": {"PATH=/usr/local/go/bin:/usr/bin:/bin", "GOPATH=/go"}}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	g, err := llbread.ReadBack(res.Marshal().Bytes)
	if err != nil {
		t.Fatal(err)
	}
	// The state of each stage is what its copies read.
	states := map[string]string{}
	for _, op := range g.Ops {
		if stage, ok := strings.CutPrefix(op.Name, buildkit.CopyFromPrefix); ok {
			stage, _, _ = strings.Cut(stage, " ")
			states[stage] = op.Inputs[op.File.Actions[0].SecondaryInput].Digest
		}
	}
	for _, tc := range []struct{ name, state, base, set, unset string }{
		{"build", states["build"], "GOPATH=/go", "PREFIX=/go/build", "LANG=C.UTF-8"},
		{"more", states["more"], "LANG=C.UTF-8", "PREFIX=/build", "GOPATH=/go"},
		{"environment", g.Result, "LANG=C.UTF-8", "", "PREFIX=/build"},
	} {
		r, err := g.RecipeOf(tc.state)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		prefixSet := false
		for _, s := range r.Steps {
			if s.Kind != "exec" {
				continue
			}
			if !slices.Contains(s.Env, tc.base) || slices.Contains(s.Env, tc.unset) {
				t.Errorf("%s: exec %q has env %q, want %s and not %s", tc.name, s.Args, s.Env, tc.base, tc.unset)
			}
			prefixSet = prefixSet || slices.Contains(s.Env, tc.set)
		}
		if !prefixSet && tc.set != "" {
			t.Errorf("%s: no exec sees %s", tc.name, tc.set)
		}
	}
}

// TestPlatformNormalized checks that a platform the spec writes in a
// longer form is pinned, named and read back in its normal form.
func TestPlatformNormalized(t *testing.T) {
	env := irtest.Stages()
	env.Platforms = []string{"linux/arm64/v8"}
	files, _ := emit(t, env, emitters.Options{})
	if diff := cmp.Diff([]string{"linux-arm64/" + buildkit.ImageFile, "linux-arm64/" + buildkit.DumpFile, "linux-arm64/" + buildkit.DefinitionFile}, slices.Sorted(maps.Keys(files))); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	got, err := llbread.EffectiveFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"linux/arm64"}, got.Platforms); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
}
