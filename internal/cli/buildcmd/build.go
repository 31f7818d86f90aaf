package buildcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
	var f cli.SpecFlags
	var target, format, addr, progress, platform string
	var tls builder.TLS
	var outputs, cacheTo, cacheFrom []string
	cmd := &cobra.Command{
		Use:   "build SPEC",
		Short: "Build an environment into an image on a BuildKit daemon",
		Long: `Build the environments of SPEC on BuildKit (buildkitd) and export the result.

With -t llb (the default) envc solves its own LLB graph: it resolves the
base image's config on the daemon, lowers the spec against the base's real
environment, and attaches the image config (the spec's, on top of the
base's) to the result. A step that fails is reported at its line in the
spec. With -t docker the emitted Dockerfile is built by BuildKit's
Dockerfile frontend on the same daemon.

With --format sif the result is a SIF for Apptainer and SingularityCE
instead of an image: BuildKit exports the root file system, envc lays into
it what apptainer build lays from the same Singularity.def (the runscript,
%environment, labels, the definition file, Apptainer's env and action
scripts, the base image's environment), makes a squashfs with mksquashfs
(package squashfs-tools) and writes the SIF: ENV.sif in the current folder,
or --output type=sif,dest=FILE. CI makes the SIF, the cluster only runs it.

The daemon is --addr, else $BUILDKIT_HOST, else the local socket
unix:///run/buildkit/buildkitd.sock; tcp:// daemons take the TLS flags.
Outputs use buildctl's syntax: type=oci,dest=FILE; type=docker,dest=FILE
(docker load reads it); type=local,dest=DIR; type=image,name=REF,push=true;
type=sif,dest=FILE.
Without --output the result is only built (and cached). --cache-to and
--cache-from are passed to BuildKit as given.

The platform is --platform, else the daemon's own; an environment with
platforms is built for one of them (--platform, else the daemon's own if
listed, else the first the daemon runs through emulation). A platform the
daemon cannot run is refused before the build, with what it runs.`,
		Example: `  envc build spec.hcl --output type=docker,dest=img.tar,name=myenv:latest
  docker load < img.tar
  envc build spec.hcl --format sif && apptainer run myenv.sif
  envc build spec.hcl -t docker --addr tcp://builder:1234 --tlscacert ca.pem \
      --output type=image,name=registry.example/group/env:1,push=true \
      --cache-to type=registry,ref=registry.example/group/env:cache --cache-from registry.example/group/env:cache`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if target != "llb" && target != "buildkit" && target != "docker" {
				return cli.Usagef("envc build -t takes llb or docker, not %q", target)
			}
			switch format {
			case "image", "oci", "sif":
			default:
				return cli.Usagef("--format takes image or sif, not %q", format)
			}
			if format == "sif" && target == "docker" {
				return cli.Usagef("--format sif builds envc's own graph (-t llb), not the Dockerfile")
			}
			switch progress {
			case "auto", "tty", "plain", "rawjson", "quiet":
			default:
				return cli.Usagef("--progress takes auto, tty, plain, rawjson or quiet, not %q", progress)
			}
			var opts builder.Options
			for _, s := range outputs {
				o, err := builder.ParseOutput(s)
				if err != nil {
					return cli.UsageError(err)
				}
				if format == "sif" && o.Type != builder.ExporterSIF {
					return cli.Usagef("--format sif writes a SIF: --output takes type=sif,dest=FILE, not %q", s)
				}
				if o.Type == builder.ExporterSIF && target == "docker" {
					return cli.Usagef("a SIF is built from envc's own graph (-t llb), not the Dockerfile")
				}
				opts.Outputs = append(opts.Outputs, o)
			}
			for _, s := range cacheTo {
				c, err := builder.ParseCache(s)
				if err != nil {
					return cli.UsageError(err)
				}
				opts.CacheTo = append(opts.CacheTo, c)
			}
			for _, s := range cacheFrom {
				c, err := builder.ParseCache(s)
				if err != nil {
					return cli.UsageError(err)
				}
				opts.CacheFrom = append(opts.CacheFrom, c)
			}
			opts.Progress = progress
			opts.ProgressOut = h.Stderr()
			opts.Stdout = h.Stdout()

			path := args[0]
			l, err := h.Load(path, &f)
			if err != nil {
				return err
			}
			if l.Diags.HasErrors() {
				return h.Report(l, l.Diags, false)
			}
			if len(l.Envs) > 1 && len(opts.Outputs) > 0 {
				var names []string
				for _, e := range l.Envs {
					names = append(names, e.Name)
				}
				return cli.Usagef("the spec has %d environments (%s) and --output takes one; choose one with -e", len(l.Envs), strings.Join(names, ", "))
			}
			spec := l.Spec
			path = l.SpecFile

			// A SIF needs mksquashfs: say so before building.
			if format == "sif" || slices.ContainsFunc(opts.Outputs, func(o builder.Output) bool { return o.Type == builder.ExporterSIF }) {
				if _, err := sifimage.LookMksquashfs(); err != nil {
					return err
				}
			}

			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			c, err := builder.Connect(ctx, builder.Addr(addr, h.Environ()), tls)
			if err != nil {
				return err
			}
			defer c.Close()

			diags := l.Diags
			for _, env := range l.Envs {
				opts := opts
				if format == "sif" && len(opts.Outputs) == 0 {
					opts.Outputs = []builder.Output{{Type: builder.ExporterSIF, Dest: env.Name + ".sif"}}
				}
				moreDiags := buildEnv(ctx, h, c, env, path, spec, target, platform, opts)
				diags = append(diags, moreDiags...)
				if moreDiags.HasErrors() {
					break
				}
			}
			return h.Report(l, diags, false)
		},
	}
	f.Register(cmd, "diagnostics-format")
	fl := cmd.Flags()
	fl.StringVarP(&target, "target", "t", "llb", "what to build: llb (envc's own graph) or docker (the Dockerfile, through BuildKit's Dockerfile frontend)")
	fl.StringVar(&format, "format", "image", "what to make: image (an OCI image, to the outputs given) or sif (a SIF for Apptainer, ENV.sif unless --output type=sif,dest=FILE)")
	fl.StringVar(&addr, "addr", "", "BuildKit daemon `address` (default $BUILDKIT_HOST, else "+builder.DefaultAddr+")")
	fl.StringVar(&tls.CACert, "tlscacert", "", "CA certificate `file` to verify a tcp:// daemon")
	fl.StringVar(&tls.Cert, "tlscert", "", "client certificate `file`")
	fl.StringVar(&tls.Key, "tlskey", "", "client key `file`")
	fl.StringVar(&tls.ServerName, "tlsservername", "", "server `name` the daemon's certificate must carry")
	fl.StringArrayVar(&outputs, "output", nil, "export the result: type=oci|docker|tar,dest=FILE, type=local,dest=DIR, type=image,name=REF[,push=true], type=sif,dest=FILE (repeatable)")
	fl.StringArrayVar(&cacheTo, "cache-to", nil, "export the build cache, e.g. type=local,dest=DIR or type=registry,ref=REF (repeatable)")
	fl.StringArrayVar(&cacheFrom, "cache-from", nil, "import a build cache, e.g. type=local,src=DIR or type=registry,ref=REF (repeatable)")
	fl.StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	fl.StringVar(&platform, "platform", "", "platform to build for, os/arch[/variant] (default: the daemon's own, or for an environment with platforms the one of them the daemon runs)")
	return cmd
}

