package compiler

import (
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// The package manager blocks (pip, conda, pipx, julia) lower to run
// steps whose commands install the packages, after a copy of the files
// the manager reads (a constraints file, an environment file) and before
// an env step that puts what they installed on the run command's PATH.

const (
	// pipDataDir and condaDataDir hold the files of the spec's folder
	// that pip and conda read, under their paths in that folder.
	pipDataDir   = "/usr/local/share/envc/pip"
	condaDataDir = "/usr/local/share/envc/conda"
	// PipxHome and PipxBinDir are where pipx blocks install: the
	// applications' virtual environments, and their programs, on every
	// user's PATH.
	PipxHome   = "/opt/pipx"
	PipxBinDir = "/usr/local/bin"
	// JuliaDepot is the depot julia blocks add packages to, which every
	// user reads (JULIA_DEPOT_PATH, at build and at run time).
	JuliaDepot = "/opt/julia"
)

// pipPattern matches a pip requirement envc carries: a name with extras
// and version constraints, no URL, path or shell character.
var pipPattern = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?([<>=!~]=?=?[A-Za-z0-9.*+!_-]+(,[<>=!~]=?=?[A-Za-z0-9.*+!_-]+)*)?$`)

// pipProjectPattern matches a project name (for --no-binary).
var pipProjectPattern = lazyre.New(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)

// lowerPip lowers a pip block to a run step: `python3 -m pip install` of
// the packages, into a virtual environment made first when venv is set,
// otherwise into the system's Python (with --user for a user other than
// root), with pip's options for the index, the projects built from
// source and a constraints file (copied from the spec's folder by a step
// before), and the block's env exported for the install alone.
// PIP_BREAK_SYSTEM_PACKAGES lets pip install outside a venv where the
// distribution marks its Python as externally managed (PEP 668); older
// pips ignore it.
func (el *envLowerer) lowerPip(st *schema.Step) []ir.Step {
	p := st.Pip
	if p.Packages == nil {
		return nil
	}
	pkgs, ok := el.pipPackages(p.Packages, "pip")
	user, userOK := el.stepUser(p.User, "user")
	venv, venvOK := el.pipVenv(p.Venv)
	index, indexOK := el.indexURL(p.IndexURL)
	extra, extraOK := el.indexURLs(p.ExtraIndexURLs)
	trusted, trustedOK := el.trustedHosts(p.TrustedHosts)
	noBinary, noBinaryOK := el.noBinary(p.NoBinary)
	vars, varsOK := el.lowerStepEnv(p.Env)
	steps, constraints, consOK := el.lowerDataFile(p.Constraints, pipDataDir, "constraints file")
	if !ok || !userOK || !venvOK || !indexOK || !extraOK || !trustedOK || !noBinaryOK || !varsOK || !consOK {
		return nil
	}
	loc := "system"
	switch {
	case venv != "":
		loc = "venv:" + venv
	case user != "":
		loc = "user:" + user
	}
	if user != "" {
		el.ensureUser(user, p.User.Expr.Range())
	}
	pi := &ir.PipInstall{Location: loc, Requirements: pkgs, IndexURL: index, ExtraIndexURLs: extra, TrustedHosts: trusted, NoBinary: noBinary, Constraints: constraints}
	return append(steps, &ir.RunStep{Command: pipCommand(pi), Shell: el.shell, User: user, Env: vars, Range: st.DeclRange, Pip: pi})
}

// pipCommand returns the command of a pip step installing p.
func pipCommand(p *ir.PipInstall) string {
	var b strings.Builder
	switch loc := p.Location; {
	case strings.HasPrefix(loc, "venv:"):
		venv := strings.TrimPrefix(loc, "venv:")
		b.WriteString("python3 -m venv " + shQuote(venv) + " && " + shQuote(venv+"/bin/pip") + " install --no-cache-dir")
	case strings.HasPrefix(loc, "user:"):
		b.WriteString("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --user")
	default:
		b.WriteString("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir")
	}
	b.WriteString(pipOptions(p.IndexURL, p.ExtraIndexURLs, p.TrustedHosts))
	if len(p.NoBinary) > 0 {
		b.WriteString(" --no-binary " + shQuote(strings.Join(p.NoBinary, ",")))
	}
	if p.Constraints != "" {
		b.WriteString(" -c " + shQuote(p.Constraints))
	}
	for _, r := range p.Requirements {
		b.WriteString(" " + shQuote(r))
	}
	return b.String()
}

// pipOptions returns pip's options for an index, extra indexes and
// trusted hosts, each after a space.
func pipOptions(index string, extra, trusted []string) string {
	var b strings.Builder
	if index != "" {
		b.WriteString(" --index-url " + shQuote(index))
	}
	for _, u := range extra {
		b.WriteString(" --extra-index-url " + shQuote(u))
	}
	for _, h := range trusted {
		b.WriteString(" --trusted-host " + shQuote(h))
	}
	return b.String()
}

// hostPattern matches a host pip trusts: a name or an IPv4 address,
// optionally with a port.
var hostPattern = lazyre.New(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:[0-9]{1,5})?$`)

