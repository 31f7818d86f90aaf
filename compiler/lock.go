package compiler

import (
	"fmt"
	"sort"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/envc-dev/envc/lockfile"
	"github.com/hashicorp/hcl/v2"
)

// The lints of compiling with a lock file.
var (
	LintLockStale        = newLint("lock-stale", "Lock file out of date")
	LintLockBoxUnpinned  = newLint("lock-box-unpinned", "Vagrant box version not pinned")
	LintLockDepsUnpinned = newLint("lock-dependencies-unpinned", "Dependencies not pinned")
	LintLockUnpinned     = newLint("lock-package-unpinned", "Package not pinned")
)

// AptPinFile is where a locked environment's apt preferences go: every
// package the lock holds, pinned to its version (priority 1001, above any
// archive's), so that what the requested packages pull in is installed at
// the locked versions too.
const AptPinFile = "/etc/apt/preferences.d/envc-lock"

// locker pins the lowered environments to a lock file.
type locker struct {
	lock   *lockfile.File
	name   string // the lock file's base name, for messages
	locked bool   // a stale lock is an error (--locked, --check)
	diags  hcl.Diagnostics
}

// applyLock returns envs pinned to opts.Lock: the base images by digest,
// each requested package at its locked version (name=version as its
// manager writes it), apt's dependencies through AptPinFile, pip
// requirements as name==version, and the Vagrant box version. What the
// lock does not cover is left as the spec says and reported (lock-stale):
// a warning, or an error with opts.Locked. The environments are copied,
// never changed in place.
func applyLock(envs []*ir.Env, opts Options) ([]*ir.Env, hcl.Diagnostics) {
	k := &locker{lock: opts.Lock, name: opts.LockName, locked: opts.Locked}
	if k.name == "" {
		k.name = "the lock file"
	}
	out := make([]*ir.Env, len(envs))
	for i, env := range envs {
		entry := k.lock.Lookup(env.Name)
		if entry == nil {
			k.stale(env.DeclRange, "The environment %q is not in %s. Run envc lock to add it.", env.Name, k.name)
			out[i] = env
			continue
		}
		out[i] = k.pin(env, entry, env.Name, true)
	}
	return out, k.diags
}

// stale reports what the lock does not cover.
func (k *locker) stale(rng hcl.Range, detail string, args ...any) {
	d := LintLockStale.Warn(rng, detail, args...)
	if k.locked {
		d.Severity = hcl.DiagError
	}
	k.diags = append(k.diags, d)
}

// pin returns a copy of env (an environment, top, or a stage) pinned to
// entry; what names it in messages.
func (k *locker) pin(env *ir.Env, entry *lockfile.Env, what string, top bool) *ir.Env {
	c := *env
	if entry.Base != env.Base.Ref && entry.Base != unpinnedRef(env.Base.Ref) {
		k.stale(env.Base.Range, "%s is built on %q, and %s holds %q. Run envc lock --update %s to lock the new base.", upper(what), env.Base.Ref, k.name, entry.Base, lockName(what))
		return &c
	}
	if entry.Digest != "" && !strings.Contains(env.Base.Ref, "@") {
		c.Base.Ref = env.Base.Ref + "@" + entry.Digest
		c.Base.Canonical = env.Base.Canonical + "@" + entry.Digest
	}
	if len(env.Platforms) > 0 {
		for _, p := range env.Platforms {
			if entry.Platform(p) == nil {
				k.stale(env.PlatformsRange, "%s is built for %s, which %s does not hold. Run envc lock --update %s --platform %s.", upper(what), p, k.name, lockName(what), p)
			}
		}
	}
	versions := k.merge(entry, env, what)
	c.Steps = make([]ir.Step, 0, len(env.Steps)+1)
	if env.Distro != nil && env.Distro.Manager == ir.Apt && len(versions.all) > 0 {
		c.Steps = append(c.Steps, aptPinStep(versions.pkgs, env.DeclRange))
		c.FromSteps = env.FromSteps + min(env.FromSteps, 1)
	} else if env.Distro != nil && len(versions.deps) > 0 {
		k.diags = append(k.diags, LintLockDepsUnpinned.Warn(env.DeclRange,
			"%s installs with %s, and envc pins only the packages the spec names there: the %d packages they pulled in are recorded in %s but installed at the versions the archive has then.", upper(what), env.Distro.Manager, len(versions.deps), k.name))
	}
	for _, s := range env.Steps {
		c.Steps = append(c.Steps, k.pinStep(s, versions, what))
	}
	if env.Stages != nil {
		c.Stages = make([]*ir.Env, len(env.Stages))
		for i, st := range env.Stages {
			sentry := entry.Stage(st.Name)
			if sentry == nil {
				k.stale(st.DeclRange, "The stage %q of the environment %q is not in %s. Run envc lock --update %s.", st.Name, lockName(what), k.name, lockName(what))
				c.Stages[i] = st
				continue
			}
			c.Stages[i] = k.pin(st, sentry, fmt.Sprintf("the stage %q of %s", st.Name, lockName(what)), false)
		}
	}
	if top {
		switch {
		case env.VM.BoxVersion != "":
		case entry.BoxVersion != "":
			c.VM.BoxVersion = entry.BoxVersion
		default:
			rng := env.VM.Range
			if rng == (hcl.Range{}) {
				rng = env.DeclRange
			}
			k.diags = append(k.diags, LintLockBoxUnpinned.Warn(rng,
				"%s has no box version in %s (envc cannot ask Vagrant Cloud which version a box name means): the Vagrant target boots the newest version of the box. Set vm { box_version = \"...\" } to pin it; envc lock then records it.", upper(what), k.name))
		}
	}
	return &c
}

