package compiler

import (
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"mvdan.cc/sh/v3/syntax"
)

var (
	userPattern = regexp.MustCompile(`^[a-z_][a-z0-9_.-]*\$?$`)
)

// lowerEnvironment evaluates one environment block, or a stage block, and
// lowers it to IR. For a stage, visible are the stages declared before it.
func lowerEnvironment(l *lowerer, e *schema.Environment, visible []*ir.Env) (*ir.Env, hcl.Diagnostics) {
	ev, spec, opts := l.ev, l.spec, l.opts
	var diags hcl.Diagnostics
	env := &ir.Env{
		Name:      e.Name,
		SpecFile:  filepath.Base(spec.Filename),
		DeclRange: e.DeclRange,
	}

	// literal checks a value that every target must carry verbatim.
	literal := func(s string, rng hcl.Range, what string, allowNewline bool) bool {
		if why := valueProblem(s, allowNewline); why != "" {
			summary := "Invalid character"
			if len(s) > maxValue && !hasNUL(s) {
				summary = "Value too long"
			}
			diags = append(diags, errorAt(rng, summary, "The %s %s. Change the value, or move the text into a file.", what, why))
			return false
		}
		return true
	}
	if spec.Filename != "" && magicComment.MatchString(filepath.Base(spec.Filename)) {
		diags = append(diags, errorAt(e.DeclRange, "Spec file name cannot be carried",
			"The spec file name %q would be read by Ruby as an encoding comment (\"coding:\" or \"-*-\") on the Vagrantfile's first line, which names the spec. Rename the spec file.", filepath.Base(spec.Filename)))
	}

	if e.Description != nil {
		s, moreDiags := ev.str(e.Description.Expr, "description")
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() && literal(s, e.Description.Expr.Range(), "description", false) {
			if why := labelValueProblem(s); why != "" {
				diags = append(diags, errorAt(e.Description.Expr.Range(), "Invalid description",
					"The description becomes the label %s, and %s. Change the description.", ir.DescriptionLabel, why))
			} else {
				env.Description = s
			}
		}
	}

	// What the environment builds on: another environment (or stage),
	// flattened, or a base image.
	var parent *ir.Env
	if e.From != nil {
		var name string
		parent, name = l.from(e, visible, &diags)
		if parent == nil || !checkBuiltOn(e, &diags) {
			return env, diags
		}
		env.Base, env.Distro = parent.Base, parent.Distro
		env.From, env.FromRange = name, e.From.Expr.Range()
	}
	if e.Stage {
		env.Stages = visible
		if parent != nil {
			env.Stages = append(slices.Clone(visible), parent.Stages...)
		}
	} else {
		if parent != nil {
			env.Stages = slices.Clone(parent.Stages)
		}
		l.lowerStages(e, env, &diags)
	}

	// Base image and distro.
	var imageDistro *ir.Distro // the distribution the image's name tells
	if e.Base != nil && parent == nil {
		s, moreDiags := ev.str(e.Base.Expr, "base image")
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			// As strict as what BuildKit and Docker parse the reference with.
			ref, ok := schema.ParseImageRef(s)
			if !ok {
				diags = append(diags, errorAt(e.Base.Expr.Range(), "Invalid image reference",
					"%q is not a valid image reference. Write it as name:tag, e.g. \"ubuntu:22.04\" or \"quay.io/org/image:1.0\".", s))
			} else {
				env.Base = ir.Image{Ref: s, Canonical: ref.Canonical(), Range: e.Base.Expr.Range()}
				if d, ok := schema.LookupImage(ref); ok {
					imageDistro = irDistro(d)
					env.Base.DistroFromName = true
					if e.OS == nil {
						env.Distro = imageDistro
					}
				}
			}
		}
	}
	if e.OS != nil {
		s, moreDiags := ev.str(e.OS.Expr, "os")
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			if d, ok := schema.LookupOS(s); ok {
				env.Base.DistroFromName = imageDistro != nil && imageDistro.ID == d.ID && imageDistro.Version == d.Version
				env.Distro = irDistro(d)
			} else {
				diags = append(diags, errorAt(e.OS.Expr.Range(), "Unknown distribution",
					"envc does not know the distribution %q. Use one of: %s.", s, strings.Join(schema.KnownOS(), ", ")))
			}
		}
	}

	// Packages, with or without their recommended packages.
	recommends := false
	if e.Recommends != nil {
		b, moreDiags := ev.boolean(e.Recommends.Expr, "recommends")
		diags = append(diags, moreDiags...)
		recommends = b
	}
	var install *ir.InstallStep
	if e.Packages != nil {
		items, moreDiags := ev.strList(e.Packages.Expr, "packages")
		diags = append(diags, moreDiags...)
		install, moreDiags = installStep(env, e.OS != nil, items, e.Packages.Expr.Range())
		diags = append(diags, moreDiags...)
		if install != nil {
			install.Recommends = recommends
		}
	}

	// Environment variables.
	var envStep *ir.EnvStep
	if e.Env != nil {
		items, moreDiags := ev.strMap(e.Env.Expr, "env")
		diags = append(diags, moreDiags...)
		seen := map[string]hcl.Range{}
		var vars []ir.EnvVar
		for _, it := range items {
			if !ir.ValidName(it.Key) {
				diags = append(diags, errorAt(it.KeyRange, "Invalid environment variable name",
					"%q is not a valid variable name: use letters, digits and underscores, not starting with a digit.", it.Key))
				continue
			}
			if prev, dup := seen[it.Key]; dup {
				diags = append(diags, errorAt(it.KeyRange, "Duplicate environment variable", "The variable %q was already set at %s.", it.Key, prev))
				continue
			}
			seen[it.Key] = it.KeyRange
			if !literal(it.Value, it.Range, "value of "+it.Key, false) {
				continue
			}
			vars = append(vars, ir.EnvVar{Name: it.Key, Value: ir.ParseWord(it.Value), Range: it.Range})
		}
		if len(vars) > 0 {
			envStep = &ir.EnvStep{Vars: vars, Range: e.Env.Expr.Range()}
		}
	}

	// Files.
	var copies []ir.Step
	targets := map[string]hcl.Range{}
	for _, f := range e.Files {
		step, cf, moreDiags := lowerFile(ev, f, opts, targets)
		diags = append(diags, moreDiags...)
		if step != nil {
			copies = append(copies, step)
			env.ContextFiles = append(env.ContextFiles, cf)
		}
	}

	// Setup steps.
	var runs []ir.Step
	if e.Setup != nil {
		items, moreDiags := ev.strList(e.Setup.Expr, "setup")
		diags = append(diags, moreDiags...)
		for _, it := range items {
			if diag := commandProblem(it.Value, it.Range, "setup step"); diag != nil {
				diags = append(diags, diag)
				continue
			}
			runs = append(runs, &ir.RunStep{Command: it.Value, Shell: "sh", Range: it.Range})
		}
	}

	// User and workdir.
	if e.User != nil {
		s, moreDiags := ev.str(e.User.Expr, "user")
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			if !userPattern.MatchString(s) {
				diags = append(diags, errorAt(e.User.Expr.Range(), "Invalid user name",
					"%q is not a portable user name: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", s))
			} else {
				env.User, env.UserRange = s, e.User.Expr.Range()
			}
		}
	}
	if e.Workdir != nil {
		s, moreDiags := ev.str(e.Workdir.Expr, "workdir")
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() && checkAbs(s, e.Workdir.Expr.Range(), "workdir", &diags) && literal(s, e.Workdir.Expr.Range(), "workdir", false) {
			env.Workdir, env.WorkdirRange = path.Clean(s), e.Workdir.Expr.Range()
		}
	}

	// Run command and entrypoint.
	if e.Run != nil {
		if argv, ok := lowerArgv(ev, e.Run, "run command", "Run command", literal, &diags); ok {
			env.Run, env.RunRange = argv, e.Run.Expr.Range()
		}
	}
	if e.Init != nil {
		b, moreDiags := ev.boolean(e.Init.Expr, "init")
		diags = append(diags, moreDiags...)
		env.Init, env.InitRange = b, e.Init.Expr.Range()
	}
	if e.Entrypoint != nil {
		if argv, ok := lowerArgv(ev, e.Entrypoint, "entrypoint", "Entrypoint", literal, &diags); ok {
			env.Entrypoint, env.EntrypointRange = argv, e.Entrypoint.Expr.Range()
		}
	}

	// Labels.
	if e.Labels != nil {
		items, moreDiags := ev.strMap(e.Labels.Expr, "labels")
		diags = append(diags, moreDiags...)
		seen := map[string]bool{}
		for _, it := range items {
			if !literal(it.Key, it.KeyRange, "label key", false) || !literal(it.Value, it.Range, "label value", false) {
				continue
			}
			if why := labelKeyProblem(it.Key); why != "" {
				diags = append(diags, errorAt(it.KeyRange, "Invalid label key", "The label key %q cannot be carried: %s.", it.Key, why))
				continue
			}
			if why := labelValueProblem(it.Value); why != "" {
				diags = append(diags, errorAt(it.Range, "Invalid label value", "The value of the label %q cannot be carried: %s.", it.Key, why))
				continue
			}
			seen[it.Key] = true
			env.Labels = append(env.Labels, ir.KeyValue{Key: it.Key, Value: it.Value, Range: it.Range})
		}
		if env.Description != "" && !seen[ir.DescriptionLabel] {
			env.Labels = append(env.Labels, ir.KeyValue{Key: ir.DescriptionLabel, Value: env.Description, Range: e.Description.Expr.Range()})
		}
	} else if env.Description != "" {
		env.Labels = append(env.Labels, ir.KeyValue{Key: ir.DescriptionLabel, Value: env.Description, Range: e.Description.Expr.Range()})
	}

	// Ports, mounts, VM.
	diags = append(diags, lowerPorts(ev, e, env)...)
	diags = append(diags, lowerMounts(ev, e, env, opts)...)
	if e.VM != nil {
		diags = append(diags, lowerVM(ev, e.VM, env)...)
	}

	// The repositories first, then v1's fixed order, as one arrangement
	// of the general step list.
	env.Steps = append(env.Steps, lowerRepositories(ev, e, env, &diags)...)
	if install != nil {
		env.Steps = append(env.Steps, install)
	}
	env.Steps = append(env.Steps, copies...)
	if envStep != nil {
		env.Steps = append(env.Steps, envStep)
	}
	env.Steps = append(env.Steps, runs...)
	// Then the step blocks, which create the run user before the first
	// step that needs it.
	made := map[string]bool{}
	var inheritedSource []string
	inheritedWrapper := ""
	if parent != nil {
		made = madeUsers(parent.Steps)
		inheritedSource = parent.Source
		if len(parent.Source) > 0 && len(parent.Entrypoint) > 0 {
			inheritedWrapper = parent.Entrypoint[0]
		}
	}
	lowerSteps(ev, e, env, opts, targets, recommends, made, &diags)
	wrapper := lowerSource(ev, e, env, inheritedSource, inheritedWrapper, &diags)
	owner := ""
	if env.User != "" && env.User != "root" {
		owner = env.User
	}
	if env.Workdir != "" {
		env.Steps = append(env.Steps, &ir.WorkdirStep{Path: env.Workdir, Owner: owner, Range: env.WorkdirRange})
	}
	warnCopyIntoLaterFolder(env.Steps, &diags)
	if e.Platforms != nil {
		lowerPlatforms(ev, e.Platforms, env, &diags)
	}
	if parent != nil {
		inherit(env, parent, e)
	}
	if e.Stage {
		env.Stages = nil
		if parent != nil {
			env.Stages = parent.Stages
		}
	} else {
		pruneStages(env, e.Stages, &diags)
	}
	if wrapper != "" {
		env.Entrypoint = append([]string{wrapper}, env.Entrypoint...)
		if env.EntrypointRange == (hcl.Range{}) {
			env.EntrypointRange = env.SourceRange
		}
	}
	return env, diags
}