// trustedHosts evaluates trusted_hosts (a == nil: none).
func (el *envLowerer) trustedHosts(a *hcl.Attribute) ([]string, bool) {
	if a == nil {
		return nil, true
	}
	items, ok := el.strList(a, "trusted_hosts")
	out, valid := validItems(items, func(it item) bool {
		if hostPattern().MatchString(it.Value) {
			return true
		}
		el.errorf(it.Range, "Invalid host",
			"%q is not a host pip can trust: write a host name or address, optionally with a port, e.g. \"pypi.example.org\" or \"10.0.0.5:8080\".", it.Value)
		return false
	})
	return out, ok && valid
}

// pipPackages evaluates a pip or pipx block's packages.
func (el *envLowerer) pipPackages(a *hcl.Attribute, block string) ([]string, bool) {
	items, ok := el.strList(a, block+" packages")
	pkgs, valid := validItems(items, func(it item) bool {
		if pipPattern().MatchString(it.Value) && len(it.Value) <= 256 {
			return true
		}
		el.errorf(it.Range, "Invalid pip requirement",
			"%q is not a requirement envc installs with %s: write a name with optional extras and versions, e.g. \"numpy==1.26.4\" or \"meshio[all]>=5.3\" (no URLs, paths or options).", it.Value, block)
		return false
	})
	ok = ok && valid
	if ok && len(pkgs) == 0 {
		el.errorf(a.Expr.Range(), "No "+block+" packages", "The %s block installs nothing. List packages, or remove it.", block)
		ok = false
	}
	return pkgs, ok
}

// pipVenv evaluates a pip block's venv (a == nil: none).
func (el *envLowerer) pipVenv(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return "", true
	}
	s, ok := el.str(a, "venv")
	if !ok || !el.checkAbs(s, a.Expr.Range(), "venv") {
		return "", false
	}
	if why := valueProblem(s, false); why != "" {
		el.errorf(a.Expr.Range(), "Invalid character", "The venv %s. Change it.", why)
		ok = false
	}
	return path.Clean(s), ok
}

// indexURL evaluates an index_url (a == nil: none).
func (el *envLowerer) indexURL(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return "", true
	}
	s, ok := el.str(a, "index_url")
	if !ok {
		return "", false
	}
	return s, el.checkIndexURL(s, a.Expr.Range(), "index_url")
}

// indexURLs evaluates extra_index_urls (a == nil: none).
func (el *envLowerer) indexURLs(a *hcl.Attribute) ([]string, bool) {
	if a == nil {
		return nil, true
	}
	items, ok := el.strList(a, "extra_index_urls")
	out, valid := validItems(items, func(it item) bool {
		return el.checkIndexURL(it.Value, it.Range, "extra index URL")
	})
	return out, ok && valid
}

// checkIndexURL reports an index or channel URL that is not an http,
// https or file URL a single word can carry. Any other character is
// carried literally (quoted in every target).
func (el *envLowerer) checkIndexURL(s string, rng hcl.Range, what string) bool {
	if why := valueProblem(s, false); why != "" {
		el.errorf(rng, "Invalid URL", "The %s %s. Change it.", what, why)
		return false
	}
	u, err := url.Parse(s)
	if err != nil || !(u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "file") || u.Scheme != "file" && u.Host == "" ||
		strings.ContainsAny(s, " \t") {
		el.errorf(rng, "Invalid URL",
			"The %s %q is not a URL pip can read: write an http, https or file URL without spaces, e.g. \"https://pypi.example.org/simple\".", what, s)
		return false
	}
	return true
}

