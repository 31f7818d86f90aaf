package buildcmd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/envc-dev/envc/builder"
	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/lockfile"
	"github.com/hashicorp/hcl/v2"
)

// Lock connects envc lock to the BuildKit daemon conn names, for the
// envc-build program (cli.WithLock).
func Lock(ctx context.Context, h cli.Host, conn cli.LockConn) (cli.LockResolver, error) {
	switch conn.Progress {
	case "auto", "tty", "plain", "rawjson", "quiet", "":
	default:
		return nil, cli.Usagef("--progress takes auto, tty, plain, rawjson or quiet, not %q", conn.Progress)
	}
	tls := builder.TLS{ServerName: conn.TLSServerName, CACert: conn.CACert, Cert: conn.Cert, Key: conn.Key}
	ep, err := builder.ResolveEndpoint(conn.Addr, h.Environ())
	if err != nil {
		return nil, cli.UsageError(err)
	}
	c, err := builder.Connect(ctx, ep, tls, h.Environ())
	if err != nil {
		return nil, err
	}
	return &resolver{c: c, h: h, progress: conn.Progress}, nil
}

type resolver struct {
	c        *builder.Client
	h        cli.Host
	progress string
}

func (r *resolver) Close() error { return r.c.Close() }

// Resolve builds env and each of its stages with probe steps on top, and
// their base images with the same probes, and makes the lock entry from
// the difference.
func (r *resolver) Resolve(ctx context.Context, env *ir.Env, specPath, requested string) (*lockfile.Env, hcl.Diagnostics) {
	platform, diags := r.c.Platform(requested, env)
	if diags.HasErrors() {
		return nil, diags
	}
	dir, err := os.MkdirTemp("", "envc-lock-")
	if err != nil {
		return nil, hcl.Diagnostics{buildError(env, err)}
	}
	defer os.RemoveAll(dir)
	if err := cli.WriteOutputs(dir, filepath.Dir(specPath), env, nil); err != nil {
		return nil, hcl.Diagnostics{buildError(env, err)}
	}
	// Each environment and stage is probed twice: built, and its base.
	units := append([]*ir.Env{env}, env.Stages...)
	var probes []builder.Probe
	for _, u := range units {
		steps, files := probeSteps(u)
		base := &ir.Env{Name: u.Name, SpecFile: u.SpecFile, Base: u.Base, Distro: u.Distro, Platforms: u.Platforms, DeclRange: u.DeclRange}
		probes = append(probes,
			builder.Probe{Env: u, Steps: steps, Files: files},
			builder.Probe{Env: base, Steps: steps, Files: files})
	}
	res, err := r.c.Probe(ctx, probes, platform, filepath.Join(dir, env.Name), builder.Options{Progress: r.progress, ProgressOut: r.h.Stderr()})
	if err != nil {
		return nil, builder.Diagnose(err, specPath)
	}
	entries := make([]*lockfile.Env, len(units))
	for i, u := range units {
		entries[i] = entry(u, platform, res[2*i], res[2*i+1])
	}
	top := entries[0]
	top.Stages = entries[1:]
	return top, nil
}

// probeSteps returns the steps that list what u installed, and the files
// they write.
func probeSteps(u *ir.Env) ([]ir.Step, []string) {
	var steps []ir.Step
	var files []string
	if u.Distro != nil {
		steps = append(steps, &ir.RunStep{Command: lockfile.PackagesProbe(string(u.Distro.Manager)), Shell: "sh", Range: u.DeclRange})
		files = append(files, lockfile.PackagesFile)
	}
	for _, loc := range pipLocations(u) {
		steps = append(steps, &ir.RunStep{Command: lockfile.PipProbe(loc), Shell: "sh", Range: u.DeclRange})
		files = append(files, lockfile.PipFile(loc))
	}
	return steps, files
}

// pipLocations returns the locations u's pip steps install into, sorted.
func pipLocations(u *ir.Env) []string {
	var locs []string
	for _, s := range u.ForTarget("llb").Steps {
		if r, ok := s.(*ir.RunStep); ok && r.Pip != nil && !slices.Contains(locs, r.Pip.Location) {
			locs = append(locs, r.Pip.Location)
		}
	}
	sort.Strings(locs)
	return locs
}

// entry makes u's lock entry from what its build (after) and its base
// (before) hold.
func entry(u *ir.Env, platform string, after, before builder.ProbeResult) *lockfile.Env {
	e := &lockfile.Env{Name: u.Name, Base: u.Base.Ref, Digest: after.Digest}
	p := &lockfile.Platform{Name: platform}
	steps := u.ForTarget("llb").Steps
	if u.Distro != nil {
		mgr := string(u.Distro.Manager)
		p.Manager = mgr
		var requested []string
		for _, s := range steps {
			if in, ok := s.(*ir.InstallStep); ok {
				for _, w := range in.Packages {
					if n, ok := compiler.PackageName(in.Manager, w); ok {
						requested = append(requested, n)
					}
				}
			}
		}
		p.Packages, p.Dependencies = lockfile.Split(
			lockfile.ParsePackages(mgr, before.Files[lockfile.PackagesFile]),
			lockfile.ParsePackages(mgr, after.Files[lockfile.PackagesFile]),
			requested)
	}
	for _, loc := range pipLocations(u) {
		var requested []string
		for _, s := range steps {
			if r, ok := s.(*ir.RunStep); ok && r.Pip != nil && r.Pip.Location == loc {
				for _, req := range r.Pip.Requirements {
					requested = append(requested, lockfile.NormalizePip(compiler.PipName(req)))
				}
			}
		}
		pkgs, deps := lockfile.Split(
			lockfile.ParsePip(before.Files[lockfile.PipFile(loc)]),
			lockfile.ParsePip(after.Files[lockfile.PipFile(loc)]),
			requested)
		p.Pip = append(p.Pip, &lockfile.Pip{Location: loc, Packages: pkgs, Dependencies: deps})
	}
	e.Platforms = []*lockfile.Platform{p}
	return e
}