// lockName returns the environment's name in what ("the stage "x" of
// env" -> env), for the commands a message suggests.
func lockName(what string) string {
	if i := strings.LastIndex(what, " of "); i >= 0 {
		return what[i+4:]
	}
	return what
}

func upper(what string) string {
	if strings.HasPrefix(what, "the ") {
		return "The " + what[4:]
	}
	return "The environment " + fmt.Sprintf("%q", what)
}

// unpinnedRef is ref without its digest.
func unpinnedRef(ref string) string {
	r, _, _ := strings.Cut(ref, "@")
	return r
}

// versions are the versions a lock entry gives, the same on every
// platform it holds.
type versions struct {
	// pkgs are the distribution packages (requested and pulled in);
	// all is pkgs sorted by name; deps are the names pulled in.
	pkgs map[string]string
	all  []string
	deps []string
	// pip is per location, requested and pulled in together.
	pip map[string]map[string]string
}

// merge returns the versions of entry; a package whose version differs
// between platforms is left out, and reported.
func (k *locker) merge(entry *lockfile.Env, env *ir.Env, what string) versions {
	v := versions{pkgs: map[string]string{}, pip: map[string]map[string]string{}}
	conflict := map[string]bool{}
	put := func(m map[string]string, name, version string) {
		if old, ok := m[name]; ok && old != version {
			conflict[name] = true
		}
		m[name] = version
	}
	deps := map[string]bool{}
	for _, p := range entry.Platforms {
		for n, ver := range p.Packages {
			put(v.pkgs, n, ver)
		}
		for n, ver := range p.Dependencies {
			put(v.pkgs, n, ver)
			deps[n] = true
		}
		for _, x := range p.Pip {
			m := v.pip[x.Location]
			if m == nil {
				m = map[string]string{}
				v.pip[x.Location] = m
			}
			for n, ver := range x.Packages {
				put(m, n, ver)
			}
			for n, ver := range x.Dependencies {
				put(m, n, ver)
			}
		}
	}
	for n := range conflict {
		delete(v.pkgs, n)
		for _, m := range v.pip {
			delete(m, n)
		}
	}
	if len(conflict) > 0 {
		names := sortedSet(conflict)
		k.diags = append(k.diags, LintLockUnpinned.Warn(env.DeclRange,
			"%s has different versions of %s on its platforms in %s; one build for every platform cannot pin them, so they are installed as the archive has them.", upper(what), strings.Join(names, ", "), k.name))
	}
	for n := range v.pkgs {
		v.all = append(v.all, n)
		if deps[n] {
			v.deps = append(v.deps, n)
		}
	}
	sort.Strings(v.all)
	sort.Strings(v.deps)
	return v
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pinStep returns s pinned: an install step's packages at their
// versions, a pip step's requirements at theirs. Other steps are s.
func (k *locker) pinStep(s ir.Step, v versions, what string) ir.Step {
	switch s := s.(type) {
	case *ir.InstallStep:
		c := *s
		c.Packages = make([]string, len(s.Packages))
		for i, word := range s.Packages {
			c.Packages[i] = word
			name, ok := PackageName(s.Manager, word)
			if !ok {
				k.diags = append(k.diags, LintLockUnpinned.Warn(s.Range,
					"envc cannot tell which package %q names (a glob or a capability), so %s cannot pin it. Name the package itself to pin it.", word, k.name))
				continue
			}
			ver, ok := v.pkgs[name]
			if !ok {
				k.stale(s.Range, "%s installs %q, which %s does not hold. Run envc lock to add it.", upper(what), name, k.name)
				continue
			}
			c.Packages[i] = PinnedPackage(s.Manager, word, name, ver)
		}
		return &c
	case *ir.RunStep:
		if m := s.Managed; m != nil {
			what := quotedList(m.Packages)
			if len(m.Packages) == 0 {
				what = "the packages of its environment file"
			}
			k.diags = append(k.diags, LintLockUnpinned.Warn(s.Range,
				"%s pins distribution and pip packages; the %s block installs %s as written, at the versions its sources give when it is built. Write versions into the packages to pin them.", k.name, m.Manager, what))
			return s
		}
		if s.Pip == nil {
			return s
		}
		c := *s
		m := v.pip[s.Pip.Location]
		reqs := make([]string, len(s.Pip.Requirements))
		for i, req := range s.Pip.Requirements {
			reqs[i] = req
			name, extras := pipName(req)
			ver, ok := m[lockfile.NormalizePip(name)]
			if !ok {
				k.stale(s.Range, "%s installs %q with pip (%s), which %s does not hold. Run envc lock to add it.", upper(what), name, s.Pip.Location, k.name)
				continue
			}
			reqs[i] = name + extras + "==" + ver
		}
		pi := *s.Pip
		pi.Requirements = reqs
		c.Pip = &pi
		c.Command = pipCommand(&pi)
		return &c
	}
	return s
}

// pipRequirement splits a requirement into its name, its extras and
// the rest.
var pipRequirement = lazyre.New(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?`)

func pipName(req string) (name, extras string) {
	m := pipRequirement().FindStringSubmatch(req)
	if m == nil {
		return req, ""
	}
	return m[1], m[2]
}

// PackageName returns the package a package word of the spec names
// (without its version, release or repository), as the lock keys it;
// false when the word is a glob or a capability.
func PackageName(mgr ir.PackageManager, word string) (string, bool) {
	name := word
	switch mgr {
	case ir.Apt:
		name, _, _ = strings.Cut(name, "=")
		name, _, _ = strings.Cut(name, "/")
	case ir.Apk:
		name, _, _ = strings.Cut(name, "@")
		if i := strings.IndexAny(name, "=<>~"); i >= 0 {
			name = name[:i]
		}
	case ir.Zypper:
		if i := strings.IndexAny(name, "=<>"); i >= 0 {
			name = name[:i]
		}
	}
	if strings.ContainsAny(name, "*?()[]") {
		return "", false
	}
	return name, true
}

// PinnedPackage returns the package word that installs name at version
// with mgr, keeping an apk repository tag of word.
func PinnedPackage(mgr ir.PackageManager, word, name, version string) string {
	switch mgr {
	case ir.Dnf:
		return name + "-" + version
	case ir.Apk:
		_, tag, ok := strings.Cut(word, "@")
		if ok {
			return name + "=" + version + "@" + tag
		}
		return name + "=" + version
	default: // apt, zypper
		return name + "=" + version
	}
}

// aptPinStep writes AptPinFile, pinning each package of names (sorted)
// to its version in pkgs.
func aptPinStep(pkgs map[string]string, rng hcl.Range) *ir.RunStep {
	var names []string
	for n := range pkgs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("mkdir -p /etc/apt/preferences.d && printf '%s\\n'")
	for _, n := range names {
		fmt.Fprintf(&b, " %s %s 'Pin-Priority: 1001' ''", shQuote("Package: "+n), shQuote("Pin: version "+pkgs[n]))
	}
	b.WriteString(" > " + AptPinFile)
	return &ir.RunStep{Command: b.String(), Shell: "sh", Range: rng}
}

// Pin returns env pinned to lock as Compile pins it with Options.Lock,
// Options.LockName and Options.Locked, with the diagnostics of doing so.
func Pin(env *ir.Env, lock *lockfile.File, lockName string, locked bool) (*ir.Env, hcl.Diagnostics) {
	envs, diags := applyLock([]*ir.Env{env}, Options{Lock: lock, LockName: lockName, Locked: locked})
	return envs[0], diags
}

// IsStale reports whether d says that the lock does not cover the spec.
func IsStale(d *hcl.Diagnostic) bool {
	x, ok := d.Extra.(LintExtra)
	return ok && x.Lint == LintLockStale
}

// PipName returns the name a pip requirement installs (without extras
// or versions).
func PipName(req string) string {
	name, _ := pipName(req)
	return name
}