// noBinary evaluates a pip block's no_binary: project names, or ":all:"
// or ":none:", as a list or one string (a == nil: none).
func (el *envLowerer) noBinary(a *hcl.Attribute) ([]string, bool) {
	if a == nil {
		return nil, true
	}
	var items []item
	ok := true
	if v, diags := el.ev.value(a.Expr); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
		items = []item{{Value: v.AsString(), Range: a.Expr.Range()}}
	} else {
		items, ok = el.strList(a, "no_binary")
	}
	out, valid := validItems(items, func(it item) bool {
		if (it.Value == ":all:" || it.Value == ":none:" || pipProjectPattern().MatchString(it.Value)) && len(it.Value) <= 256 {
			return true
		}
		el.errorf(it.Range, "Invalid project name",
			"%q is not a project pip builds from source: write project names (e.g. \"numpy\"), or \":all:\" for every project.", it.Value)
		return false
	})
	return out, ok && valid
}

// lowerDataFile lowers an attribute naming a file of the spec's folder
// that a package manager reads (what names it in messages; a == nil:
// none): the steps, the one copying it to dir/<its path in the spec's
// folder> (none when an earlier block copied it there), and that path.
func (el *envLowerer) lowerDataFile(a *hcl.Attribute, dir, what string) ([]ir.Step, string, bool) {
	if a == nil {
		return nil, "", true
	}
	src, ok := el.str(a, what)
	if !ok {
		return nil, "", false
	}
	rng := a.Expr.Range()
	if hasNUL(src) {
		el.errorf(rng, "Invalid character", "The %s contains a NUL byte. Remove it.", what)
		return nil, "", false
	}
	host, clean, found := el.fileSource(src, rng)
	if !found || !el.checkRegularFile(host, src, rng) {
		return nil, "", false
	}
	target := dir + "/" + clean
	if _, dup := el.targets[target]; dup && (el.dataFiles[target] || el.inheritedTargets[target]) {
		return nil, target, true
	}
	if !el.claimTarget(target, rng, nil) {
		return nil, "", false
	}
	if el.dataFiles == nil {
		el.dataFiles = map[string]bool{}
	}
	el.dataFiles[target] = true
	cf := ir.ContextFile{HostPath: host, ContextPath: "files/" + clean}
	el.env.ContextFiles = append(el.env.ContextFiles, cf)
	return []ir.Step{&ir.CopyStep{Source: cf.ContextPath, Target: target, Mode: 0o644, Range: rng}}, target, true
}

// baseTools returns the tools of the environment's base image.
func (el *envLowerer) baseTools() schema.ImageTools {
	ref, ok := schema.ParseImageRef(el.env.Base.Ref)
	if !ok {
		return schema.ImageTools{}
	}
	return schema.ImageToolsOf(ref)
}

var (
	// condaSpecPattern matches a conda match spec envc carries: an
	// optional channel, a name and version constraints.
	condaSpecPattern = lazyre.New(`^([A-Za-z0-9_][A-Za-z0-9._-]*::)?[A-Za-z0-9_][A-Za-z0-9._-]*([<>=!~]=?=?[A-Za-z0-9.*+!_-]+(,[<>=!~]=?=?[A-Za-z0-9.*+!_-]+)*)?$`)
	// condaChannelPattern matches a channel named by its name.
	condaChannelPattern = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$`)
	// condaEnvPattern matches a conda environment name.
	condaEnvPattern = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$`)
)

