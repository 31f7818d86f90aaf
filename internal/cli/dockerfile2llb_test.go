package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters/buildkit/llbread"

	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/proto"
)

// fakeResolver answers dockerfile2llb's image metadata requests without
// a registry: every base image has the config envc assumes when the base
// environment is unknown (only PATH set) and one layer.
type fakeResolver struct{}

func (fakeResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	img := ocispecs.Image{
		Platform: p,
		Config:   ocispecs.ImageConfig{Env: []string{"PATH=" + emitters.DefaultPath}},
		RootFS:   ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromString("layer")}},
	}
	dt, err := json.Marshal(img)
	return ref, "", dt, err
}

// normalizedHead re-digests every op of def after leaving out what the
// two lowerings legitimately do differently: the attributes of the local
// build context (dockerfile2llb follows paths, envc includes exactly the
// copied files) and the wildcard flags of a copy (a Dockerfile COPY
// source is a pattern, envc's a literal path). Equal heads mean equal
// graphs, op for op.
func normalizedHead(t *testing.T, def *pb.Definition) string {
	t.Helper()
	renamed := map[string]string{}
	var head string
	for _, dt := range def.Def {
		var op pb.Op
		if err := proto.Unmarshal(dt, &op); err != nil {
			t.Fatal(err)
		}
		for _, in := range op.Inputs {
			if n, ok := renamed[in.Digest]; ok {
				in.Digest = n
			}
		}
		if src := op.GetSource(); src != nil && len(src.Identifier) > 8 && src.Identifier[:8] == "local://" {
			src.Attrs = nil
		}
		if e := op.GetExec(); e != nil && e.Meta != nil && e.Meta.User == "root" {
			e.Meta.User = ""
		}
		if f := op.GetFile(); f != nil {
			for _, a := range f.Actions {
				if c := a.GetCopy(); c != nil {
					c.AllowWildcard, c.AllowEmptyWildcard = false, false
					c.Owner = rootOwner(c.Owner)
				}
				if m := a.GetMkdir(); m != nil {
					m.Owner = rootOwner(m.Owner)
				}
			}
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&op)
		if err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(b).String()
		renamed[digest.FromBytes(dt).String()] = d
		head = d
	}
	return head
}

// rootOwner returns nil (root, the default) for an explicit root owner:
// dockerfile2llb writes USER root's mkdirs as owned by ID 0.
func rootOwner(o *pb.ChownOpt) *pb.ChownOpt {
	if o == nil || o.Group != nil || o.User == nil {
		return o
	}
	if n := o.User.GetByName(); n != nil && n.Name == "root" {
		return nil
	}
	if _, byID := o.User.User.(*pb.UserOpt_ByID); byID && o.User.GetByID() == 0 {
		return nil
	}
	return o
}

// rootUser maps the explicit root user of a Dockerfile (USER root, an
// owner of ID 0) to the default, "".
func rootUser(u string) string {
	if u == "root" || u == "0" {
		return ""
	}
	return u
}

// imageConfig is what both image configs must agree on.
type imageConfig struct {
	User         string
	Env          []string
	WorkingDir   string
	Cmd          []string
	ExposedPorts []string
	Volumes      []string
	Labels       map[string]string
}

func configOf(c ocispecs.ImageConfig) imageConfig {
	// A Dockerfile that ran a step in "/" keeps WORKDIR / for run time,
	// where envc's config leaves the base image's: the same unless the
	// base image sets another WORKDIR (see the report of TestEquivalence's
	// view, which reads both as the default).
	wd := c.WorkingDir
	if wd == "/" {
		wd = ""
	}
	out := imageConfig{User: rootUser(c.User), Env: c.Env, WorkingDir: wd, Cmd: c.Cmd, Labels: c.Labels}
	for p := range c.ExposedPorts {
		out.ExposedPorts = append(out.ExposedPorts, p)
	}
	for v := range c.Volumes {
		out.Volumes = append(out.Volumes, v)
	}
	sort.Strings(out.ExposedPorts)
	sort.Strings(out.Volumes)
	return out
}

