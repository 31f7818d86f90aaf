package dockerread

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// Effective reads a Dockerfile and compose.yaml written by package docker
// (with ReadDockerfile and ReadCompose, so BuildKit's parser and
// compose-go's loader) into the effective view. The base image's
// variables stay references: the Dockerfile is read against
// effective.MarkedEnv, and BuildKit's own lexer does every expansion.
// EXPOSE and VOLUME must declare what compose.yaml publishes and binds.
func Effective(dockerfile, compose []byte) (*effective.Env, error) {
	return EffectiveFor(dockerfile, compose, "")
}

// EffectiveFor is Effective for the build of platform
// (effective.ReadOptions.Platform; "" for every platform), read with
// ReadDockerfileFor: the stages of values per platform followed
// as BuildKit follows them for it.
func EffectiveFor(dockerfile, compose []byte, platform string) (*effective.Env, error) {
	df, err := ReadDockerfileFor(dockerfile, effective.MarkedEnv(string(dockerfile)), platform)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", docker.DockerfileName, err)
	}
	svc, err := ReadCompose(compose)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", docker.ComposeName, err)
	}
	v := &effective.Env{Name: svc.Name}
	if v.Base, err = effective.CanonicalImage(df.Base); err != nil {
		return nil, err
	}
	for _, st := range df.Stages {
		sv := effective.Env{Name: st.Name}
		if sv.Base, err = effective.CanonicalImage(st.Base); err != nil {
			return nil, err
		}
		if sv.Steps, err = effectiveOps(st.Ops); err != nil {
			return nil, fmt.Errorf("build stage %s: %w", st.Name, err)
		}
		v.Stages = append(v.Stages, sv)
	}
	effective.SortStages(v.Stages)
	v.Platforms = append([]string(nil), svc.Platforms...)
	sort.Strings(v.Platforms)
	if v.Steps, err = effectiveOps(df.Ops); err != nil {
		return nil, err
	}
	v.RunEnv = vars(df.Env)
	v.User = effective.RootUser(df.User)
	v.Workdir = effective.RootDir(df.Workdir)
	if svc.WorkingDir != "" && effective.RootDir(svc.WorkingDir) != v.Workdir {
		return nil, effective.Errorf("workdir", "compose.yaml's working_dir %q is not the Dockerfile's WORKDIR %q", svc.WorkingDir, df.Workdir)
	}
	if df.Cmd != nil {
		v.Run = append([]string{}, df.Cmd...)
	}
	v.Init = svc.Init
	if df.Entrypoint != nil {
		v.Entrypoint = append([]string{}, df.Entrypoint...)
	}
	var exposed []string
	for _, p := range svc.Ports {
		host := 0
		if p.Published != "" {
			if host, err = strconv.Atoi(p.Published); err != nil {
				return nil, effective.Errorf("port", "published port %q: %v", p.Published, err)
			}
		}
		v.Ports = append(v.Ports, ir.Port{Guest: int(p.Target), Host: host, HostIP: p.HostIP, Protocol: p.Protocol})
		exposed = append(exposed, fmt.Sprintf("%d/%s", p.Target, p.Protocol))
	}
	if strings.Join(exposed, " ") != strings.Join(df.Expose, " ") {
		return nil, effective.Errorf("port", "EXPOSE %q does not declare compose.yaml's ports %q", df.Expose, exposed)
	}
	var targets []string
	for _, m := range svc.Mounts {
		if m.Type != "bind" {
			return nil, effective.Errorf("mount", "a %s volume, not a bind", m.Type)
		}
		src := m.Source
		if rest, ok := strings.CutPrefix(src, "./"); ok && strings.HasPrefix(rest, "~") {
			src = rest // bindSource's guard against compose's home expansion
		}
		v.Mounts = append(v.Mounts, ir.Mount{Source: src, Target: m.Target, ReadOnly: m.ReadOnly})
		targets = append(targets, m.Target)
	}
	if strings.Join(targets, "\x00") != strings.Join(df.Volumes, "\x00") {
		return nil, effective.Errorf("mount", "VOLUME %q does not declare compose.yaml's bind targets %q", df.Volumes, targets)
	}
	var labels []effective.Label
	for _, l := range df.Labels {
		labels = append(labels, effective.Label{Key: l.Key, Value: l.Value})
	}
	v.Labels = effective.SortLabels(labels)
	if (df.Healthcheck == nil) != (svc.Healthcheck == nil) || df.Healthcheck != nil && !reflect.DeepEqual(*df.Healthcheck, *svc.Healthcheck) {
		return nil, effective.Errorf("healthcheck", "the Dockerfile's HEALTHCHECK %v is not compose.yaml's healthcheck %v", df.Healthcheck, svc.Healthcheck)
	}
	if h := df.Healthcheck; h != nil {
		v.Healthcheck = &ir.Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	if g := svc.GPU; g != nil {
		v.GPU = &ir.GPU{Count: g.Count, Vendor: g.Driver, Capabilities: g.Capabilities}
	}
	return v, nil
}