// lowerArgv evaluates an argv attribute (the run command, the entrypoint):
// a non-empty list of literal strings whose first element names the
// program. what names it in text, title at the start of a summary.
func lowerArgv(ev *evaluator, a *hcl.Attribute, what, title string, literal func(string, hcl.Range, string, bool) bool, diags *hcl.Diagnostics) ([]string, bool) {
	items, moreDiags := ev.strList(a.Expr, what)
	*diags = append(*diags, moreDiags...)
	if moreDiags.HasErrors() {
		return nil, false
	}
	if len(items) == 0 {
		*diags = append(*diags, errorAt(a.Expr.Range(), "Empty "+what,
			"The %s needs at least the program to run, e.g. [\"python3\", \"main.py\"]. Remove the argument for no %s.", what, what))
	}
	argv := make([]string, 0, len(items))
	ok := len(items) > 0
	for _, it := range items {
		ok = literal(it.Value, it.Range, strings.TrimSuffix(what, " command")+" argument", true) && ok
		argv = append(argv, it.Value)
	}
	if total := len(strings.Join(argv, "")); ok && total > maxCommand {
		*diags = append(*diags, errorAt(a.Expr.Range(), title+" too long",
			"The %s is %d bytes long; envc carries %ss of up to %d bytes. Put a long script in a file block and run it.", what, total, what, maxCommand))
		ok = false
	}
	if ok && argv[0] == "" {
		*diags = append(*diags, errorAt(items[0].Range, "Empty program name", "The first element of the %s is the program to run and must not be empty.", what))
		ok = false
	}
	return argv, ok
}