// TestDockerfile2LLB lowers envc's own Dockerfile of every golden case and
// example with BuildKit's Dockerfile frontend (dockerfile2llb) and
// compares the result with envc's directly written LLB and image.json:
// the build steps (exec argv, env, working directory, user; copies and
// mkdirs), the whole graph op for op, and the image config.
func TestDockerfile2LLB(t *testing.T) {
	for _, c := range goldenCases(t) {
		c := c
		t.Run(c.name, func(t *testing.T) {
			cc := goldenOnce(t, c)
			for _, env := range cc.envs {
				// One definition per platform, each against dockerfile2llb's
				// for the same platform.
				platforms, prefixes := []string{emitters.DefaultPlatform}, []string{""}
				if len(env.Platforms) > 0 {
					platforms, prefixes = env.Platforms, nil
					for _, p := range platforms {
						prefixes = append(prefixes, buildkit.PlatformDir(p)+"/")
					}
				}
				for i, platform := range platforms {
					files := cc.files[env.Name]
					if env.Overrides != nil || env.PlatformLimited() {
						// The Dockerfile of the llb target's own view, for
						// this platform: what differs by target or is
						// guarded by the platform in the Dockerfile is
						// compared by the equivalence checks.
						out, diags := emitters.EmitFor(docker.New(), env.ForTarget(buildkit.New().Name()).ForPlatform(platform), emitters.Options{})
						if diags.HasErrors() {
							t.Fatal(diags)
						}
						files = maps.Clone(files)
						for _, f := range out.Files {
							files[f.Path] = f.Data
						}
					}
					checkDockerfile2LLB(t, env.Name, files, platform, prefixes[i])
				}
			}
		})
	}
}

// checkDockerfile2LLB compares envc's definition for platform (its files
// under prefix) with dockerfile2llb's lowering of envc's Dockerfile.
func checkDockerfile2LLB(t *testing.T, envName string, all map[string][]byte, platform, prefix string) {
	t.Helper()
	files := map[string][]byte{docker.DockerfileName: all[docker.DockerfileName]}
	for _, name := range []string{buildkit.DefinitionFile, buildkit.ImageFile} {
		files[name] = all[prefix+name]
	}
	env := struct{ Name string }{envName + " " + platform}
	theirDef, theirs, img := lowerDockerfile(t, files[docker.DockerfileName], platform)
	ours, err := llbread.ReadBack(files[buildkit.DefinitionFile])
	if err != nil {
		t.Fatal(err)
	}
	theirRecipe, err := theirs.Recipe()
	if err != nil {
		t.Fatalf("%s: dockerfile2llb's graph: %v", env.Name, err)
	}
	ourRecipe, err := ours.Recipe()
	if err != nil {
		t.Fatal(err)
	}
	// The stages, as the copies from them read them: dockerfile2llb's
	// build stage and envc's state, step for step (the heads below
	// compare them too, op for op; this says where they differ).
	diffs, err := stageDiffs(theirs, ours, theirRecipe, ourRecipe, map[string]bool{})
	if err != nil {
		t.Fatalf("%s: %v", env.Name, err)
	}
	for _, d := range diffs {
		t.Errorf("%s: %s", env.Name, d)
	}
	if diff := cmp.Diff(plainRecipe(theirRecipe), plainRecipe(ourRecipe)); diff != "" {
		t.Errorf("%s: build steps differ (-dockerfile2llb +envc):\n%s", env.Name, diff)
	}
	var ourDef pb.Definition
	if err := proto.Unmarshal(files[buildkit.DefinitionFile], &ourDef); err != nil {
		t.Fatal(err)
	}
	if a, b := normalizedHead(t, theirDef), normalizedHead(t, &ourDef); a != b {
		t.Errorf("%s: the graphs differ beyond the local context's attributes and copy wildcards", env.Name)
	}
	var ourImg ocispecs.Image
	if err := json.Unmarshal(files[buildkit.ImageFile], &ourImg); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(configOf(img.Config.ImageConfig), configOf(ourImg.Config)); diff != "" {
		t.Errorf("%s: image config differs (-dockerfile2llb +envc):\n%s", env.Name, diff)
	}
	if img.OS != ourImg.OS || img.Architecture != ourImg.Architecture || img.Variant != ourImg.Variant {
		t.Errorf("%s: platform %s/%s, envc %s/%s", env.Name, img.OS, img.Architecture, ourImg.OS, ourImg.Architecture)
	}
}