// lowerConda lowers a conda block: the environment file copied from the
// spec's folder, the run step installing with the base image's conda
// installer into its base environment or creating a named one, then an
// env step putting the environment's bin folder first on PATH. With a
// user, a run step as root first gives the user the conda installation
// (condaOwnCommand), and the install runs as the user, as upstream images
// install as their own user (mambauser, jovyan). envc
// installs no conda: a base image without one is an error.
func (el *envLowerer) lowerConda(st *schema.Step) []ir.Step {
	c := st.Conda
	tools := el.baseTools()
	installer, instOK := el.condaInstaller(c.Installer, tools, st.DeclRange)
	name, nameOK := "base", true
	if c.Name != nil {
		var s string
		if s, nameOK = el.str(c.Name, "conda environment name"); nameOK {
			if !condaEnvPattern().MatchString(s) || s == "envs" {
				el.errorf(c.Name.Expr.Range(), "Invalid conda environment name",
					"%q is not a conda environment name envc creates: use letters, digits, '_', '.' and '-' (up to 64), e.g. \"sim\"; leave name out for the base environment.", s)
				nameOK = false
			}
			name = s
		}
	}
	var pkgs, channels []string
	pkgsOK, chanOK := true, true
	if c.Packages != nil {
		items, ok := el.strList(c.Packages, "conda packages")
		pkgsOK = ok
		for _, it := range items {
			if !condaSpecPattern().MatchString(it.Value) || len(it.Value) > 256 {
				el.errorf(it.Range, "Invalid conda package",
					"%q is not a package envc installs with conda: write a name with optional versions, e.g. \"numpy=1.26\", \"python>=3.11,<3.13\" or \"conda-forge::gmsh\" (no URLs, paths or options).", it.Value)
				pkgsOK = false
				continue
			}
			pkgs = append(pkgs, it.Value)
		}
	}
	if c.Channels != nil {
		items, ok := el.strList(c.Channels, "conda channels")
		chanOK = ok
		for _, it := range items {
			if !condaChannelPattern().MatchString(it.Value) && !(strings.Contains(it.Value, "://") && el.checkIndexURL(it.Value, it.Range, "channel")) {
				if !strings.Contains(it.Value, "://") {
					el.errorf(it.Range, "Invalid conda channel",
						"%q is not a channel: write its name (e.g. \"conda-forge\") or its http, https or file URL.", it.Value)
				}
				chanOK = false
				continue
			}
			channels = append(channels, it.Value)
		}
	}
	steps, file, fileOK := el.lowerDataFile(c.File, condaDataDir, "environment file")
	user, userOK := el.stepUser(c.User, "user")
	if !instOK || !nameOK || !pkgsOK || !chanOK || !fileOK || !userOK {
		return nil
	}
	if len(pkgs) == 0 && file == "" {
		el.errorf(st.DeclRange, "No conda packages",
			"The conda block installs nothing. List packages, or name an environment file (file = \"environment.yml\").")
		return nil
	}
	prefix := schema.CondaRoot
	if name != "base" {
		prefix = schema.CondaRoot + "/envs/" + name
	}
	tool := schema.CondaTool(installer)
	m := &ir.ManagedInstall{Manager: "conda", Tool: tool, FromImage: true, Prefix: prefix, Packages: pkgs, Channels: channels, File: file}
	if user != "" {
		el.ensureUser(user, c.User.Expr.Range())
		steps = append(steps, &ir.RunStep{Command: condaOwnCommand(user), Shell: el.shell, Range: st.DeclRange})
	}
	steps = append(steps, &ir.RunStep{Command: condaCommand(installer, name, m), Shell: el.shell, User: user, Range: st.DeclRange, Managed: m})
	return append(steps, el.pathStep(prefix+"/bin", st.DeclRange)...)
}

// condaOwnCommand returns the command, run as root, that gives user the
// files of the conda installation it does not own yet, so that it can
// install into it: none in images whose conda is already the user's
// (micromamba's mambauser, Jupyter's jovyan), where the command then
// changes nothing; every file in the others. Symbolic links are changed
// themselves, never what they point to.
func condaOwnCommand(user string) string {
	q := shQuote(user)
	return "find " + schema.CondaRoot + " ! -user " + q + " -exec chown -h " + shQuote(user+":") + " {} +"
}

// condaInstaller evaluates a conda block's installer against the tools
// of the base image: the image's default when a == nil.
func (el *envLowerer) condaInstaller(a *hcl.Attribute, tools schema.ImageTools, rng hcl.Range) (string, bool) {
	want := ""
	if a != nil {
		s, ok := el.str(a, "installer")
		if !ok {
			return "", false
		}
		if s != "conda" && s != "mamba" && s != "micromamba" {
			el.errorf(a.Expr.Range(), "Invalid conda installer", "%q is not a conda installer: use \"micromamba\", \"conda\" or \"mamba\", or leave installer out for the base image's.", s)
			return "", false
		}
		want, rng = s, a.Expr.Range()
	}
	base := el.env.Base.Ref
	switch {
	case base == "":
		return "", false // reported with the base
	case len(tools.Conda) == 0:
		el.errorf(rng, "No conda in the base image",
			"A conda block runs the conda of the base image, and envc does not know %q to have one (it installs none: a conda installer is a download envc cannot pin). Start from an image that has one: %s; or install it in a step of your own and use a step to run it.",
			base, schema.ImagesWithConda)
		return "", false
	case want == "":
		return tools.Conda[0], true
	case !slices.Contains(tools.Conda, want):
		el.errorf(rng, "Installer not in the base image",
			"The base image %q has %s, not %s. Use installer = %q, or leave installer out.", base, strings.Join(tools.Conda, " and "), want, tools.Conda[0])
		return "", false
	}
	return want, true
}

