package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/lockfile"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// lockFlags say how a command uses the spec's lock file.
type lockFlags struct {
	// locked makes a lock that does not cover the spec an error, and a
	// missing lock file too (--locked; envc lock --check).
	locked bool
	// ignore compiles without the lock (envc lock resolving anew).
	ignore bool
}

// registerLocked adds --locked to cmd.
func (f *specFlags) registerLocked(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.lock.locked, "locked", false, "fail when the spec's lock file (SPEC.lock.hcl) is missing or does not cover the spec (for CI)")
}

// RegisterLocked adds --locked to cmd (envc build).
func (f *SpecFlags) RegisterLocked(cmd *cobra.Command) { f.f.registerLocked(cmd) }

// lockOptions reads the lock file of the spec at path, when there is
// one, into opts: the compiler pins every environment to it.
func (a *app) lockOptions(path string, f *specFlags, l *loaded, opts *compiler.Options) error {
	if f.lock.ignore {
		return nil
	}
	lp := lockfile.Path(path)
	src, err := os.ReadFile(lp)
	if err == nil {
		l.inputs.File(lp, src)
	}
	if errors.Is(err, fs.ErrNotExist) {
		l.lockMissing = lp
		if f.lock.locked {
			return fmt.Errorf("%s has no lock file %s: run envc lock %s and commit the lock file", path, lp, path)
		}
		return nil
	}
	if err != nil {
		return usagef("cannot read the lock file: %v", err)
	}
	lf, hf, diags := lockfile.Read(lp, src)
	if hf != nil {
		l.files[lp] = hf
	}
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	opts.Lock, opts.LockName, opts.Locked = lf, filepath.Base(lp), f.lock.locked
	return nil
}

// LockConn says how envc lock reaches the BuildKit daemon it resolves
// on, and how it shows progress.
type LockConn struct {
	Addr                             string
	CACert, Cert, Key, TLSServerName string
	Progress                         string
}

// LockResolver resolves environments on a BuildKit daemon (package
// buildcmd, in the envc-build program).
type LockResolver interface {
	// Resolve builds env (the steps for the llb target) for platform
	// ("" for the daemon's own) and returns what it got: the base's
	// digest, the packages installed and what they pulled in, per pip
	// location; Base, Box and BoxVersion are left to the caller.
	Resolve(ctx context.Context, env *ir.Env, specPath, platform string) (*lockfile.Env, hcl.Diagnostics)
	Close() error
}

// WithLock makes envc lock resolve with the resolver connect makes
// (the envc-build program's), instead of handing the command line to
// the envc-build program.
func WithLock(connect func(ctx context.Context, h Host, c LockConn) (LockResolver, error)) Option {
	return func(a *app) { a.lockConnect = connect }
}

