package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/internal/sifimage"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
)

// Client is a connection to one BuildKit daemon, or to Docker Engine's
// own builder.
type Client struct {
	c  *client.Client
	ep Endpoint
	// platforms are the workers' platforms (Platforms).
	platforms []ocispecs.Platform
	// environ is the process environment: a --load on a builder that is
	// not Docker Engine's finds the Engine by DOCKER_HOST.
	environ []string
}

// Connect reaches the builder at ep and checks that it answers. A unix://
// or tcp:// address, or Docker Engine, where nothing listens is an error
// about the address; a builder that is reached but does not answer is an
// error about the builder.
func Connect(ctx context.Context, ep Endpoint, tls TLS, environ []string) (*Client, error) {
	opts, err := tls.clientOpts()
	if err != nil {
		return nil, err
	}
	if err := ep.reachable(ctx); err != nil {
		return nil, err
	}
	addr := ep.Addr
	if d := ep.docker; d != nil {
		// buildx's "docker" driver: BuildKit's API and the session over
		// upgraded Engine API connections.
		addr = ""
		opts = append(opts,
			client.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
				return d.hijack(ctx, "/grpc", "h2c", nil)
			}),
			client.WithSessionDialer(func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
				return d.hijack(ctx, "/session", proto, meta)
			}))
	}
	c, err := client.New(ctx, addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to the builder at %s: %w", ep, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	workers, err := c.ListWorkers(pingCtx)
	if err != nil {
		c.Close()
		what := "the BuildKit daemon"
		if ep.docker != nil {
			what = "Docker Engine's builder"
		}
		return nil, fmt.Errorf("%s at %s does not answer: %w", what, ep, err)
	}
	cl := &Client{c: c, ep: ep, environ: environ}
	for _, w := range workers {
		for _, p := range w.Platforms {
			if !slices.ContainsFunc(cl.platforms, func(q ocispecs.Platform) bool { return same(p, q) }) {
				cl.platforms = append(cl.platforms, p)
			}
		}
	}
	return cl, nil
}

// Endpoint returns where the client builds.
func (c *Client) Endpoint() Endpoint { return c.ep }

// Close closes the connection.
func (c *Client) Close() error { return c.c.Close() }

// Options are the settings of one build.
type Options struct {
	Outputs   []Output
	CacheTo   []Cache
	CacheFrom []Cache
	// Progress is the progressui mode: auto, tty, plain, rawjson or quiet.
	Progress string
	// ProgressOut receives the progress display (standard error); Stdout
	// receives an output with dest=-.
	ProgressOut io.Writer
	Stdout      io.Writer
	// Display is a progress display shared with other builds (Progress
	// and ProgressOut are then its own); nil: the build has its own.
	Display *Display
	// Prefix is put before the build's step names on the display (the
	// environment's name when several are built at once).
	Prefix string
	// Names are the names the image gets (--tag): in Docker Engine's
	// image store with Load, in their registry with Push.
	Names []string
	// Load puts the image into Docker Engine's image store: through the
	// builder's own exporter when the builder is Docker Engine's, else as
	// a docker archive loaded through the Engine API (DOCKER_HOST, or its
	// local socket).
	Load bool
	// Push pushes the image to the registry of each name.
	Push bool
}

// Result is what a build produced.
type Result struct {
	// Diags are the llb target's warnings for the lowering that was built
	// (with the base image's real env).
	Diags hcl.Diagnostics
	// ExporterResponse is BuildKit's description of the outputs (e.g.
	// containerimage.digest).
	ExporterResponse map[string]string
	// BaseEnv is the base image's env as resolved by the daemon (LLB
	// builds only).
	BaseEnv []string
	// SIFs are the SIF files written (type=sif outputs).
	SIFs []string
}