// condaCommand returns the command that installs m with installer into
// the environment name, and cleans the package cache.
func condaCommand(installer, name string, m *ir.ManagedInstall) string {
	t := shQuote(m.Tool)
	var chans strings.Builder
	for _, ch := range m.Channels {
		chans.WriteString(" -c " + shQuote(ch))
	}
	pkgs := ""
	for _, p := range m.Packages {
		pkgs += " " + shQuote(p)
	}
	var cmds []string
	if installer == "micromamba" {
		verb := "install"
		if name != "base" {
			verb = "create"
		}
		cmd := t + " " + verb + " -y -r " + schema.CondaRoot + " -n " + shQuote(name) + chans.String()
		if m.File != "" {
			cmd += " -f " + shQuote(m.File)
		}
		cmds = append(cmds, cmd+pkgs, t+" clean -a -y")
		return strings.Join(cmds, " && ")
	}
	if m.File != "" {
		verb := "update"
		if name != "base" {
			verb = "create"
		}
		cmds = append(cmds, t+" env "+verb+" -n "+shQuote(name)+" -f "+shQuote(m.File))
	}
	if len(m.Packages) > 0 {
		verb := "install"
		if name != "base" && m.File == "" {
			verb = "create"
		}
		override := ""
		if len(m.Channels) > 0 {
			override = " --override-channels"
		}
		cmds = append(cmds, t+" "+verb+" -y -n "+shQuote(name)+override+chans.String()+pkgs)
	}
	cmds = append(cmds, t+" clean -a -y")
	return strings.Join(cmds, " && ")
}

// pathStep returns an env step putting dir first on PATH from here on,
// for the later steps and the run command; none when an earlier package
// manager block of the environment put it there.
func (el *envLowerer) pathStep(dir string, rng hcl.Range) []ir.Step {
	if el.pathDirs[dir] {
		return nil
	}
	if el.pathDirs == nil {
		el.pathDirs = map[string]bool{}
	}
	el.pathDirs[dir] = true
	return []ir.Step{&ir.EnvStep{Vars: []ir.EnvVar{{Name: "PATH", Value: ir.ParseWord(dir + ":${PATH}"), Range: rng}}, Range: rng}}
}

// pipxPackages are the names of the package that brings pipx, by
// distribution family; a family without one has none.
var pipxPackages = map[string]string{"debian": "pipx", "fedora": "pipx", "alpine": "pipx"}

// installsPackage reports whether an install step so far (of the
// environment, or of the one it builds on) installs the package name in
// every target and on every platform.
func (el *envLowerer) installsPackage(name string) bool {
	steps := el.env.Steps
	if el.parent != nil {
		steps = append(slices.Clip(el.parent.Steps), steps...)
	}
	for _, s := range steps {
		in, ok := s.(*ir.InstallStep)
		if !ok || in.Targets != nil || in.Platforms != nil {
			continue
		}
		for _, word := range in.Packages {
			if n, ok := PackageName(in.Manager, word); ok && n == name {
				return true
			}
		}
	}
	return false
}

