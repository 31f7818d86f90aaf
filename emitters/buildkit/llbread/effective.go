package llbread

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/effective"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Effective reads llb.pb (through ReadBack and Graph.Recipe, so
// llb.ReadFrom) and image.json into the effective view. baseEnv is the
// base image's environment the graph was written against (NAME=value
// entries; nil means effective.AssumedBaseEnv, what Build assumes): the
// variables it sets unchanged are left out of every env, so that the
// view holds only what the spec set. Values are literal: LLB expands
// nothing, envc did when it wrote the graph.
func Effective(llbPB, imageJSON []byte, baseEnv []string) (*effective.Env, error) {
	if baseEnv == nil {
		baseEnv = effective.AssumedBaseEnv
	}
	g, err := ReadBack(llbPB)
	if err != nil {
		return nil, err
	}
	r, err := g.Recipe()
	if err != nil {
		return nil, err
	}
	v := &effective.Env{}
	stages := map[string]string{} // stage name -> its state's digest
	if v.Base, v.Steps, err = recipeView(r, baseEnv, stages); err != nil {
		return nil, err
	}
	// The stages the copies read, and those their copies read.
	for done := map[string]bool{}; len(done) < len(stages); {
		for _, name := range sortedKeys(stages) {
			if done[name] {
				continue
			}
			done[name] = true
			sr, err := g.RecipeOf(stages[name])
			if err != nil {
				return nil, fmt.Errorf("stage %s: %w", name, err)
			}
			sv := effective.Env{Name: name}
			if sv.Base, sv.Steps, err = recipeView(sr, baseEnv, stages); err != nil {
				return nil, fmt.Errorf("stage %s: %w", name, err)
			}
			v.Stages = append(v.Stages, sv)
		}
	}
	effective.SortStages(v.Stages)
	var img ocispecs.Image
	if err := json.Unmarshal(imageJSON, &img); err != nil {
		return nil, fmt.Errorf("image.json: %w", err)
	}
	cfg := img.Config
	v.RunEnv = effective.LiteralEnv(cfg.Env, baseEnv)
	v.User = effective.RootUser(cfg.User)
	v.Workdir = effective.RootDir(cfg.WorkingDir)
	if cfg.Cmd != nil {
		v.Run = append([]string{}, cfg.Cmd...)
	}
	if cfg.Entrypoint != nil {
		v.Entrypoint = append([]string{}, cfg.Entrypoint...)
	}
	for key := range cfg.ExposedPorts {
		port, proto, _ := strings.Cut(key, "/")
		n, err := strconv.Atoi(port)
		if err != nil {
			return nil, effective.Errorf("port", "image.json exposes %q", key)
		}
		if proto == "" {
			proto = "tcp"
		}
		v.Ports = append(v.Ports, ir.Port{Guest: n, Protocol: proto})
	}
	v.Ports = effective.PortKeys(v.Ports)
	var mounts []ir.Mount
	for target := range cfg.Volumes {
		mounts = append(mounts, ir.Mount{Target: target})
	}
	v.Mounts = effective.MountTargets(mounts, true)
	var labels []effective.Label
	for k, val := range cfg.Labels {
		labels = append(labels, effective.Label{Key: k, Value: val})
	}
	v.Labels = effective.SortLabels(labels)
	var ext struct {
		Config struct {
			Healthcheck *dockerspec.HealthcheckConfig
		} `json:"config"`
	}
	if err := json.Unmarshal(imageJSON, &ext); err != nil {
		return nil, fmt.Errorf("image.json: %w", err)
	}
	if h := ext.Config.Healthcheck; h != nil {
		if len(h.Test) < 2 || h.Test[0] != "CMD" || h.StartInterval != 0 {
			return nil, effective.Errorf("healthcheck", "image.json's Healthcheck test %q is not in exec form", h.Test)
		}
		v.Healthcheck = &ir.Healthcheck{Test: h.Test[1:], Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	return v, nil
}

// EffectiveFiles is Effective for the files of the llb target, keyed by
// their path in the environment's folder: llb.pb and image.json, or, for
// an environment with platforms, one such pair per platform folder, which
// must all say the same but for the platform (the view's Platforms).
func EffectiveFiles(files map[string][]byte, baseEnv []string) (*effective.Env, error) {
	if pb, ok := files[buildkit.DefinitionFile]; ok {
		return Effective(pb, files[buildkit.ImageFile], baseEnv)
	}
	var dirs []string
	for name := range files {
		if dir, ok := strings.CutSuffix(name, "/"+buildkit.DefinitionFile); ok && !strings.Contains(dir, "/") {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no %s", buildkit.DefinitionFile)
	}
	var first *effective.Env
	var platforms []string
	var steps [][]effective.Step
	stageSteps := map[string][][]effective.Step{}
	for _, dir := range dirs {
		v, err := Effective(files[dir+"/"+buildkit.DefinitionFile], files[dir+"/"+buildkit.ImageFile], baseEnv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		g, err := ReadBack(files[dir+"/"+buildkit.DefinitionFile])
		if err != nil {
			return nil, err
		}
		r, err := g.Recipe()
		if err != nil {
			return nil, err
		}
		if buildkit.PlatformDir(r.Platform) != dir {
			return nil, fmt.Errorf("%s holds a definition for %s", dir, r.Platform)
		}
		var img ocispecs.Image
		if err := json.Unmarshal(files[dir+"/"+buildkit.ImageFile], &img); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", dir, buildkit.ImageFile, err)
		}
		if p := formatPlatform(img.Platform); p != r.Platform {
			return nil, fmt.Errorf("%s/%s is for %s, its definition for %s", dir, buildkit.ImageFile, p, r.Platform)
		}
		platforms = append(platforms, r.Platform)
		// The steps may differ by platform (a step for some platforms is
		// in their definitions alone); all else must be the same.
		steps = append(steps, v.Steps)
		v.Steps = nil
		for i := range v.Stages {
			stageSteps[v.Stages[i].Name] = append(stageSteps[v.Stages[i].Name], v.Stages[i].Steps)
			v.Stages[i].Steps = nil
		}
		if first == nil {
			first = v
		} else if !reflect.DeepEqual(first, v) {
			return nil, fmt.Errorf("the definitions of %s and %s build different environments", dirs[0], dir)
		}
	}
	first.Platforms = platforms
	var err error
	if first.Steps, err = mergePlatformSteps(steps, platforms); err != nil {
		return nil, err
	}
	for i := range first.Stages {
		if first.Stages[i].Steps, err = mergePlatformSteps(stageSteps[first.Stages[i].Name], platforms); err != nil {
			return nil, fmt.Errorf("stage %s: %w", first.Stages[i].Name, err)
		}
	}
	return first, nil
}

// mergePlatformSteps merges the steps of each platform's definition
// (lists, in the order of platforms) into one list: a step in every
// definition once, and a step in some of them alone at its place,
// limited to those platforms (effective.WithPlatforms). Each list is
// merged into the result so far along their longest common
// subsequence. Only a step that runs a command may be in some
// definitions alone: the definitions of other steps must agree.
func mergePlatformSteps(lists [][]effective.Step, platforms []string) ([]effective.Step, error) {
	type item struct {
		step effective.Step
		on   []string
	}
	var merged []item
	for k, l := range lists {
		n, m := len(merged), len(l)
		// lcs[i][j] is the length of the longest common subsequence of
		// merged[i:] and l[j:].
		lcs := make([][]int, n+1)
		for i := range lcs {
			lcs[i] = make([]int, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if reflect.DeepEqual(merged[i].step, l[j]) {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		var out []item
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && reflect.DeepEqual(merged[i].step, l[j]):
				merged[i].on = append(merged[i].on, platforms[k])
				out = append(out, merged[i])
				i, j = i+1, j+1
			case j == m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
				out = append(out, merged[i])
				i++
			default:
				out = append(out, item{step: l[j], on: []string{platforms[k]}})
				j++
			}
		}
		merged = out
	}
	var steps []effective.Step
	for _, it := range merged {
		if len(it.on) == len(platforms) {
			steps = append(steps, it.step)
			continue
		}
		switch it.step.(type) {
		case effective.InstallStep, effective.RunStep:
		default:
			return nil, fmt.Errorf("the definitions of %s build different environments: a %s step is in those of %s alone", strings.Join(platforms, ", "), it.step.Construct(), strings.Join(it.on, ", "))
		}
		steps = append(steps, effective.WithPlatforms(it.step, it.on))
	}
	return steps, nil
}

// recipeView reads a recipe's base and steps; the stages its copies read
// are added to stages (name -> state digest).
func recipeView(r *buildkit.Recipe, baseEnv []string, stages map[string]string) (string, []effective.Step, error) {
	base, err := effective.CanonicalImage(r.Image)
	if err != nil {
		return "", nil, err
	}
	var steps []effective.Step
	for i, rs := range r.Steps {
		s, err := recipeStep(rs, baseEnv)
		if err != nil {
			return "", nil, fmt.Errorf("llb.pb: step %d (%s): %w", i+1, rs.Name, err)
		}
		if c, ok := s.(effective.CopyStep); ok && c.Stage != "" {
			if prev, ok := stages[c.Stage]; ok && prev != rs.State {
				return "", nil, fmt.Errorf("llb.pb: step %d (%s): stage %s is two different states", i+1, rs.Name, c.Stage)
			}
			stages[c.Stage] = rs.State
		}
		steps = append(steps, s)
	}
	return base, effective.FoldCopyParents(steps), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// recipeStep reads one exec op or file action as a step.
func recipeStep(rs buildkit.RecipeStep, baseEnv []string) (effective.Step, error) {
	switch rs.Kind {
	case "exec":
		s, err := effective.ShArgs(rs.Args, rs.User, rs.Cwd)
		if err != nil {
			return s, effective.Errorf("setup", "%v", err)
		}
		if r, ok := s.(effective.RunStep); ok {
			r.Env = effective.LiteralEnv(rs.Env, baseEnv)
			s = r
		}
		return s, nil
	case "copy":
		if rs.State != "" {
			// A copy from a stage: its custom name names the stage.
			name, ok := strings.CutPrefix(rs.Name, buildkit.CopyFromPrefix)
			stage, _, _ := strings.Cut(name, " ")
			if !ok || stage == "" {
				return nil, effective.Errorf("stage", "a copy from another state whose name %q does not name a stage", rs.Name)
			}
			var mode effective.Mode
			if rs.Mode != "" {
				var err error
				if mode, err = effective.ParseMode(rs.Mode); err != nil {
					return nil, err
				}
			}
			return effective.CopyStep{Stage: stage, Source: rs.Src, Target: rs.Dest, Mode: mode, Owner: effective.RootOwner(rs.Owner)}, nil
		}
		if rs.Context != buildkit.ContextName {
			return nil, effective.Errorf("file", "copies from %q, not the local build context %q", rs.Context, buildkit.ContextName)
		}
		if rs.Mode == "" {
			// Modes kept: a folder of the build context.
			return effective.CopyStep{Source: strings.TrimPrefix(rs.Src, "/"), Target: rs.Dest, Owner: effective.RootOwner(rs.Owner), Folder: true}, nil
		}
		mode, err := effective.ParseMode(rs.Mode)
		return effective.CopyStep{Source: strings.TrimPrefix(rs.Src, "/"), Target: rs.Dest, Mode: mode, Owner: effective.RootOwner(rs.Owner)}, err
	case "mkdir":
		if !rs.Parents {
			return nil, effective.Errorf("workdir", "mkdir %s without its parents", rs.Path)
		}
		return effective.WorkdirStep{Path: rs.Path, Owner: effective.RootOwner(rs.Owner)}, nil
	}
	return nil, fmt.Errorf("a %s action, which envc does not write", rs.Kind)
}

// Read is EffectiveFiles (effective.ReadFunc); for a platform
// (effective.ReadOptions.Platform), EffectiveFor.
func Read(files effective.Files, opts effective.ReadOptions) (*effective.Env, error) {
	if opts.Platform != "" {
		return EffectiveFor(files, opts.BaseEnv, opts.Platform)
	}
	return EffectiveFiles(files, opts.BaseEnv)
}

// EffectiveFor is Effective for the definition and image config of
// platform alone, in its platform folder; Platforms are those of every
// platform folder.
func EffectiveFor(files map[string][]byte, baseEnv []string, platform string) (*effective.Env, error) {
	var platforms []string
	for name := range files {
		if dir, ok := strings.CutSuffix(name, "/"+buildkit.DefinitionFile); ok && !strings.Contains(dir, "/") {
			var img ocispecs.Image
			if err := json.Unmarshal(files[dir+"/"+buildkit.ImageFile], &img); err != nil {
				return nil, fmt.Errorf("%s/%s: %w", dir, buildkit.ImageFile, err)
			}
			platforms = append(platforms, formatPlatform(img.Platform))
		}
	}
	if !slices.Contains(platforms, platform) {
		return nil, fmt.Errorf("no definition for %s", platform)
	}
	dir := buildkit.PlatformDir(platform)
	v, err := Effective(files[dir+"/"+buildkit.DefinitionFile], files[dir+"/"+buildkit.ImageFile], baseEnv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	sort.Strings(platforms)
	v.Platforms = platforms
	return v, nil
}

// formatPlatform renders an image config's platform as os/arch[/variant].
func formatPlatform(p ocispecs.Platform) string {
	return buildkit.FormatPlatform(buildkit.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant})
}
