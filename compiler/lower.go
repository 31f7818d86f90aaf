package compiler

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"mvdan.cc/sh/v3/syntax"
)

// envLowerer lowers one environment block, or one stage block, to an
// ir.Env. lower calls its lowerX methods, one per concern, in a fixed
// order (the order in which their problems are reported); each appends
// its problems to diags and returns only its value.
type envLowerer struct {
	ev   *evaluator
	opts Options
	// l is the spec's lowerer, which lowers the environments from names.
	l *lowerer
	// e is the block lowered.
	e *schema.Environment
	// env is the environment under construction.
	env *ir.Env
	// parent is what env is built on (from), once resolved; nil for an
	// environment on a base image.
	parent *ir.Env
	// visible are the stages a stage's from may name: the stages declared
	// before it in its environment. Nil for an environment.
	visible []*ir.Env
	diags   hcl.Diagnostics

	// recommends is the environment's recommends, the default of its
	// packages steps.
	recommends bool
	// shell is the environment's shell, "sh" or "bash" (lowerShell): the
	// shell of its run steps that name none.
	shell string
	// targets holds the copy targets so far, each with where it is set.
	targets map[string]hcl.Range
	// inheritedTargets marks the targets copied by what the environment
	// builds on (and by no copy of its own yet).
	inheritedTargets map[string]bool
	// users is what the step blocks know of the users; see lowerSteps.
	users userState
	// failedStages names the stages of the environment that had errors:
	// a copy from one, or a stage built on one, adds no error of its own.
	failedStages map[string]bool
	// scope is where the blocks being lowered were written (the spec, or
	// a module file); blocks counts the blocks lowered (modules.go).
	scope  *scope
	blocks int
	// runDirs counts the run-directory steps addWorkdirStep appended.
	runDirs int
	// dataFiles holds the targets of the files package manager blocks
	// copied (a constraints file, an environment file), which a later
	// block reading the same file copies no more; pathDirs the folders
	// they put on PATH; juliaDepot is set once JULIA_DEPOT_PATH is, and
	// pipxInstalled once a step installs pipx.
	dataFiles     map[string]bool
	pathDirs      map[string]bool
	juliaDepot    bool
	pipxInstalled bool
}

func newEnvLowerer(l *lowerer, e *schema.Environment, visible []*ir.Env) *envLowerer {
	el := &envLowerer{
		ev:      l.ev,
		opts:    l.opts,
		l:       l,
		e:       e,
		visible: visible,
		env: &ir.Env{
			Name:      e.Name,
			SpecFile:  filepath.Base(l.spec.Filename),
			DeclRange: e.DeclRange,
		},
		targets: map[string]hcl.Range{},
	}
	el.scope = el.specScope()
	el.ev = &evaluator{ctx: el.scope.ctx, watch: l.ev.watch}
	return el
}

// lower evaluates the block and lowers it to IR. The environment it
// returns is complete only when diags holds no error.
func (el *envLowerer) lower() *ir.Env {
	el.checkSpecName()
	el.lowerDescription()
	if el.e.From != nil && !el.lowerFrom() {
		return el.env
	}
	el.lowerStages()
	el.lowerBase()
	el.lowerShell()
	shorthand := el.lowerShorthand()
	el.lowerRuntime()
	el.lowerTargets()
	el.lowerLabels()
	el.lowerPorts()
	el.lowerMounts()
	el.lowerVM()
	el.lowerContract()
	// The repositories first, then v1's fixed order, as one arrangement
	// of the general step list; then the step blocks.
	repositories := el.lowerRepositories()
	el.env.Steps = append(el.env.Steps, repositories...)
	el.env.Steps = append(el.env.Steps, shorthand...)
	el.lowerSteps()
	el.targetEnvSteps()
	el.lowerRunVars()
	wrapper := el.lowerSource()
	el.installBash()
	el.addWorkdirStep()
	el.warnCopyIntoLaterFolder()
	el.lowerPlatforms()
	if el.parent != nil {
		el.inherit()
	}
	if !el.e.Stage {
		el.checkStepPlatforms()
	}
	el.checkEnvScopes()
	el.settleStages()
	el.prependWrapper(wrapper)
	return el.env
}

// lowerShorthand lowers v1's packages, env, file blocks and setup, in
// that order, to the steps they stand for, in v1's order: the packages,
// the files, the variables, the setup commands.
func (el *envLowerer) lowerShorthand() []ir.Step {
	var steps []ir.Step
	install := el.lowerPackages()
	envStep := el.lowerEnvVars()
	buildEnv := el.lowerEnvStep(el.e.BuildEnv, true)
	copies := el.lowerFiles()
	runs := el.lowerSetup()
	if install != nil {
		steps = append(steps, install)
	}
	steps = append(steps, copies...)
	if envStep != nil {
		steps = append(steps, envStep)
	}
	if buildEnv != nil {
		steps = append(steps, buildEnv)
	}
	return append(steps, runs...)
}