// installStep validates package names and returns the step installing
// them with env's package manager; nil when there is nothing to install or
// no way to. osSet says whether the environment names its distribution.
func installStep(env *ir.Env, osSet bool, items []item, rng hcl.Range) (*ir.InstallStep, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var pkgs []string
	seen := map[string]bool{}
	for _, it := range items {
		if !isPackageWord(it.Value) || len(it.Value) > 256 {
			diags = append(diags, errorAt(it.Range, "Invalid package name",
				"%q is not a package name: a name starts with a letter or digit and holds no spaces or shell characters (a version constraint such as \"pkg=1.2.*\" is fine).", it.Value))
			continue
		}
		if env.Distro != nil {
			if why := packageProblem(env.Distro.Manager, it.Value); why != "" {
				diags = append(diags, errorAt(it.Range, "Invalid package name", "%q %s.", it.Value, why))
				continue
			}
		}
		if seen[it.Value] {
			continue
		}
		seen[it.Value] = true
		pkgs = append(pkgs, it.Value)
	}
	if len(pkgs) == 0 {
		return nil, diags
	}
	if env.Distro == nil && !osSet && env.Base.Ref != "" {
		diags = append(diags, errorAt(env.Base.Range, "Unknown distribution",
			"envc cannot tell which distribution the image %q is based on, so it does not know how to install packages. Add os = \"<distro>:<version>\" to the environment, using one of: %s.",
			env.Base.Ref, strings.Join(schema.KnownOS(), ", ")))
		return nil, diags
	}
	if env.Distro == nil {
		return nil, diags
	}
	return &ir.InstallStep{Manager: env.Distro.Manager, Packages: pkgs, Range: rng}, diags
}