func (a *app) lockCommand() *cobra.Command {
	var f specFlags
	var check, update bool
	var platform string
	var conn LockConn
	cmd := &cobra.Command{
		Use:   "lock SPEC [ENV...]",
		Short: "Pin the base images, packages and boxes of a spec in its lock file",
		Long: `Write SPEC's lock file, SPEC.lock.hcl beside it (spec.hcl -> spec.lock.hcl):
for each environment (or each ENV named) and its stages, the base image's
digest as the registry gives it, the version of every distribution package
the spec installs and, separately, of every package they pulled in, the pip
packages of each pip block, and the Vagrant box version when the spec gives
one. The versions are what a build really got: envc lock builds each
environment on BuildKit (as envc build -t llb does) and reads the package
databases of the result (dpkg-query, rpm, apk, pip's metadata). The lock
file is HCL, written the same for the same content.

envc compile, validate and build then pin every target to it:
FROM image@sha256:..., From: image@sha256:..., name=version (apt, apk,
zypper) or name-version (dnf), pip's name==version, config.vm.box_version;
apt also gets a preferences file that holds what the packages pulled in at
the locked versions. compile warns when the lock does not cover the spec
(a new package, a changed base), and --locked makes that an error.

envc lock resolves only the environments the lock does not cover yet,
keeping every pin it has; --update resolves the environments named (or all)
anew, from the spec alone. --check resolves nothing and needs no daemon: it
exits 1, saying what, when the lock does not cover the spec.

The daemon is --addr, else $BUILDKIT_HOST, else the local socket, as for
envc build; the base images are resolved through its registry settings.`,
		Example: `  envc lock spec.hcl                 # lock what is not locked yet
  envc lock spec.hcl --update         # refresh everything, on purpose
  envc lock spec.hcl analysis --update
  envc lock spec.hcl --check          # in CI: exit 1 when the lock is stale
  envc compile spec.hcl --locked -o out`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usagef("%s takes a spec file and optional environment names", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f.envs = append(f.envs, args[1:]...)
			if check {
				if update {
					return usagef("--check and --update do not go together")
				}
				return a.lockCheck(args[0], &f)
			}
			if a.lockConnect == nil {
				return a.runBuildProgram(a.args)
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return a.lockResolve(ctx, args[0], &f, update, platform, conn)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&check, "check", false, "resolve nothing: exit 1 when the lock does not cover the spec, saying what")
	fl.BoolVar(&update, "update", false, "resolve the environments named (default all) anew, dropping their pins")
	fl.StringVar(&platform, "platform", "", "platform to resolve for, os/arch[/variant] (default: as envc build chooses)")
	fl.StringVar(&conn.Addr, "addr", "", "BuildKit daemon `address` (default $BUILDKIT_HOST, else the local socket)")
	fl.StringVar(&conn.CACert, "tlscacert", "", "CA certificate `file` to verify a tcp:// daemon")
	fl.StringVar(&conn.Cert, "tlscert", "", "client certificate `file`")
	fl.StringVar(&conn.Key, "tlskey", "", "client key `file`")
	fl.StringVar(&conn.TLSServerName, "tlsservername", "", "server `name` the daemon's certificate must carry")
	fl.StringVar(&conn.Progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	return cmd
}

// lockCheck is envc lock --check: the spec compiled with its lock, what
// the lock does not cover an error.
func (a *app) lockCheck(path string, f *specFlags) error {
	f.lock.locked = true
	l, err := a.load(path, f, "")
	if err != nil {
		return err
	}
	printDiags(a.stderr, l.files, l.diags, f.json)
	if l.diags.HasErrors() {
		return errSpec
	}
	if !f.json {
		fmt.Fprintf(a.stderr, "envc: %s covers %s\n", lockfile.Path(path), plural(len(l.envs), "environment"))
	}
	return nil
}

// lockResolve is envc lock: the environments the lock does not cover
// (or, with update, those named) resolved on the daemon, and the lock
// file written.
func (a *app) lockResolve(ctx context.Context, path string, f *specFlags, update bool, platform string, conn LockConn) error {
	lp := lockfile.Path(path)
	old, lockFiles, err := a.readLock(lp, f.json)
	if err != nil {
		return err
	}
	f.lock.ignore = true
	l, err := a.load(path, f, "")
	if err != nil {
		return err
	}
	maps.Copy(l.files, lockFiles)
	if l.diags.HasErrors() {
		printDiags(a.stderr, l.files, l.diags, f.json)
		return errSpec
	}
	lk := locking{old: old, lockName: filepath.Base(lp), update: update, platform: platform}
	next := &lockfile.File{Spec: filepath.Base(path)}
	for _, e := range old.Envs {
		next.Put(e)
	}
	var r LockResolver
	diags := l.diags
	resolved := 0
	for _, env := range l.envs {
		entry := old.Lookup(env.Name)
		target, ok := lk.toResolve(env, entry)
		if !ok {
			continue
		}
		if r == nil {
			if r, err = a.lockConnect(ctx, Host{a}, conn); err != nil {
				return err
			}
			defer r.Close()
		}
		got, rdiags := r.Resolve(ctx, target, path, platform)
		diags = append(diags, rdiags...)
		if rdiags.HasErrors() {
			break
		}
		lk.complete(got, env, entry)
		next.Put(got)
		resolved++
		fmt.Fprintf(a.stderr, "envc: locked environment %q: %s\n", env.Name, summary(got))
	}
	printDiags(a.stderr, l.files, diags, f.json)
	if diags.HasErrors() {
		return errSpec
	}
	if len(f.envs) == 0 {
		// Environments the spec no longer has leave the lock.
		next.Envs = keepEnvs(next.Envs, l.envs)
	}
	return a.writeLock(lp, next, resolved)
}

// readLock reads the lock file at lp, if there is one, and returns it
// with its parsed HCL file, for diagnostics.
func (a *app) readLock(lp string, json bool) (*lockfile.File, map[string]*hcl.File, error) {
	files := map[string]*hcl.File{}
	src, err := os.ReadFile(lp)
	if errors.Is(err, fs.ErrNotExist) {
		return &lockfile.File{}, files, nil
	}
	if err != nil {
		return nil, nil, usagef("cannot read the lock file: %v", err)
	}
	lf, hf, diags := lockfile.Read(lp, src)
	files[lp] = hf
	if diags.HasErrors() {
		printDiags(a.stderr, files, diags, json)
		return nil, nil, errSpec
	}
	return lf, files, nil
}

// locking is what envc lock decides each environment's resolution by:
// the lock as it was, and the command's -u and --platform.
type locking struct {
	old      *lockfile.File
	lockName string
	update   bool
	platform string
}

// toResolve returns what to resolve for env, whose entry in the old
// lock is entry (nil when it has none), and whether to resolve it: an
// environment the lock covers is resolved again only with update, or
// when its pins are stale or lack the platform; then its pinned form is
// resolved.
func (lk locking) toResolve(env *ir.Env, entry *lockfile.Env) (*ir.Env, bool) {
	if entry == nil || lk.update {
		return env, true
	}
	pinned, pdiags := compiler.Pin(env, lk.old, lk.lockName, false)
	stale := false
	for _, d := range pdiags {
		stale = stale || compiler.IsStale(d)
	}
	if lk.platform != "" && entry.Platform(lk.platform) == nil {
		stale = true
	}
	return pinned, stale
}

// complete fills in what the resolver does not know of got, env's new
// entry (entry its old one, or nil): the names, bases and box the spec
// gives, and the pins kept from entry.
func (lk locking) complete(got *lockfile.Env, env *ir.Env, entry *lockfile.Env) {
	got.Name = env.Name
	got.Base = env.Base.Ref
	got.Box, got.BoxVersion = boxOf(env)
	if got.BoxVersion == "" && entry != nil && entry.Box == got.Box {
		// No registry tells a box's version: one written into the
		// lock by hand stays while the box does.
		got.BoxVersion = entry.BoxVersion
	}
	for i, st := range got.Stages {
		if i < len(env.Stages) {
			st.Base = env.Stages[i].Base.Ref
		}
	}
	if entry != nil && !lk.update && entry.Digest == got.Digest {
		// The platforms not resolved now keep their pins.
		for _, p := range entry.Platforms {
			if got.Platform(p.Name) == nil {
				got.Platforms = append(got.Platforms, p)
			}
		}
	}
}

// keepEnvs returns the entries of the environments in envs.
func keepEnvs(entries []*lockfile.Env, envs []*ir.Env) []*lockfile.Env {
	keep := map[string]bool{}
	for _, env := range envs {
		keep[env.Name] = true
	}
	var out []*lockfile.Env
	for _, e := range entries {
		if keep[e.Name] {
			out = append(out, e)
		}
	}
	return out
}

// writeLock writes next to lp unless lp already says the same.
func (a *app) writeLock(lp string, next *lockfile.File, resolved int) error {
	if a.hclw.WriteLock == nil {
		return fmt.Errorf("this program cannot write lock files: run envc lock through %s", BuildProgram)
	}
	data := a.hclw.WriteLock(next)
	if prev, err := os.ReadFile(lp); err == nil && string(prev) == string(data) {
		fmt.Fprintf(a.stderr, "envc: %s is up to date\n", lp)
		return nil
	}
	if err := writeAtomic(lp, data, 0o644); err != nil {
		return fmt.Errorf("writing the lock file: %w", err)
	}
	fmt.Fprintf(a.stderr, "envc: wrote %s (%s resolved)\n", lp, plural(resolved, "environment"))
	return nil
}

// boxOf returns the Vagrant box env boots and its version, as the spec
// gives them.
func boxOf(env *ir.Env) (box, version string) {
	box = env.VM.Box
	if box == "" && env.Distro != nil {
		box = env.Distro.Box
	}
	return box, env.VM.BoxVersion
}

// summary says in a few words what a lock entry holds.
func summary(e *lockfile.Env) string {
	var parts []string
	if e.Digest != "" {
		parts = append(parts, "base "+e.Digest)
	}
	var platforms []string
	for _, p := range e.Platforms {
		n := fmt.Sprintf("%s: %s, %s", p.Name, plural(len(p.Packages), "package"), plural(len(p.Dependencies), "dependency"))
		n = strings.Replace(n, "dependencys", "dependencies", 1)
		for _, x := range p.Pip {
			n += fmt.Sprintf(", pip %s %d+%d", x.Location, len(x.Packages), len(x.Dependencies))
		}
		platforms = append(platforms, n)
	}
	sort.Strings(platforms)
	parts = append(parts, platforms...)
	if len(e.Stages) > 0 {
		parts = append(parts, plural(len(e.Stages), "stage"))
	}
	return strings.Join(parts, "; ")
}