// LLB describes an LLB build of one environment.
type LLB struct {
	Env *ir.Env
	// Platform is "os/arch[/variant]"; "" means emitters.DefaultPlatform.
	Platform string
	// ContextDir holds the build context: each CopyStep's Source under it.
	ContextDir string
	// SpecFile and Spec are the spec's file name (as in the env's ranges)
	// and its bytes, for the source map; Spec nil means no source map.
	SpecFile string
	Spec     []byte
	// Deffile is the singularity target's Singularity.def for the
	// environment, needed by type=sif outputs: its metadata is laid into
	// the SIF and the file is stored in it.
	Deffile []byte
}

// BuildLLB lowers req.Env against the base image's resolved config, solves
// it and exports it to opts.Outputs with the merged image config.
//
// A type=sif output is BuildKit's tar exporter streamed into mksquashfs
// through package sifimage, which lays Apptainer's metadata (from
// req.Deffile, the base image's config and the merged one) into the
// stream; the squashfs and the metadata are then written as a SIF. Its
// steps are shown on the progress display beside BuildKit's.
func (c *Client) BuildLLB(ctx context.Context, req LLB, opts Options) (*Result, error) {
	req.Env = req.Env.ForTarget(buildkit.New().Name()) // the steps for other targets left out
	ctxFS, err := fsutil.NewFS(req.ContextDir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	sifs, err := newSIFExports(opts.Outputs, req.Deffile)
	if err != nil {
		return nil, err
	}
	for _, x := range sifs {
		defer x.cleanup()
	}
	solveOpt, err := c.solveOpt(ctx, opts)
	if err != nil {
		return nil, err
	}
	solveOpt.LocalMounts = map[string]fsutil.FS{buildkit.ContextName: ctxFS}
	b := newLLBBuild(req, opts)

	solve := func(ch chan *client.SolveStatus, prog *progress) (*client.SolveResponse, error) {
		so := solveOpt
		so.Exports = slices.Clone(so.Exports)
		for _, x := range sifs {
			so.Exports = append(so.Exports, x.entry(ctx, &b.state, prog))
		}
		return c.c.Build(ctx, so, "envc", b.build, ch)
	}
	after := func(prog *progress) error {
		for _, x := range sifs {
			if err := x.finish(prog); err != nil {
				return err
			}
			b.res.SIFs = append(b.res.SIFs, x.dest)
		}
		return nil
	}
	resp, err := c.run(ctx, opts, solve, after)
	if err != nil {
		return b.res, err
	}
	b.res.ExporterResponse = resp.ExporterResponse
	return b.res, c.pushLoaded(ctx, opts)
}

// llbBuild is one BuildLLB's gateway build: what it reads, and what it
// leaves for the SIF exports (state) and the caller (res).
type llbBuild struct {
	req          LLB
	platform     string // req.Platform, else emitters.DefaultPlatform
	sourceMap    *buildkit.SourceMap
	cacheImports []gateway.CacheOptionsEntry
	res          *Result
	state        sifState
}

func newLLBBuild(req LLB, opts Options) *llbBuild {
	b := &llbBuild{req: req, platform: req.Platform, cacheImports: gatewayCache(opts.CacheFrom), res: &Result{}}
	if b.platform == "" {
		b.platform = emitters.DefaultPlatform
	}
	if req.Spec != nil {
		b.sourceMap = &buildkit.SourceMap{Filename: req.SpecFile, Language: "HCL", Data: req.Spec}
	}
	return b
}

// build is the gateway build function: it resolves the base image's
// config, lowers the environment against it, solves the graph and
// returns the result with the merged image config.
func (b *llbBuild) build(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
	// A first lowering gives the platform (and any error) before the
	// base is resolved.
	first, diags := buildkit.Build(b.req.Env, emitters.Options{Platform: b.platform})
	if diags.HasErrors() {
		return nil, diagError{diags}
	}
	platform := ociPlatform(first.Platform)
	base, err := resolveConfig(ctx, gc, b.req.Env.Base, platform)
	if err != nil {
		return nil, err
	}
	baseEnv := base.Config.Env
	if baseEnv == nil {
		baseEnv = []string{}
	}
	b.res.BaseEnv = baseEnv
	bo, err := b.buildOptions(ctx, gc, platform)
	if err != nil {
		return nil, err
	}
	lowered, diags := buildkit.BuildWith(b.req.Env, emitters.Options{Platform: b.platform, BaseEnv: baseEnv}, bo)
	b.res.Diags = diags
	if diags.HasErrors() {
		return nil, diagError{diags}
	}
	single, err := b.solve(ctx, gc, lowered)
	if err != nil {
		return nil, err
	}
	img := MergeConfig(base, lowered.Image)
	imgBytes, err := imageJSON(img, lowered.Healthcheck)
	if err != nil {
		return nil, err
	}
	b.state.set(sifimage.Config{Deffile: b.req.Deffile, Base: base.Config, Image: img.Config, Arch: first.Platform.Architecture})
	out := gateway.NewResult()
	out.SetRef(single)
	out.AddMeta(exptypes.ExporterImageConfigKey, imgBytes)
	return out, nil
}

// buildOptions resolves the env of each stage on another image than the
// environment's: each stage expands its values against that image's env,
// as the Dockerfile frontend does for every FROM.
func (b *llbBuild) buildOptions(ctx context.Context, gc gateway.Client, platform ocispecs.Platform) (buildkit.BuildOptions, error) {
	bo := buildkit.BuildOptions{SourceMap: b.sourceMap}
	for _, st := range b.req.Env.Stages {
		if st.Base.Ref == b.req.Env.Base.Ref || bo.StageBaseEnv[st.Base.Ref] != nil {
			continue
		}
		stBase, err := resolveConfig(ctx, gc, st.Base, platform)
		if err != nil {
			return bo, fmt.Errorf("stage %s: %w", st.Name, err)
		}
		if bo.StageBaseEnv == nil {
			bo.StageBaseEnv = map[string][]string{}
		}
		bo.StageBaseEnv[st.Base.Ref] = append([]string{}, stBase.Config.Env...)
	}
	return bo, nil
}

// solve solves the lowered graph. It evaluates: it builds now, also when
// nothing is exported (a build that only fills the cache).
func (b *llbBuild) solve(ctx context.Context, gc gateway.Client, lowered *buildkit.Result) (gateway.Reference, error) {
	var def pb.Definition
	if err := def.UnmarshalVT(lowered.Marshal().Bytes); err != nil {
		return nil, fmt.Errorf("reading the LLB graph: %w", err)
	}
	r, err := gc.Solve(ctx, gateway.SolveRequest{Definition: &def, CacheImports: b.cacheImports, Evaluate: true})
	if err != nil {
		return nil, err
	}
	return r.SingleRef()
}

// BuildDockerfile solves dir/Dockerfile with BuildKit's Dockerfile frontend,
// dir being the build context, and exports it to opts.Outputs.
func (c *Client) BuildDockerfile(ctx context.Context, dir, platform string, opts Options) (*Result, error) {
	ctxFS, err := fsutil.NewFS(dir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	if platform == "" {
		platform = emitters.DefaultPlatform
	}
	for _, o := range opts.Outputs {
		if o.Type == ExporterSIF {
			return nil, errors.New("a SIF is made from envc's own graph: build it with -t llb")
		}
	}
	solveOpt, err := c.solveOpt(ctx, opts)
	if err != nil {
		return nil, err
	}
	solveOpt.Frontend = "dockerfile.v0"
	solveOpt.FrontendAttrs = map[string]string{"filename": "Dockerfile", "platform": platform}
	solveOpt.LocalMounts = map[string]fsutil.FS{"context": ctxFS, "dockerfile": ctxFS}
	resp, err := c.run(ctx, opts, func(ch chan *client.SolveStatus, _ *progress) (*client.SolveResponse, error) {
		return c.c.Solve(ctx, nil, solveOpt, ch)
	}, nil)
	if err != nil {
		return nil, err
	}
	return &Result{ExporterResponse: resp.ExporterResponse}, c.pushLoaded(ctx, opts)
}

func (c *Client) solveOpt(ctx context.Context, opts Options) (client.SolveOpt, error) {
	var so client.SolveOpt
	stdout := opts.Stdout
	if stdout == nil {
		stdout = os.Stdout
	}
	for _, o := range opts.Outputs {
		if o.Type != ExporterSIF {
			so.Exports = append(so.Exports, o.entry(stdout))
		}
	}
	names := strings.Join(opts.Names, ",")
	switch {
	case (opts.Load || opts.Push) && c.ep.docker != nil:
		// Docker Engine's builder writes into the Engine's image store
		// (buildx's docker driver does the same); a push goes from there.
		so.Exports = append(so.Exports, client.ExportEntry{Type: exporterMoby, Attrs: map[string]string{"name": names}})
	case opts.Load:
		engine, err := localEngine(c.environ)
		if err != nil {
			return so, err
		}
		so.Exports = append(so.Exports, client.ExportEntry{
			Type:  client.ExporterDocker,
			Attrs: map[string]string{"name": names},
			Output: func(map[string]string) (io.WriteCloser, error) {
				return engine.loader(ctx), nil
			},
		})
	}
	if opts.Push && c.ep.docker == nil {
		so.Exports = append(so.Exports, client.ExportEntry{Type: client.ExporterImage, Attrs: map[string]string{"name": names, "push": "true"}})
	}
	for _, e := range opts.CacheTo {
		so.CacheExports = append(so.CacheExports, client.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
	for _, e := range opts.CacheFrom {
		so.CacheImports = append(so.CacheImports, client.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
	return so, nil
}

// exporterMoby is Docker Engine's exporter into its own image store.
const exporterMoby = "moby"

// pushLoaded pushes the image Docker Engine's builder put into the
// Engine's store, under each name, when opts asks for a push.
func (c *Client) pushLoaded(ctx context.Context, opts Options) error {
	if !opts.Push || c.ep.docker == nil {
		return nil
	}
	for _, name := range opts.Names {
		if err := c.ep.docker.pushImage(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func gatewayCache(cs []Cache) []gateway.CacheOptionsEntry {
	var out []gateway.CacheOptionsEntry
	for _, e := range cs {
		out = append(out, gateway.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
	return out
}

// run runs solve with the progress display attached (opts.Display, or
// one of its own), then after (if not nil) when solve succeeded. Both can
// show steps of their own through prog.
func (c *Client) run(ctx context.Context, opts Options, solve func(ch chan *client.SolveStatus, prog *progress) (*client.SolveResponse, error), after func(prog *progress) error) (*client.SolveResponse, error) {
	disp := opts.Display
	if disp == nil {
		var err error
		if disp, err = NewDisplay(opts.Progress, opts.ProgressOut); err != nil {
			return nil, err
		}
	}
	ch := make(chan *client.SolveStatus)
	prog := &progress{ch: make(chan *client.SolveStatus), salt: opts.Prefix}
	merged := disp.attach(opts.Prefix)
	var resp *client.SolveResponse
	var eg errgroup.Group
	eg.Go(func() error {
		defer close(prog.ch)
		var err error
		resp, err = solve(ch, prog)
		if err == nil && after != nil {
			err = after(prog)
		}
		return err
	})
	eg.Go(func() error {
		// BuildKit's statuses and envc's own, until both are done (solve
		// closes ch).
		defer close(merged)
		a, b := ch, prog.ch
		for a != nil || b != nil {
			select {
			case s, ok := <-a:
				if !ok {
					a = nil
					continue
				}
				merged <- s
			case s, ok := <-b:
				if !ok {
					b = nil
					continue
				}
				merged <- s
			}
		}
		return nil
	})
	err := eg.Wait()
	if opts.Display == nil {
		if derr := disp.Close(); err == nil {
			err = derr
		}
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// resolveConfig resolves the image config of base for platform through the
// gateway, by the canonical reference the graph's image source names.
func resolveConfig(ctx context.Context, gc gateway.Client, base ir.Image, platform ocispecs.Platform) (*ocispecs.Image, error) {
	_, _, cfgBytes, err := gc.ResolveImageConfig(ctx, base.Canonical, sourceresolver.Opt{
		LogName:  "resolve base image config for " + base.Ref,
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &platform},
	})
	if err != nil {
		return nil, fmt.Errorf("resolving the base image %s: %w", base.Ref, err)
	}
	return readConfig(base, cfgBytes)
}

// readConfig reads the image config of base.
func readConfig(base ir.Image, cfgBytes []byte) (*ocispecs.Image, error) {
	var img ocispecs.Image
	if err := json.Unmarshal(cfgBytes, &img); err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", base.Ref, err)
	}
	return &img, nil
}

// MergeConfig returns the config of an image built from base with the
// spec's config own on top, the way a Dockerfile build inherits from its
// FROM image: the env is own's (which already starts from the base's env),
// the run command replaces Cmd, an entrypoint replaces the base's (and
// drops its Cmd), the user and workdir replace the base's when set,
// labels, ports and volumes are added. The base's entrypoint when the spec
// has none, its stop signal and history are kept; the layers and the creation time are
// left to the exporter.
func MergeConfig(base *ocispecs.Image, own *buildkit.Image) *ocispecs.Image {
	out := &ocispecs.Image{
		Platform: ociPlatform(own.Platform),
		Config:   base.Config,
		RootFS:   ocispecs.RootFS{Type: "layers"},
		History:  slices.Clone(base.History),
	}
	cfg := &out.Config
	cfg.Env = slices.Clone(own.Config.Env)
	if own.Config.Entrypoint != nil {
		// As a Dockerfile's ENTRYPOINT, it drops the base's Cmd.
		cfg.Entrypoint = slices.Clone(own.Config.Entrypoint)
		cfg.Cmd = nil
	}
	if own.Config.Cmd != nil {
		cfg.Cmd = slices.Clone(own.Config.Cmd)
	}
	if own.Config.User != "" {
		cfg.User = own.Config.User
	}
	if own.Config.WorkingDir != "" {
		cfg.WorkingDir = own.Config.WorkingDir
	}
	cfg.Labels = mergeMap(base.Config.Labels, own.Config.Labels)
	cfg.ExposedPorts = mergeMap(base.Config.ExposedPorts, own.Config.ExposedPorts)
	cfg.Volumes = mergeMap(base.Config.Volumes, own.Config.Volumes)
	return out
}

// imageJSON is buildkit.ImageJSON for a merged config: the OCI config, with
// Docker's Healthcheck when there is one (the docker image spec's
// extension, which Docker and Podman read), indented as image.json is.
func imageJSON(img *ocispecs.Image, h *buildkit.Healthcheck) ([]byte, error) {
	var v any = img
	if h != nil {
		v = dockerspec.DockerOCIImage{Image: *img, Config: dockerspec.DockerOCIImageConfig{
			ImageConfig: img.Config,
			DockerOCIImageConfigExt: dockerspec.DockerOCIImageConfigExt{Healthcheck: &dockerspec.HealthcheckConfig{
				Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries,
			}},
		}}
	}
	return buildkit.MarshalJSON(v)
}

func mergeMap[V any](base, own map[string]V) map[string]V {
	if base == nil && own == nil {
		return nil
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]V{}
	}
	maps.Copy(out, own)
	return out
}

// diagError carries lowering errors out of the build function.
type diagError struct{ diags hcl.Diagnostics }

func (e diagError) Error() string { return strings.TrimSpace(e.diags.Error()) }