// commandProblem checks a shell command of a step (what names it, e.g.
// "setup step"), which runs as its own `sh -c`.
func commandProblem(cmd string, rng hcl.Range, what string) *hcl.Diagnostic {
	return shellCommandProblem(cmd, rng, what, false)
}

// shellCommandProblem is commandProblem for sh, or for bash when bash is
// set.
func shellCommandProblem(cmd string, rng hcl.Range, what string, bash bool) *hcl.Diagnostic {
	switch {
	case hasNUL(cmd):
		return errorAt(rng, "Invalid character", "The %s contains a NUL byte. Remove it.", what)
	case strings.TrimSpace(cmd) == "":
		return errorAt(rng, "Empty "+what, "This %s has no command. Remove it.", what)
	case !utf8.ValidString(cmd):
		return errorAt(rng, "Invalid character", "The %s is not valid UTF-8.", what)
	case len(cmd) > maxCommand:
		return errorAt(rng, strings.ToUpper(what[:1])+what[1:]+" too long",
			"The %s is %d bytes long; envc carries steps of up to %d bytes. Put a long script in a file block and run it.", what, len(cmd), maxCommand)
	}
	lang, name := syntax.LangPOSIX, "POSIX sh"
	if bash {
		lang, name = syntax.LangBash, "bash"
	}
	if _, err := syntax.NewParser(syntax.Variant(lang)).Parse(strings.NewReader(cmd), ""); err != nil {
		return errorAt(rng, "Invalid shell command",
			"The %s is not a valid "+name+" command: %v. Each step runs as its own `sh -c`; fix the quoting, or escape a shell ${VAR} as $${VAR} in HCL.", what, err)
	}
	return nil
}

func irDistro(d schema.Distro) *ir.Distro {
	return &ir.Distro{ID: d.ID, Version: d.Version, Codename: d.Codename, Family: d.Family, Manager: ir.PackageManager(d.Manager), Box: d.Box, BoxURL: d.BoxURL}
}