// lowerSetup lowers the setup attribute to its run steps.
func (el *envLowerer) lowerSetup() []ir.Step {
	if el.e.Setup == nil {
		return nil
	}
	items, _ := el.strList(el.e.Setup, "setup")
	var runs []ir.Step
	for _, it := range items {
		if diag := shellCommandProblem(it.Value, it.Range, "setup step", el.shell == "bash"); diag != nil {
			el.diags = append(el.diags, diag)
			continue
		}
		runs = append(runs, &ir.RunStep{Command: it.Value, Shell: el.shell, Range: it.Range})
	}
	return runs
}

// checkSpecName reports a spec file name that the Vagrantfile, whose first
// line names it, cannot carry.
func (el *envLowerer) checkSpecName() {
	name := el.l.spec.Filename
	if name != "" && magicComment().MatchString(filepath.Base(name)) {
		el.errorf(el.e.DeclRange, "Spec file name cannot be carried",
			"The spec file name %q would be read by Ruby as an encoding comment (\"coding:\" or \"-*-\") on the Vagrantfile's first line, which names the spec. Rename the spec file.", filepath.Base(name))
	}
}

// addWorkdirStep makes the run directories (runDirSteps), owned by the
// run user, as the last steps: the targets set the run directory with
// them.
func (el *envLowerer) addWorkdirStep() {
	steps := el.runDirSteps()
	el.runDirs = len(steps)
	el.env.Steps = append(el.env.Steps, steps...)
}

// prependWrapper puts the source wrapper (lowerSource) in front of the
// entrypoint.
func (el *envLowerer) prependWrapper(wrapper string) {
	env := el.env
	if wrapper == "" {
		return
	}
	for i := range env.Overrides {
		if o := &env.Overrides[i]; o.EntrypointSet {
			o.Entrypoint = append([]string{wrapper}, o.Entrypoint...)
		}
	}
	env.Entrypoint = append([]string{wrapper}, env.Entrypoint...)
	if env.EntrypointRange == (hcl.Range{}) {
		env.EntrypointRange = env.SourceRange
	}
}

// errorf reports an error at rng.
func (el *envLowerer) errorf(rng hcl.Range, summary, detail string, args ...any) {
	el.diags = append(el.diags, errorAt(rng, summary, detail, args...))
}

// warn reports lint's warning at rng.
func (el *envLowerer) warn(lint *Lint, rng hcl.Range, detail string, args ...any) {
	el.diags = append(el.diags, lint.Warn(rng, detail, args...))
}

// report appends diags and says whether they hold no error.
func (el *envLowerer) report(diags hcl.Diagnostics) bool {
	el.diags = append(el.diags, diags...)
	return !diags.HasErrors()
}

// The evaluator's methods, for an attribute: each reports the problems
// and says whether there was no error.

func (el *envLowerer) str(a *hcl.Attribute, what string) (string, bool) {
	s, diags := el.ev.str(a.Expr, what)
	return s, el.report(diags)
}

func (el *envLowerer) strList(a *hcl.Attribute, what string) ([]item, bool) {
	items, diags := el.ev.strList(a.Expr, what)
	return items, el.report(diags)
}

// validItems returns the values of the items valid accepts (valid
// reports the others), in order, and whether it accepted every one.
func validItems(items []item, valid func(item) bool) ([]string, bool) {
	var out []string
	ok := true
	for _, it := range items {
		if !valid(it) {
			ok = false
			continue
		}
		out = append(out, it.Value)
	}
	return out, ok
}

func (el *envLowerer) strMap(a *hcl.Attribute, what string) ([]item, bool) {
	items, diags := el.ev.strMap(a.Expr, what)
	return items, el.report(diags)
}

func (el *envLowerer) boolean(a *hcl.Attribute, what string) (bool, bool) {
	b, diags := el.ev.boolean(a.Expr, what)
	return b, el.report(diags)
}

func (el *envLowerer) integer(a *hcl.Attribute, what string) (int, bool) {
	n, diags := el.ev.integer(a.Expr, what)
	return n, el.report(diags)
}

// literal checks a value that every target must carry verbatim (what
// names it) and reports why it cannot be.
func (el *envLowerer) literal(s string, rng hcl.Range, what string, allowNewline bool) bool {
	why := valueProblem(s, allowNewline)
	if why == "" {
		return true
	}
	summary := "Invalid character"
	if len(s) > maxValue && !hasNUL(s) {
		summary = "Value too long"
	}
	el.errorf(rng, summary, "The %s %s. Change the value, or move the text into a file.", what, why)
	return false
}

// checkAbs reports a path p (what names it) that is not absolute.
func (el *envLowerer) checkAbs(p string, rng hcl.Range, what string) bool {
	if !strings.HasPrefix(p, "/") {
		el.errorf(rng, "Relative path",
			"The %s %q must be an absolute path inside the environment, such as \"/%s\".", what, p, strings.TrimLeft(p, "./"))
		return false
	}
	return true
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

// parseFileMode reads a mode attribute: octal text of at least three
// digits, at most 07777.
func parseFileMode(ms string) (uint32, bool) {
	m, err := strconv.ParseUint(ms, 8, 32)
	return uint32(m), err == nil && m <= 0o7777 && len(ms) >= 3
}

// String helps debugging.
func (it item) String() string { return fmt.Sprintf("%s=%s", it.Key, it.Value) }