// plainRecipe returns r without what the two lowerings legitimately do
// differently: the names (dockerfile2llb numbers the steps), an explicit
// root user, and the digests of the stage states copies read (they differ
// as the context op does).
func plainRecipe(r *buildkit.Recipe) *buildkit.Recipe {
	out := *r
	out.Steps = append([]buildkit.RecipeStep(nil), r.Steps...)
	for i := range out.Steps {
		out.Steps[i].Name = ""
		out.Steps[i].User = rootUser(out.Steps[i].User)
		out.Steps[i].Owner = rootUser(out.Steps[i].Owner)
		out.Steps[i].State = ""
	}
	return &out
}

// stageDiffs compares, copy by copy, the stages that the copies of theirR
// and ourR read, and the stages those read in turn, and returns where
// they differ (done holds the pairs of states already compared).
func stageDiffs(theirs, ours *buildkit.Graph, theirR, ourR *buildkit.Recipe, done map[string]bool) ([]string, error) {
	if len(theirR.Steps) != len(ourR.Steps) {
		return nil, nil // the recipes' own comparison reports it
	}
	var diffs []string
	for i, ts := range theirR.Steps {
		ost := ourR.Steps[i]
		if ts.State == "" || ost.State == "" || done[ts.State+ost.State] {
			continue
		}
		done[ts.State+ost.State] = true
		tr, err := theirs.RecipeOf(ts.State)
		if err != nil {
			return nil, fmt.Errorf("dockerfile2llb's stage for %s: %w", ts.Src, err)
		}
		or, err := ours.RecipeOf(ost.State)
		if err != nil {
			return nil, fmt.Errorf("envc's stage for %s: %w", ost.Src, err)
		}
		if diff := cmp.Diff(plainRecipe(tr), plainRecipe(or)); diff != "" {
			diffs = append(diffs, fmt.Sprintf("the stage of %q differs (-dockerfile2llb +envc):\n%s", ost.Name, diff))
		}
		more, err := stageDiffs(theirs, ours, tr, or, done)
		if err != nil {
			return nil, err
		}
		diffs = append(diffs, more...)
	}
	return diffs, nil
}

// lowerDockerfile lowers a Dockerfile with dockerfile2llb for platform
// (os/arch[/variant]).
func lowerDockerfile(t *testing.T, dockerfile []byte, platformSpec string) (*pb.Definition, *buildkit.Graph, *dockerspec.DockerOCIImage) {
	t.Helper()
	ctx := context.Background()
	parts := strings.Split(platformSpec, "/")
	platform := ocispecs.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		platform.Variant = parts[2]
	}
	st, img, _, _, err := dockerfile2llb.Dockerfile2LLB(ctx, dockerfile, dockerfile2llb.ConvertOpt{
		TargetPlatform: &platform,
		MetaResolver:   fakeResolver{},
	})
	if err != nil {
		t.Fatalf("dockerfile2llb: %v", err)
	}
	def, err := st.Marshal(ctx, llb.Platform(platform))
	if err != nil {
		t.Fatal(err)
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(def.ToPB())
	if err != nil {
		t.Fatal(err)
	}
	g, err := llbread.ReadBack(data)
	if err != nil {
		t.Fatal(err)
	}
	return def.ToPB(), g, img
}

// TestDockerfile2LLBCatchesDifferences checks that the cross-check fails
// when the Dockerfile says something else than envc's LLB.
func TestDockerfile2LLBCatchesDifferences(t *testing.T) {
	for _, c := range goldenCases(t) {
		if c.name != "all-constructs" {
			continue
		}
		files := goldenOnce(t, c).files["all"]
		var ours pb.Definition
		if err := proto.Unmarshal(files[buildkit.DefinitionFile], &ours); err != nil {
			t.Fatal(err)
		}
		same, _, _ := lowerDockerfile(t, files[docker.DockerfileName], emitters.DefaultPlatform)
		changed := bytes.Replace(files[docker.DockerfileName], []byte("ENV OMP_NUM_THREADS=2"), []byte("ENV OMP_NUM_THREADS=3"), 1)
		other, _, _ := lowerDockerfile(t, changed, emitters.DefaultPlatform)
		if normalizedHead(t, same) != normalizedHead(t, &ours) {
			t.Fatal("the unchanged Dockerfile already differs")
		}
		if normalizedHead(t, other) == normalizedHead(t, &ours) {
			t.Error("a changed ENV value went unnoticed")
		}
		return
	}
	t.Fatal("no all-constructs case")
}