func checkAbs(p string, rng hcl.Range, what string, diags *hcl.Diagnostics) bool {
	if !strings.HasPrefix(p, "/") {
		*diags = append(*diags, errorAt(rng, "Relative path",
			"The %s %q must be an absolute path inside the environment, such as \"/%s\".", what, p, strings.TrimLeft(p, "./")))
		return false
	}
	return true
}

// parseFileMode reads a mode attribute: octal text of at least three
// digits, at most 07777.
func parseFileMode(ms string) (uint32, bool) {
	m, err := strconv.ParseUint(ms, 8, 32)
	return uint32(m), err == nil && m <= 0o7777 && len(ms) >= 3
}

func lowerFile(ev *evaluator, f *schema.File, opts Options, targets map[string]hcl.Range) (*ir.CopyStep, ir.ContextFile, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var cf ir.ContextFile
	if f.Source == nil || f.Target == nil {
		return nil, cf, nil
	}
	src, moreDiags := ev.str(f.Source.Expr, "file source")
	diags = append(diags, moreDiags...)
	dst, moreDiags := ev.str(f.Target.Expr, "file target")
	diags = append(diags, moreDiags...)
	mode := uint32(0o644)
	if f.Mode != nil {
		ms, moreDiags := ev.str(f.Mode.Expr, "file mode")
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			if m, ok := parseFileMode(ms); !ok {
				diags = append(diags, errorAt(f.Mode.Expr.Range(), "Invalid file mode", "%q is not a file mode: write it in octal as a string, e.g. \"0644\" or \"0755\".", ms))
			} else {
				mode = m
			}
		}
	}
	srcRange, dstRange := f.Source.Expr.Range(), f.Target.Expr.Range()
	ok := !diags.HasErrors()
	if hasNUL(src) {
		diags = append(diags, errorAt(srcRange, "Invalid character", "The file source contains a NUL byte. Remove it."))
		return nil, cf, diags
	}
	if hasNUL(dst) {
		diags = append(diags, errorAt(dstRange, "Invalid character", "The file target contains a NUL byte. Remove it."))
		return nil, cf, diags
	}
	if why := valueProblem(dst, false); why != "" {
		diags = append(diags, errorAt(dstRange, "Invalid file target", "The file target %s. Change it.", why))
		ok = false
	}
	if dst == "" && !ok {
		// The target did not evaluate; its error is already reported.
	} else if !checkAbs(dst, dstRange, "file target", &diags) {
		ok = false
	} else if strings.HasSuffix(dst, "/") || path.Clean(dst) == "/" {
		diags = append(diags, errorAt(dstRange, "Invalid file target", "The file target %q must name the file to create, not a directory (e.g. %q).", dst, path.Join(dst, path.Base(src))))
		ok = false
	}
	dst = path.Clean(dst)
	if prev, dup := targets[dst]; ok && dup {
		diags = append(diags, errorAt(dstRange, "Duplicate file target", "Another file is already copied to %q at %s.", dst, prev))
		ok = false
	}
	// The source must stay inside the spec's directory and be a regular file.
	if filepath.IsAbs(src) {
		diags = append(diags, errorAt(srcRange, "Absolute file source",
			"The file source %q must be relative to the spec's directory, so the spec works on every checkout. Move the file next to the spec.", src))
		return nil, cf, diags
	}
	clean := path.Clean(filepath.ToSlash(src))
	if clean == ".." || strings.HasPrefix(clean, "../") || clean == "." {
		diags = append(diags, errorAt(srcRange, "File source outside the spec's directory",
			"The file source %q leaves the spec's directory. Keep copied files in the spec's directory or below it.", src))
		return nil, cf, diags
	}
	if why := valueProblem(clean, false); why != "" {
		diags = append(diags, errorAt(srcRange, "Invalid file source", "The file source %s. Rename the file.", why))
		return nil, cf, diags
	}
	if why := copySourceProblem(clean); why != "" {
		diags = append(diags, errorAt(srcRange, "File name cannot be copied", "The file source %q cannot be copied: %s. Rename the file.", src, why))
		return nil, cf, diags
	}
	host := filepath.Join(opts.SpecDir, filepath.FromSlash(clean))
	if diag := checkInside(opts.SpecDir, host, src, srcRange); diag != nil {
		return nil, cf, append(diags, diag)
	}
	st, err := os.Stat(host)
	switch {
	case err != nil:
		diags = append(diags, errorAt(srcRange, "File not found",
			"The file source %q does not exist (looked for it relative to the spec's directory). Create it, or correct the path.", src))
		return nil, cf, diags
	case st.IsDir():
		diags = append(diags, errorAt(srcRange, "File source is a directory",
			"The file source %q is a directory; a file block copies one file. Add one file block per file.", src))
		return nil, cf, diags
	case !st.Mode().IsRegular():
		diags = append(diags, errorAt(srcRange, "File source is not a regular file", "The file source %q is not a regular file.", src))
		return nil, cf, diags
	}
	if !ok {
		return nil, cf, diags
	}
	targets[dst] = dstRange
	cf = ir.ContextFile{HostPath: host, ContextPath: "files/" + clean}
	return &ir.CopyStep{Source: cf.ContextPath, Target: dst, Mode: mode, Range: f.DeclRange}, cf, diags
}