// lowerPipx lowers a pipx block: the distribution's pipx package (for the
// environment's first pipx block, unless an install step already brings
// it), then a
// run step that installs each application with pipx into PipxHome, its
// programs into PipxBinDir, for every user (pip reads the index from
// PIP_INDEX_URL and PIP_TRUSTED_HOST, which every pip that pipx runs
// reads).
func (el *envLowerer) lowerPipx(st *schema.Step) []ir.Step {
	p := st.Pipx
	if p.Packages == nil {
		return nil
	}
	pkgs, ok := el.pipPackages(p.Packages, "pipx")
	index, indexOK := el.indexURL(p.IndexURL)
	trusted, trustedOK := el.trustedHosts(p.TrustedHosts)
	if !ok || !indexOK || !trustedOK {
		return nil
	}
	d := el.env.Distro
	if d == nil {
		el.installStep([]item{{Value: "pipx", Range: st.DeclRange}}, st.DeclRange) // says which os to add
		return nil
	}
	pkg, ok := pipxPackages[d.Family]
	if !ok {
		el.errorf(st.DeclRange, "No pipx package",
			"%s %s has no pipx package in its own repositories, and envc installs pipx only from the distribution. Use a pip block with a venv for each application instead, or a base of Debian, Ubuntu, Fedora or Alpine.", d.ID, d.Version)
		return nil
	}
	var steps []ir.Step
	if !el.pipxInstalled && el.installsPackage(pkg) {
		el.pipxInstalled = true
	}
	if !el.pipxInstalled {
		install := el.installStep([]item{{Value: pkg, Range: st.DeclRange}}, st.DeclRange)
		if install == nil {
			return nil
		}
		install.Recommends = el.recommends
		install.Range = st.DeclRange
		el.pipxInstalled = true
		steps = append(steps, install)
	}
	var b strings.Builder
	b.WriteString("export PIPX_HOME=" + PipxHome + " PIPX_BIN_DIR=" + PipxBinDir + " PIPX_MAN_DIR=/usr/local/share/man")
	if index != "" {
		b.WriteString(" PIP_INDEX_URL=" + shQuote(index))
	}
	if len(trusted) > 0 {
		b.WriteString(" PIP_TRUSTED_HOST=" + shQuote(strings.Join(trusted, " ")))
	}
	for _, pkg := range pkgs {
		b.WriteString(" && pipx install " + shQuote(pkg))
	}
	m := &ir.ManagedInstall{Manager: "pipx", Tool: "pipx", Prefix: PipxHome, Packages: pkgs}
	return append(steps, &ir.RunStep{Command: b.String(), Shell: el.shell, Range: st.DeclRange, Managed: m})
}

// juliaPackagePattern matches a package Pkg adds: a name, optionally
// with a version after "@".
var juliaPackagePattern = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*(@[0-9][0-9A-Za-z.+-]*)?$`)

// lowerJulia lowers a julia block: a run step that adds the packages with
// the base image's julia into JuliaDepot (and precompiles them), then an
// env step that makes JuliaDepot the depot of the later steps and the run
// command. A base image without julia is an error.
func (el *envLowerer) lowerJulia(st *schema.Step) []ir.Step {
	p := st.Julia
	if p.Packages == nil {
		return nil
	}
	items, ok := el.strList(p.Packages, "julia packages")
	pkgs, valid := validItems(items, func(it item) bool {
		if juliaPackagePattern().MatchString(it.Value) && len(it.Value) <= 256 {
			return true
		}
		el.errorf(it.Range, "Invalid Julia package",
			"%q is not a package envc adds with Pkg: write its name without .jl, optionally with a version, e.g. \"DifferentialEquations\" or \"JSON@0.21.4\".", it.Value)
		return false
	})
	ok = ok && valid
	var specs []string
	for _, pkg := range pkgs {
		name, ver, hasVer := strings.Cut(pkg, "@")
		spec := `Pkg.PackageSpec(name="` + name + `"`
		if hasVer {
			spec += `, version="` + ver + `"`
		}
		specs = append(specs, spec+")")
	}
	if ok && len(pkgs) == 0 {
		el.errorf(p.Packages.Expr.Range(), "No julia packages", "The julia block installs nothing. List packages, or remove it.")
		ok = false
	}
	tool := el.baseTools().Julia
	if el.env.Base.Ref != "" && tool == "" {
		el.errorf(st.DeclRange, "No julia in the base image",
			"A julia block runs the julia of the base image, and envc does not know %q to have one. Start from %s.", el.env.Base.Ref, schema.ImagesWithJulia)
		ok = false
	}
	if !ok || tool == "" {
		return nil
	}
	code := "using Pkg; Pkg.add([" + strings.Join(specs, ", ") + "]); Pkg.precompile()"
	cmd := "JULIA_DEPOT_PATH=" + JuliaDepot + " " + shQuote(tool) + " -e " + shQuote(code) + " && chmod -R a+rX " + JuliaDepot
	m := &ir.ManagedInstall{Manager: "julia", Tool: tool, FromImage: true, Prefix: JuliaDepot, Packages: pkgs}
	steps := []ir.Step{&ir.RunStep{Command: cmd, Shell: el.shell, Range: st.DeclRange, Managed: m}}
	if !el.juliaDepot {
		el.juliaDepot = true
		steps = append(steps, &ir.EnvStep{Vars: []ir.EnvVar{{Name: "JULIA_DEPOT_PATH", Value: ir.ParseWord(JuliaDepot), Range: st.DeclRange}}, Range: st.DeclRange})
	}
	return steps
}
