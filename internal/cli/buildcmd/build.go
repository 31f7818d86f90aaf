package buildcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/envc-dev/envc/builder"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/sifimage"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// Command returns `envc build`, for the envc-build program
// (cli.WithBuild).
func Command(h cli.Host) *cobra.Command {
	var b buildFlags
	cmd := &cobra.Command{
		Use:               "build SPEC",
		Short:             "Build environments into images on BuildKit or Docker Engine's builder",
		Long:              buildLong,
		Example:           buildExample,
		Args:              cli.ExactArgs(1),
		ValidArgsFunction: cli.CompleteSpec,
		RunE: func(cmd *cobra.Command, args []string) error {
			return b.run(h, cmd, args[0])
		},
	}
	b.register(cmd)
	return cmd
}

const buildLong = `Build the environments of SPEC (all of them, or those -e names) on BuildKit
and export the results. Several environments build at once on the one
builder (--jobs at a time), sharing its cache, on one progress display.

With -t llb (the default) envc solves its own LLB graph: it resolves the
base image's config on the builder, lowers the spec against the base's
real environment, and attaches the image config (the spec's, on top of the
base's) to the result. A step that fails is reported at its line in the
spec. With -t docker the emitted Dockerfile is built by BuildKit's
Dockerfile frontend on the same builder.

With --format sif the result is a SIF for Apptainer and SingularityCE
instead of an image: BuildKit exports the root file system, envc lays into
it what apptainer build lays from the same Singularity.def (the runscript,
%environment, labels, the definition file, Apptainer's env and action
scripts, the base image's environment), makes a squashfs with mksquashfs
(package squashfs-tools) and writes the SIF: ENV.sif in the current folder,
or --output type=sif,dest=FILE. CI makes the SIF, the cluster only runs it.

The builder, as buildx finds one: --addr, else $BUILDKIT_HOST, else Docker
Engine's own builder at $DOCKER_HOST, else a buildkitd at its standard
socket (unix:///run/buildkit/buildkitd.sock), else Docker Engine's own
builder at its local socket (/var/run/docker.sock). --addr takes
unix:///PATH and tcp://HOST:PORT (with the TLS flags), docker-container://NAME,
podman-container://NAME, nerdctl-container://NAME, kube-pod://NAME and
ssh://USER@HOST (each runs buildctl dial-stdio beside the daemon, as
buildctl and buildx do), and docker for Docker Engine's own builder
(docker+unix:///PATH or docker+tcp://HOST:PORT for another Engine).

--load puts the image into Docker Engine's image store, named by --tag (else
ENV:latest): Docker Engine's builder writes it there itself (and does so
without --load when no --output is given, as docker build does); another
builder's result is loaded through the Engine API. --push pushes it to the
registry of --tag. --output uses buildctl's syntax: type=oci,dest=FILE;
type=docker,dest=FILE (docker load reads it); type=local,dest=DIR;
type=image,name=REF,push=true; type=sif,dest=FILE. Without an output the
result is only built (and cached). --cache-to and --cache-from are passed
to BuildKit as given.

The platform is --platform, else the builder's own; an environment with
platforms is built for one of them (--platform, else the builder's own if
listed, else the first the builder runs through emulation). A platform the
builder cannot run is refused before the build, with what it runs.`

const buildExample = `  envc build spec.hcl                               # every environment, on Docker Engine's builder or buildkitd
  envc build spec.hcl -e web --load --tag web:dev
  envc build spec.hcl --addr docker-container://buildkitd --load
  envc build spec.hcl --format sif && apptainer run myenv.sif
  envc build spec.hcl -t docker --addr tcp://builder:1234 --tlscacert ca.pem \
      --tag registry.example/group/env:1 --push \
      --cache-to type=registry,ref=registry.example/group/env:cache --cache-from registry.example/group/env:cache`

// buildFlags are envc build's flags, as given (but for --progress, which
// -q turns to quiet when it is not given).
type buildFlags struct {
	spec                                     cli.SpecFlags
	target, format, addr, progress, platform string
	tls                                      builder.TLS
	outputs, cacheTo, cacheFrom, tags        []string
	load, push                               bool
	jobs                                     int
}