func lowerPorts(ev *evaluator, e *schema.Environment, env *ir.Env) hcl.Diagnostics {
	var diags hcl.Diagnostics
	type key struct {
		port  int
		proto string
	}
	hostSeen := map[key]hcl.Range{}
	guestSeen := map[key]hcl.Range{}
	for _, p := range e.Ports {
		if p.Guest == nil {
			continue
		}
		var port ir.Port
		port.Range = p.DeclRange
		ok := true
		checkPort := func(a *hcl.Attribute, what string) int {
			n, moreDiags := ev.integer(a.Expr, what)
			diags = append(diags, moreDiags...)
			if moreDiags.HasErrors() {
				ok = false
				return 0
			}
			if n < 1 || n > 65535 {
				diags = append(diags, errorAt(a.Expr.Range(), "Port out of range", "The %s %d is not a port number: use 1 to 65535.", what, n))
				ok = false
			}
			return n
		}
		port.Guest = checkPort(p.Guest, "guest port")
		port.Host = port.Guest
		if p.Host != nil {
			port.Host = checkPort(p.Host, "host port")
		}
		port.Protocol = "tcp"
		if p.Protocol != nil {
			s, moreDiags := ev.str(p.Protocol.Expr, "protocol")
			diags = append(diags, moreDiags...)
			if s != "tcp" && s != "udp" && !moreDiags.HasErrors() {
				diags = append(diags, errorAt(p.Protocol.Expr.Range(), "Invalid protocol", "The protocol must be \"tcp\" or \"udp\", not %q.", s))
				ok = false
			}
			port.Protocol = s
		}
		if p.HostIP != nil {
			s, moreDiags := ev.str(p.HostIP.Expr, "host_ip")
			diags = append(diags, moreDiags...)
			if !moreDiags.HasErrors() && net.ParseIP(s) == nil {
				diags = append(diags, errorAt(p.HostIP.Expr.Range(), "Invalid host_ip", "%q is not an IP address; use e.g. \"127.0.0.1\", or leave host_ip out to listen on all addresses.", s))
				ok = false
			}
			port.HostIP = s
		}
		if !ok {
			continue
		}
		hk, gk := key{port.Host, port.Protocol}, key{port.Guest, port.Protocol}
		if prev, dup := hostSeen[hk]; dup {
			diags = append(diags, errorAt(p.DeclRange, "Duplicate port", "Host port %d/%s is already forwarded at %s. Use a different host port.", port.Host, port.Protocol, prev))
			continue
		}
		if prev, dup := guestSeen[gk]; dup {
			diags = append(diags, errorAt(p.DeclRange, "Duplicate port", "Guest port %d/%s is already published at %s. Publish each guest port once.", port.Guest, port.Protocol, prev))
			continue
		}
		hostSeen[hk], guestSeen[gk] = p.DeclRange, p.DeclRange
		env.Ports = append(env.Ports, port)
	}
	return diags
}