// effectiveOps reads a stage's build operations as steps.
func effectiveOps(ops []docker.Op) ([]effective.Step, error) {
	var steps []effective.Step
	for i, op := range ops {
		if op.Kind == docker.OpArg && len(op.Env) == 1 && op.Env[0].Key == docker.EqualsArg {
			continue // the ARG that spells "=" in label keys
		}
		s, err := effectiveOp(op)
		if err != nil {
			return nil, fmt.Errorf("%s: operation %d: %w", docker.DockerfileName, i+1, err)
		}
		steps = append(steps, s)
	}
	return effective.FoldCopyParents(steps), nil
}

// effectiveOp reads one build operation as a step.
func effectiveOp(op docker.Op) (effective.Step, error) {
	switch op.Kind {
	case docker.OpRun:
		// A step for some platforms starts with the guard that tests
		// TARGETPLATFORM (shell.PlatformGuard).
		args := slices.Clone(op.Args)
		var platforms []string
		if n := len(args); n > 0 {
			if ps, rest, ok := shell.ReadPlatformGuard(args[n-1]); ok {
				platforms, args[n-1] = ps, rest
			}
		}
		s, err := effective.ShArgs(args, op.User, op.Dir)
		if err != nil {
			return s, effective.Errorf("setup", "%v", err)
		}
		if r, ok := s.(effective.RunStep); ok {
			r.Env = vars(op.Env)
			s = r
		}
		return effective.WithPlatforms(s, platforms), nil
	case docker.OpCopy:
		var mode effective.Mode
		var err error
		if op.Chmod != "" {
			mode, err = effective.ParseMode(op.Chmod)
		}
		// A copy from the build context without --chmod is a folder's.
		folder := op.From == "" && op.Chmod == ""
		return effective.CopyStep{Stage: op.From, Source: op.Source, Target: op.Dest, Mode: mode, Owner: effective.RootUser(op.Chown), Folder: folder}, err
	case docker.OpEnv, docker.OpArg:
		var s effective.EnvStep
		for _, kv := range op.Env {
			s.Vars = append(s.Vars, effective.Var{Name: kv.Key, Value: effective.Unmark(kv.Value)})
		}
		return s, nil
	case docker.OpMkdir:
		return effective.WorkdirStep{Path: op.Path, Owner: effective.RootOwner(op.User)}, nil
	}
	return nil, fmt.Errorf("unknown operation %q", op.Kind)
}

// vars turns variables the builder expanded against effective.MarkedEnv
// into sorted effective vars.
func vars(kvs []docker.KeyValue) []effective.Var {
	var out []effective.Var
	for _, kv := range kvs {
		if kv.Key == shell.PlatformArg && kv.Value == "" {
			continue // the ARG a guarded RUN declares, which BuildKit sets
		}
		out = append(out, effective.Var{Name: kv.Key, Value: effective.Unmark(kv.Value)})
	}
	return effective.SortVars(out)
}

// Read is Effective for the docker target's files (effective.ReadFunc).
func Read(files effective.Files, opts effective.ReadOptions) (*effective.Env, error) {
	return EffectiveFor(files[docker.DockerfileName], files[docker.ComposeName], opts.Platform)
}