// TestDockerfile2LLBCatchesStageDifferences checks that the cross-check
// sees a Dockerfile whose stage says something else than envc's graph, and
// says which stage.
func TestDockerfile2LLBCatchesStageDifferences(t *testing.T) {
	for _, c := range goldenCases(t) {
		if c.name != "stages" {
			continue
		}
		files := goldenOnce(t, c).files["stages"]
		pbBytes := files[buildkit.PlatformDir(emitters.DefaultPlatform)+"/"+buildkit.DefinitionFile]
		var ourDef pb.Definition
		if err := proto.Unmarshal(pbBytes, &ourDef); err != nil {
			t.Fatal(err)
		}
		ours, err := llbread.ReadBack(pbBytes)
		if err != nil {
			t.Fatal(err)
		}
		ourR, err := ours.Recipe()
		if err != nil {
			t.Fatal(err)
		}
		for _, change := range [][2]string{
			{"RUN echo extra >> /extra/README", "RUN echo other >> /extra/README"},            // a stage's step
			{"COPY --from=build /build/share/README", "COPY --from=docs /build/share/README"}, // the stage a stage copies from
		} {
			changed := bytes.Replace(files[docker.DockerfileName], []byte(change[0]), []byte(change[1]), 1)
			if bytes.Equal(changed, files[docker.DockerfileName]) {
				t.Fatalf("the Dockerfile has no %q", change[0])
			}
			theirDef, theirs, _ := lowerDockerfile(t, changed, emitters.DefaultPlatform)
			if normalizedHead(t, theirDef) == normalizedHead(t, &ourDef) {
				t.Errorf("%q went unnoticed by the heads", change[1])
			}
			theirR, err := theirs.Recipe()
			if err != nil {
				t.Fatal(err)
			}
			diffs, err := stageDiffs(theirs, ours, theirR, ourR, map[string]bool{})
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) == 0 || !strings.Contains(diffs[0], "extra") {
				t.Errorf("%q: stage differences %q, want one naming the stage extra", change[1], diffs)
			}
		}
		return
	}
	t.Fatal("no stages case")
}

// TestDockerfilePlatformGuard lowers the Dockerfile of the per-target
// case, whose steps for one platform are guarded RUNs, with BuildKit's
// Dockerfile frontend for each platform: each such RUN sees the platform
// in TARGETPLATFORM, and its guard, run by sh, lets the command run on
// the platforms it names alone.
func TestDockerfilePlatformGuard(t *testing.T) {
	cc := goldenOnce(t, goldenCaseNamed(t, "per-target"))
	df := cc.files["per-target"][docker.DockerfileName]
	for _, platform := range []string{"linux/amd64", "linux/arm64"} {
		_, g, _ := lowerDockerfile(t, df, platform)
		r, err := g.Recipe()
		if err != nil {
			t.Fatal(err)
		}
		var ran []string
		for _, s := range r.Steps {
			cmd := ""
			if s.Kind == "exec" {
				cmd = s.Args[len(s.Args)-1]
			}
			guard, _, ok := strings.Cut(cmd, "esac; ")
			guard += "esac"
			if !strings.HasPrefix(cmd, `case "$TARGETPLATFORM" in `) || !ok {
				continue
			}
			if !slices.Contains(s.Env, "TARGETPLATFORM="+platform) {
				t.Errorf("%s: a guarded RUN sees %v", platform, s.Env)
			}
			sh := exec.Command("/bin/sh", "-c", guard+"; echo ran")
			sh.Env = []string{"TARGETPLATFORM=" + platform}
			out, err := sh.Output()
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(out)) == "ran" {
				ran = append(ran, guard)
			}
		}
		if len(ran) != 1 {
			t.Errorf("%s: the guards of %v let the command run, want one", platform, ran)
		}
	}
}