func lowerMounts(ev *evaluator, e *schema.Environment, env *ir.Env, opts Options) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	for _, m := range e.Mounts {
		if m.Source == nil || m.Target == nil {
			continue
		}
		src, moreDiags := ev.str(m.Source.Expr, "mount source")
		diags = append(diags, moreDiags...)
		dst, moreDiags2 := ev.str(m.Target.Expr, "mount target")
		diags = append(diags, moreDiags2...)
		ro := false
		if m.ReadOnly != nil {
			b, moreDiags := ev.boolean(m.ReadOnly.Expr, "read_only setting")
			diags = append(diags, moreDiags...)
			ro = b
		}
		if moreDiags.HasErrors() || moreDiags2.HasErrors() {
			continue
		}
		if why := valueProblem(src, false); why != "" {
			diags = append(diags, errorAt(m.Source.Expr.Range(), "Invalid mount source", "The mount source %s. Change it.", why))
			continue
		}
		if why := valueProblem(dst, false); why != "" {
			diags = append(diags, errorAt(m.Target.Expr.Range(), "Invalid mount target", "The mount target %s. Change it.", why))
			continue
		}
		if src == "" {
			diags = append(diags, errorAt(m.Source.Expr.Range(), "Empty mount source", "The mount source must name a host directory, e.g. \".\" for the spec's directory."))
			continue
		}
		if !checkAbs(dst, m.Target.Expr.Range(), "mount target", &diags) {
			continue
		}
		dst = path.Clean(dst)
		if why := mountTargetProblem(dst); why != "" {
			diags = append(diags, errorAt(m.Target.Expr.Range(), "Mount target cannot be carried", "In the mount target %q, %s.", dst, why))
			continue
		}
		if why := mountSourceProblem(src); why != "" {
			diags = append(diags, errorAt(m.Source.Expr.Range(), "Mount source cannot be carried", "In the mount source %q, %s.", src, why))
			continue
		}
		if prev, dup := seen[dst]; dup {
			diags = append(diags, errorAt(m.DeclRange, "Duplicate mount", "Something is already mounted at %q (at %s). Mount each target once.", dst, prev))
			continue
		}
		seen[dst] = m.DeclRange
		msrc := mountSource(src, e.Name, opts)
		if why := mountSourceProblem(msrc); why != "" {
			diags = append(diags, errorAt(m.Source.Expr.Range(), "Mount source cannot be carried",
				"The mount source resolves to %q relative to the output folder, and %s. Choose another output folder.", msrc, why))
			continue
		}
		env.Mounts = append(env.Mounts, ir.Mount{Source: msrc, Target: dst, ReadOnly: ro, Range: m.DeclRange})
	}
	return diags
}

// mountSource returns src (relative to the spec's directory, or absolute)
// as seen from the environment's output folder.
func mountSource(src, envName string, opts Options) string {
	if filepath.IsAbs(src) {
		return filepath.ToSlash(filepath.Clean(src))
	}
	if opts.OutDir == "" {
		return path.Clean(filepath.ToSlash(src))
	}
	from, err1 := filepath.Abs(filepath.Join(opts.OutDir, envName))
	to, err2 := filepath.Abs(filepath.Join(opts.SpecDir, src))
	if err1 != nil || err2 != nil {
		return path.Clean(filepath.ToSlash(src))
	}
	rel, err := filepath.Rel(from, to)
	if err != nil {
		return filepath.ToSlash(to)
	}
	return filepath.ToSlash(rel)
}

func lowerVM(ev *evaluator, v *schema.VM, env *ir.Env) hcl.Diagnostics {
	var diags hcl.Diagnostics
	vm := ir.VM{Range: v.DeclRange}
	str := func(a *hcl.Attribute, what string) string {
		if a == nil {
			return ""
		}
		s, moreDiags := ev.str(a.Expr, what)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			if why := valueProblem(s, false); why != "" {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid character", "The %s %s. Change it.", what, why))
				return ""
			}
		}
		return s
	}
	num := func(a *hcl.Attribute, what string, lo, hi int, unit string) int {
		if a == nil {
			return 0
		}
		n, moreDiags := ev.integer(a.Expr, what)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() && (n < lo || n > hi) {
			diags = append(diags, errorAt(a.Expr.Range(), "Value out of range", "The %s must be between %d and %d%s; %d is not.", what, lo, hi, unit, n))
			return 0
		}
		return n
	}
	vm.Box = str(v.Box, "box")
	vm.BoxVersion = str(v.BoxVersion, "box_version")
	vm.BoxURL = str(v.BoxURL, "box_url")
	vm.Name = str(v.Name, "VM name")
	vm.CPUs = num(v.CPUs, "cpus", 1, 1024, "")
	vm.Memory = num(v.Memory, "memory", 128, 16*1024*1024, " MiB")
	env.VM = vm
	return diags
}

// String helps debugging.
func (it item) String() string { return fmt.Sprintf("%s=%s", it.Key, it.Value) }