// buildEnv builds one environment and returns its diagnostics: the llb
// target's warnings, and an error for a failed build.
func buildEnv(ctx context.Context, h cli.Host, c *builder.Client, env *ir.Env, path string, spec []byte, target, requested string, opts builder.Options) hcl.Diagnostics {
	// The daemon's own platform, or one of the environment's platforms
	// it runs, unless --platform names one.
	platform, pdiags := c.Platform(requested, env)
	if pdiags.HasErrors() {
		return pdiags
	}
	dir, err := os.MkdirTemp("", "envc-build-")
	if err != nil {
		return hcl.Diagnostics{buildError(env, err)}
	}
	defer os.RemoveAll(dir)
	if target == "docker" {
		out, diags := emitters.EmitFor(docker.New(), env, emitters.Options{Platform: platform})
		if diags.HasErrors() {
			return diags
		}
		if err := cli.WriteOutputs(dir, filepath.Dir(path), env, out.Files); err != nil {
			return append(diags, buildError(env, err))
		}
		_, err := c.BuildDockerfile(ctx, filepath.Join(dir, env.Name), platform, opts)
		if err != nil {
			return append(diags, builder.Diagnose(err, path)...)
		}
		return diags
	}
	// The build context: exactly the files the copy steps read.
	if err := cli.WriteOutputs(dir, filepath.Dir(path), env, nil); err != nil {
		return hcl.Diagnostics{buildError(env, err)}
	}
	// A SIF carries the singularity target's definition file and the
	// metadata apptainer build lays from it; its warnings (what Apptainer
	// cannot express) hold for the SIF.
	var deffile []byte
	var defDiags hcl.Diagnostics
	if slices.ContainsFunc(opts.Outputs, func(o builder.Output) bool { return o.Type == builder.ExporterSIF }) {
		out, diags := singularity.New().Emit(env, emitters.Options{Platform: platform})
		if diags.HasErrors() {
			return diags
		}
		defDiags = diags
		for _, f := range out.Files {
			if f.Path == singularity.FileName {
				deffile = f.Data
			}
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
		return append(diags, builder.Diagnose(err, path)...)
	}
	if dgst := res.ExporterResponse["containerimage.digest"]; dgst != "" {
		fmt.Fprintf(h.Stderr(), "envc: built environment %q: %s\n", env.Name, dgst)
	}
	for _, f := range res.SIFs {
		fmt.Fprintf(h.Stderr(), "envc: built environment %q: %s\n", env.Name, f)
	}
	return diags
}

func buildError(env *ir.Env, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cannot prepare the build",
		Detail:   fmt.Sprintf("Environment %q: %v.", env.Name, err),
		Subject:  env.DeclRange.Ptr(),
	}
}
