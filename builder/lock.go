package builder

import (
	"context"
	"fmt"
	"slices"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
)

// Probe is one build whose result envc reads instead of exporting it:
// Env is built (for the llb target), then Steps run on top of it as
// root, then Files are read from the result's file system.
type Probe struct {
	Env   *ir.Env
	Steps []ir.Step
	Files []string
}

// ProbeResult is what a Probe read: the base image's digest (as the
// registry resolved Env.Base) and each of Files (absent when missing).
type ProbeResult struct {
	Digest string
	Files  map[string][]byte
}

// Probe builds each probe on platform ("" for emitters.DefaultPlatform)
// with contextDir as the build context, and reads the files each asks
// for from its result: nothing is exported, the build cache keeps the
// layers. `envc lock` reads the packages a build installed this way.
func (c *Client) Probe(ctx context.Context, probes []Probe, platform, contextDir string, opts Options) ([]ProbeResult, error) {
	ctxFS, err := fsutil.NewFS(contextDir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	if platform == "" {
		platform = emitters.DefaultPlatform
	}
	solveOpt, err := c.solveOpt(ctx, Options{})
	if err != nil {
		return nil, err
	}
	solveOpt.LocalMounts = map[string]fsutil.FS{buildkit.ContextName: ctxFS}
	results := make([]ProbeResult, len(probes))
	buildFunc := func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
		out := gateway.NewResult()
		for i, p := range probes {
			env := *p.Env.ForTarget(buildkit.New().Name())
			env.Steps = append(slices.Clone(env.Steps), p.Steps...)
			first, diags := buildkit.Build(&env, emitters.Options{Platform: platform})
			if diags.HasErrors() {
				return nil, diagError{diags}
			}
			dgst, base, err := resolveDigest(ctx, gc, env.Base, ociPlatform(first.Platform))
			if err != nil {
				return nil, err
			}
			results[i].Digest = dgst
			bo := buildkit.BuildOptions{}
			for _, st := range env.Stages {
				if st.Base.Ref == env.Base.Ref || bo.StageBaseEnv[st.Base.Ref] != nil {
					continue
				}
				_, stBase, err := resolveDigest(ctx, gc, st.Base, ociPlatform(first.Platform))
				if err != nil {
					return nil, fmt.Errorf("stage %s: %w", st.Name, err)
				}
				if bo.StageBaseEnv == nil {
					bo.StageBaseEnv = map[string][]string{}
				}
				bo.StageBaseEnv[st.Base.Ref] = append([]string{}, stBase.Config.Env...)
			}
			baseEnv := base.Config.Env
			if baseEnv == nil {
				baseEnv = []string{}
			}
			lowered, diags := buildkit.BuildWith(&env, emitters.Options{Platform: platform, BaseEnv: baseEnv}, bo)
			if diags.HasErrors() {
				return nil, diagError{diags}
			}
			var def pb.Definition
			if err := def.UnmarshalVT(lowered.Marshal().Bytes); err != nil {
				return nil, fmt.Errorf("reading the LLB graph: %w", err)
			}
			r, err := gc.Solve(ctx, gateway.SolveRequest{Definition: &def, Evaluate: true})
			if err != nil {
				return nil, err
			}
			ref, err := r.SingleRef()
			if err != nil {
				return nil, err
			}
			results[i].Files = map[string][]byte{}
			for _, f := range p.Files {
				data, err := ref.ReadFile(ctx, gateway.ReadRequest{Filename: f})
				if err != nil {
					continue // not written: nothing to read
				}
				results[i].Files[f] = data
			}
			out.SetRef(ref)
		}
		return out, nil
	}
	_, err = c.run(ctx, opts, func(ch chan *client.SolveStatus, _ *progress) (*client.SolveResponse, error) {
		return c.c.Build(ctx, solveOpt, "envc", buildFunc, ch)
	}, nil)
	if err != nil {
		return nil, err
	}
	return results, nil
}

// resolveDigest resolves base through the gateway: the digest the
// registry gives for its reference, and its config for platform.
func resolveDigest(ctx context.Context, gc gateway.Client, base ir.Image, platform ocispecs.Platform) (string, *ocispecs.Image, error) {
	_, dgst, cfgBytes, err := gc.ResolveImageConfig(ctx, base.Canonical, sourceresolver.Opt{
		LogName:  "resolve base image " + base.Ref,
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &platform},
	})
	if err != nil {
		return "", nil, fmt.Errorf("resolving the base image %s: %w", base.Ref, err)
	}
	img, err := readConfig(base, cfgBytes)
	if err != nil {
		return "", nil, err
	}
	return dgst.String(), img, nil
}