// register adds the flags to cmd.
func (b *buildFlags) register(cmd *cobra.Command) {
	b.spec.Register(cmd, "diagnostics-format")
	b.spec.RegisterLocked(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&b.target, "target", "t", "llb", "what to build: llb (envc's own graph) or docker (the Dockerfile, through BuildKit's Dockerfile frontend)")
	fl.StringVar(&b.format, "format", "image", "what to make: image (an OCI image, to the outputs given) or sif (a SIF for Apptainer, ENV.sif unless --output type=sif,dest=FILE)")
	fl.StringVar(&b.addr, "addr", "", "builder `address`: unix://, tcp://, docker-container://, kube-pod://, ssh://, docker (default $BUILDKIT_HOST, else Docker Engine's builder at $DOCKER_HOST, else "+builder.DefaultAddr+" or Docker's local socket)")
	fl.StringVar(&b.tls.CACert, "tlscacert", "", "CA certificate `file` to verify a tcp:// daemon")
	fl.StringVar(&b.tls.Cert, "tlscert", "", "client certificate `file`")
	fl.StringVar(&b.tls.Key, "tlskey", "", "client key `file`")
	fl.StringVar(&b.tls.ServerName, "tlsservername", "", "server `name` the daemon's certificate must carry")
	fl.StringArrayVar(&b.outputs, "output", nil, "export the result: type=oci|docker|tar,dest=FILE, type=local,dest=DIR, type=image,name=REF[,push=true], type=sif,dest=FILE (repeatable)")
	fl.BoolVar(&b.load, "load", false, "put the image into Docker Engine's image store (named by --tag, else ENV:latest)")
	fl.BoolVar(&b.push, "push", false, "push the image to the registry of --tag")
	fl.StringArrayVar(&b.tags, "tag", nil, "name of the image, for --load and --push (`name`:tag; repeatable; one environment)")
	fl.IntVar(&b.jobs, "jobs", 4, "how many environments build at once")
	fl.StringArrayVar(&b.cacheTo, "cache-to", nil, "export the build cache, e.g. type=local,dest=DIR or type=registry,ref=REF (repeatable)")
	fl.StringArrayVar(&b.cacheFrom, "cache-from", nil, "import a build cache, e.g. type=local,src=DIR or type=registry,ref=REF (repeatable)")
	fl.StringVar(&b.progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	fl.StringVar(&b.platform, "platform", "", "platform to build for, os/arch[/variant] (default: the builder's own, or for an environment with platforms the one of them the builder runs)")
	_ = cmd.RegisterFlagCompletionFunc("target", cobra.FixedCompletions([]string{"llb\tenvc's own LLB graph", "docker\tthe Dockerfile, through BuildKit's Dockerfile frontend"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"image", "sif"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("progress", cobra.FixedCompletions([]string{"auto", "tty", "plain", "rawjson", "quiet"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("addr", cobra.FixedCompletions([]string{"docker", "unix://", "tcp://", "docker-container://", "kube-pod://", "ssh://"}, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
}

// sif reports whether the flags make a SIF rather than an image.
func (b *buildFlags) sif() bool { return b.format == "sif" }

// validate checks the flags against each other, before anything is read.
func (b *buildFlags) validate() error {
	if b.target != "llb" && b.target != "buildkit" && b.target != "docker" {
		return cli.Usagef("envc build -t takes llb or docker, not %q", b.target)
	}
	switch b.format {
	case "image", "oci", "sif":
	default:
		return cli.Usagef("--format takes image or sif, not %q", b.format)
	}
	if b.sif() && b.target == "docker" {
		return cli.Usagef("--format sif builds envc's own graph (-t llb), not the Dockerfile")
	}
	if b.sif() && (b.load || b.push) {
		return cli.Usagef("--format sif makes a file: --load and --push are for images")
	}
	switch b.progress {
	case "auto", "tty", "plain", "rawjson", "quiet":
	default:
		return cli.Usagef("--progress takes auto, tty, plain, rawjson or quiet, not %q", b.progress)
	}
	if b.jobs < 1 {
		return cli.Usagef("--jobs takes a number of builds at once, 1 or more")
	}
	if b.push && len(b.tags) == 0 {
		return cli.Usagef("--push needs --tag REGISTRY/NAME:TAG: the name says where to push")
	}
	return nil
}

// options parses the outputs and caches into the options every
// environment's build shares, and reports whether an output writes to
// standard output.
func (b *buildFlags) options(h cli.Host) (opts builder.Options, stdoutBusy bool, err error) {
	for _, s := range b.outputs {
		o, err := builder.ParseOutput(s)
		if err != nil {
			return opts, false, cli.UsageError(err)
		}
		if b.sif() && o.Type != builder.ExporterSIF {
			return opts, false, cli.Usagef("--format sif writes a SIF: --output takes type=sif,dest=FILE, not %q", s)
		}
		if o.Type == builder.ExporterSIF && b.target == "docker" {
			return opts, false, cli.Usagef("a SIF is built from envc's own graph (-t llb), not the Dockerfile")
		}
		stdoutBusy = stdoutBusy || o.Dest == "-"
		opts.Outputs = append(opts.Outputs, o)
	}
	if opts.CacheTo, err = parseCaches(b.cacheTo); err != nil {
		return opts, false, err
	}
	if opts.CacheFrom, err = parseCaches(b.cacheFrom); err != nil {
		return opts, false, err
	}
	opts.Progress = b.progress
	opts.ProgressOut = h.Stderr()
	opts.Stdout = h.Stdout()
	opts.Load, opts.Push = b.load, b.push
	return opts, stdoutBusy, nil
}

// parseCaches parses --cache-to or --cache-from values.
func parseCaches(values []string) ([]builder.Cache, error) {
	var caches []builder.Cache
	for _, s := range values {
		c, err := builder.ParseCache(s)
		if err != nil {
			return nil, cli.UsageError(err)
		}
		caches = append(caches, c)
	}
	return caches, nil
}

// checkEnvs refuses an output or a tag for more than one environment:
// each names one result.
func (b *buildFlags) checkEnvs(l *cli.Loaded, opts builder.Options) error {
	if len(l.Envs) <= 1 {
		return nil
	}
	var names []string
	for _, e := range l.Envs {
		names = append(names, e.Name)
	}
	if len(opts.Outputs) > 0 {
		return cli.Usagef("the spec has %d environments (%s) and --output takes one; choose one with -e", len(l.Envs), strings.Join(names, ", "))
	}
	if len(b.tags) > 0 {
		return cli.Usagef("--tag names one image, and the spec has %d environments (%s); choose one with -e (without --tag each is named ENV:latest)", len(l.Envs), strings.Join(names, ", "))
	}
	return nil
}

// run builds the environments of the spec at path.
func (b *buildFlags) run(h cli.Host, cmd *cobra.Command, path string) error {
	if err := b.validate(); err != nil {
		return err
	}
	if b.spec.Quiet() && !cmd.Flags().Changed("progress") {
		b.progress = "quiet" // errors only
	}
	opts, stdoutBusy, err := b.options(h)
	if err != nil {
		return err
	}

	l, err := h.Load(path, &b.spec)
	if err != nil {
		return err
	}
	if l.Diags.HasErrors() {
		return h.Report(l, l.Diags, stdoutBusy)
	}
	if err := b.checkEnvs(l, opts); err != nil {
		return err
	}
	ep, err := builder.ResolveEndpoint(b.addr, h.Environ())
	if err != nil {
		if b.addr != "" {
			return cli.UsageError(err)
		}
		return err
	}
	// Docker Engine's builder puts the image in the Engine's
	// store, as docker build does, unless it goes elsewhere.
	if ep.Docker() && len(opts.Outputs) == 0 && !b.sif() {
		opts.Load = true
	}
	// A SIF needs mksquashfs: say so before building.
	if b.sif() || hasSIF(opts.Outputs) {
		if _, err := sifimage.LookMksquashfs(); err != nil {
			return err
		}
	}

	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := builder.Connect(ctx, ep, b.tls, h.Environ())
	if err != nil {
		return err
	}
	defer c.Close()
	results, err := b.buildAll(ctx, c, l, opts)
	if err != nil {
		return err
	}
	return report(h, l, results, stdoutBusy)
}

// hasSIF reports whether one of outputs is a SIF.
func hasSIF(outputs []builder.Output) bool {
	return slices.ContainsFunc(outputs, func(o builder.Output) bool { return o.Type == builder.ExporterSIF })
}

// buildAll builds every environment, --jobs at a time, on one progress
// display.
func (b *buildFlags) buildAll(ctx context.Context, c *builder.Client, l *cli.Loaded, opts builder.Options) ([]built, error) {
	disp, err := builder.NewDisplay(b.progress, opts.ProgressOut)
	if err != nil {
		return nil, err
	}
	results := make([]built, len(l.Envs))
	sem := make(chan struct{}, b.jobs)
	var wg sync.WaitGroup
	for i, env := range l.Envs {
		opts := b.envOptions(opts, env, len(l.Envs))
		opts.Display = disp
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = buildEnv(ctx, c, env, l.SpecFile, l.Spec, b.target, b.platform, opts)
		})
	}
	wg.Wait()
	if err := disp.Close(); err != nil {
		return nil, err
	}
	return results, nil
}

// envOptions returns the shared options for env, one of n environments:
// its progress prefix, its image names and its default SIF.
func (b *buildFlags) envOptions(opts builder.Options, env *ir.Env, n int) builder.Options {
	if n > 1 {
		opts.Prefix = env.Name
	}
	if opts.Load || opts.Push {
		opts.Names = b.tags
		if len(b.tags) == 0 {
			opts.Names = []string{env.Name + ":latest"}
		}
	}
	if b.sif() && len(opts.Outputs) == 0 {
		opts.Outputs = []builder.Output{{Type: builder.ExporterSIF, Dest: env.Name + ".sif"}}
	}
	return opts
}

// report reports the builds' diagnostics and, when none fails, what each
// made.
func report(h cli.Host, l *cli.Loaded, results []built, stdoutBusy bool) error {
	diags := l.Diags
	for _, r := range results {
		diags = append(diags, r.diags...)
	}
	fails := h.Fails(l, diags)
	if err := h.Report(l, diags, stdoutBusy); err != nil {
		return err
	}
	if fails {
		return nil
	}
	for _, r := range results {
		for _, n := range r.notes {
			h.Note(l, "%s", n)
		}
	}
	return nil
}

// built is what one environment's build gave: its diagnostics and the
// lines to print once the progress display is done.
type built struct {
	diags hcl.Diagnostics
	notes []string
}

// buildEnv builds one environment and returns its diagnostics (the llb
// target's warnings, and an error for a failed build) and what it made.
func buildEnv(ctx context.Context, c *builder.Client, env *ir.Env, path string, spec []byte, target, requested string, opts builder.Options) built {
	diags, res := buildOne(ctx, c, env, path, spec, target, requested, opts)
	b := built{diags: diags}
	if diags.HasErrors() || res == nil {
		return b
	}
	if dgst := res.ExporterResponse["containerimage.digest"]; dgst != "" {
		b.notes = append(b.notes, fmt.Sprintf("built environment %q: %s", env.Name, dgst))
	}
	for _, f := range res.SIFs {
		b.notes = append(b.notes, fmt.Sprintf("built environment %q: %s", env.Name, f))
	}
	switch {
	case opts.Push:
		b.notes = append(b.notes, fmt.Sprintf("pushed environment %q as %s", env.Name, strings.Join(opts.Names, ", ")))
	case opts.Load:
		b.notes = append(b.notes, fmt.Sprintf("loaded environment %q into Docker Engine as %s", env.Name, strings.Join(opts.Names, ", ")))
	}
	return b
}

func buildOne(ctx context.Context, c *builder.Client, env *ir.Env, path string, spec []byte, target, requested string, opts builder.Options) (hcl.Diagnostics, *builder.Result) {
	// The builder's own platform, or one of the environment's platforms
	// it runs, unless --platform names one.
	platform, pdiags := c.Platform(requested, env)
	if pdiags.HasErrors() {
		return pdiags, nil
	}
	dir, err := os.MkdirTemp("", "envc-build-")
	if err != nil {
		return hcl.Diagnostics{buildError(env, err)}, nil
	}
	defer os.RemoveAll(dir)
	if target == "docker" {
		out, diags := emitters.EmitFor(docker.New(), env, emitters.Options{Platform: platform})
		if diags.HasErrors() {
			return diags, nil
		}
		if err := cli.WriteOutputs(dir, filepath.Dir(path), env, out.Files); err != nil {
			return append(diags, buildError(env, err)), nil
		}
		res, err := c.BuildDockerfile(ctx, filepath.Join(dir, env.Name), platform, opts)
		if err != nil {
			return append(diags, builder.Diagnose(err, path)...), nil
		}
		return diags, res
	}
	// The build context: exactly the files the copy steps read.
	if err := cli.WriteOutputs(dir, filepath.Dir(path), env, nil); err != nil {
		return hcl.Diagnostics{buildError(env, err)}, nil
	}
	// A SIF carries the singularity target's definition file (its steps
	// those of the singularity target, as compile writes it) and the
	// metadata apptainer build lays from it; its warnings (what Apptainer
	// cannot express) hold for the SIF.
	var deffile []byte
	var defDiags hcl.Diagnostics
	if hasSIF(opts.Outputs) {
		deffile, defDiags = sifDeffile(env, platform)
		if defDiags.HasErrors() {
			return defDiags, nil
		}
	}
	res, err := c.BuildLLB(ctx, builder.LLB{
		Env:        env,
		Platform:   platform,
		ContextDir: filepath.Join(dir, env.Name),
		SpecFile:   path,
		Spec:       spec,
		Deffile:    deffile,
	}, opts)
	var diags hcl.Diagnostics
	if res != nil {
		diags = res.Diags
	}
	diags = append(diags, defDiags...)
	if err != nil {
		return append(diags, builder.Diagnose(err, path)...), nil
	}
	return diags, res
}

func buildError(env *ir.Env, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cannot prepare the build",
		Detail:   fmt.Sprintf("Environment %q: %v.", env.Name, err),
		Subject:  env.DeclRange.Ptr(),
	}
}

// sifDeffile returns the definition file a SIF of env carries: the
// singularity target's, its steps those of that target, as compile writes
// it.
func sifDeffile(env *ir.Env, platform string) ([]byte, hcl.Diagnostics) {
	out, diags := emitters.EmitFor(singularity.New(), env, emitters.Options{Platform: platform})
	if diags.HasErrors() {
		return nil, diags
	}
	for _, f := range out.Files {
		if f.Path == singularity.FileName {
			return f.Data, diags
		}
	}
	return nil, diags
}
