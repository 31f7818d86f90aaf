package buildkit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/emitters/effective"
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
	if v.Base, err = effective.CanonicalImage(r.Image); err != nil {
		return nil, err
	}
	for i, rs := range r.Steps {
		s, err := recipeStep(rs, baseEnv)
		if err != nil {
			return nil, fmt.Errorf("llb.pb: step %d (%s): %w", i+1, rs.Name, err)
		}
		v.Steps = append(v.Steps, s)
	}
	v.Steps = effective.FoldCopyParents(v.Steps)
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
		v.Ports = append(v.Ports, effective.Port{Guest: n, Protocol: proto})
	}
	v.Ports = effective.PortKeys(v.Ports)
	var mounts []effective.Mount
	for target := range cfg.Volumes {
		mounts = append(mounts, effective.Mount{Target: target})
	}
	v.Mounts = effective.MountTargets(mounts, true)
	var labels []effective.Label
	for k, val := range cfg.Labels {
		labels = append(labels, effective.Label{Key: k, Value: val})
	}
	v.Labels = effective.SortLabels(labels)
	return v, nil
}

// recipeStep reads one exec op or file action as a step.
func recipeStep(rs RecipeStep, baseEnv []string) (effective.Step, error) {
	switch rs.Kind {
	case "exec":
		s, err := effective.ShArgs(rs.Args, rs.User, rs.Cwd)
		if err != nil {
			return s, effective.Errorf("setup", "%v", err)
		}
		if s.Kind == effective.KindRun {
			s.Env = effective.LiteralEnv(rs.Env, baseEnv)
		}
		return s, nil
	case "copy":
		if rs.Context != ContextName {
			return effective.Step{}, effective.Errorf("file", "copies from %q, not the local build context %q", rs.Context, ContextName)
		}
		mode, err := effective.ParseMode(rs.Mode)
		return effective.Step{Kind: effective.KindCopy, Source: strings.TrimPrefix(rs.Src, "/"), Target: rs.Dest,
			Mode: mode, Owner: effective.RootUser(rs.Owner)}, err
	case "mkdir":
		if !rs.Parents {
			return effective.Step{}, effective.Errorf("workdir", "mkdir %s without its parents", rs.Path)
		}
		return effective.Step{Kind: effective.KindWorkdir, Path: rs.Path, Owner: effective.RootUser(rs.Owner)}, nil
	}
	return effective.Step{}, fmt.Errorf("a %s action, which envc does not write", rs.Kind)
}
