package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

func (a *app) explainCommand() *cobra.Command {
	var f specFlags
	cmd := &cobra.Command{
		Use:   "explain SPEC",
		Short: "Show how each construct of a spec lands in each target",
		Long: `For each environment of SPEC, list the constructs it uses and, for each
target, how the construct lands there: native (the target says it itself),
emulated (envc builds it from other means), declared-only (recorded, but not
in effect) or unsupported, with the names of the warnings it raises. The
mapping comes from the same capability matrix as the README's table.
Nothing is written. Exits 1 when the spec has errors.`,
		Args:              exactArgs(1),
		ValidArgsFunction: completeSpec,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, r, err := a.loadReporting(args[0], &f, "")
			if err != nil {
				return err
			}
			// explain shows every rule, those off by default and those
			// ignored too: it is the full picture.
			if l.diags.HasErrors() {
				return r.report(l.diags, nil)
			}
			ts, _ := parseTargets(nil)
			var envs []explained
			for _, env := range l.envs {
				_, diags := emitAll([]*ir.Env{env}, ts, nil, true, int64(f.maxFileSize))
				if diags.HasErrors() {
					return r.report(append(l.diags, diags...), nil)
				}
				envs = append(envs, explainEnv(env, firedRules(diags)))
			}
			if r.format == formatJSON {
				writeJSON(a.stdout, struct {
					Environments []explained `json:"environments"`
				}{envs})
				return nil
			}
			for i, e := range envs {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				e.writeText(a.stdout)
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// firedRules returns the names of the rules the warnings come from.
func firedRules(diags hcl.Diagnostics) map[string]bool {
	out := map[string]bool{}
	for _, d := range diags {
		if x, ok := d.Extra.(emitters.RuleExtra); ok {
			out[x.Rule.Name] = true
		}
	}
	return out
}

// explained is how an environment's constructs land in each target.
type explained struct {
	Name       string             `json:"name"`
	Spec       string             `json:"spec"`
	Constructs []explainConstruct `json:"constructs"`
	// Views are the environment as each target (and, where steps differ
	// by platform, each platform) resolves it, when they differ.
	Views []explainView `json:"views,omitempty"`
}

// explainView is what one target, or one platform, resolves.
type explainView struct {
	Target   string `json:"target,omitempty"`
	Platform string `json:"platform,omitempty"`
	// Resolved says it in a few words: the run command, entrypoint,
	// run directory and variables of a target; the steps of a platform.
	Resolved string `json:"resolved"`
}

// explainConstruct is one construct the environment uses.
type explainConstruct struct {
	Construct string `json:"construct"`
	// Uses says in a few words what the environment has of it.
	Uses    string          `json:"uses"`
	Targets []explainTarget `json:"targets"`
}

// explainTarget is how a construct lands in one target.
type explainTarget struct {
	Target  string        `json:"target"`
	Mapping string        `json:"mapping"`
	How     string        `json:"how"`
	Rules   []explainRule `json:"rules,omitempty"`
}

// explainRule is a rule that fired for the construct.
type explainRule struct {
	Name string `json:"name"`
	// Mapping is the rule's own when it fires only for some values and
	// differs from the cell's.
	Mapping string `json:"mapping,omitempty"`
	// Off is set for a rule that is off by default (compile and validate
	// leave its warning out unless --all-warnings).
	Off bool `json:"off_by_default,omitempty"`
}

// explainEnv returns, for each construct env uses, what it is and how it
// lands in each target: the matrix's mapping and the rules that fired for
// env (a rule that fires only for some values shows its own mapping).
func explainEnv(env *ir.Env, fired map[string]bool) explained {
	out := explained{Name: env.Name, Spec: filepath.Base(env.SpecFile), Constructs: []explainConstruct{}}
	caps := emitters.MustCapabilities()
	for _, con := range emitters.Constructs {
		what, used := usage(env, con)
		if !used {
			continue
		}
		ec := explainConstruct{Construct: con, Uses: what}
		for _, c := range caps {
			if c.Construct != con {
				continue
			}
			et := explainTarget{Target: c.Target, Mapping: c.Mapping, How: howFor(env, c)}
			for _, r := range c.Rules {
				if !fired[r.Name] {
					continue
				}
				er := explainRule{Name: r.Name, Off: r.Off}
				if _, cond := c.When[r.Name]; cond && r.Mapping != c.Mapping {
					er.Mapping = r.Mapping
				}
				et.Rules = append(et.Rules, er)
			}
			ec.Targets = append(ec.Targets, et)
		}
		out.Constructs = append(out.Constructs, ec)
	}
	out.Views = resolvedViews(env)
	return out
}

// resolvedViews returns, when some target gives run-time values of its
// own (target blocks) or some steps are for some platforms, what each
// target and each platform resolves.
func resolvedViews(env *ir.Env) []explainView {
	var views []explainView
	limited := false
	for _, s := range env.Steps {
		limited = limited || s.StepTargets() != nil
	}
	if env.Overrides != nil || limited {
		for _, t := range emitters.Targets {
			v := env.ForTarget(t)
			var parts []string
			if a, ok := argvText(v.Entrypoint); ok {
				parts = append(parts, "entrypoint "+a)
			}
			if a, ok := argvText(v.Run); ok {
				parts = append(parts, "run "+a)
			}
			if v.Workdir != "" {
				parts = append(parts, "workdir "+v.Workdir)
			}
			var vars []string
			for _, ev := range v.RunEnv() {
				vars = append(vars, ev.Name+"="+strconv.Quote(ev.Value.String()))
			}
			if len(vars) > 0 {
				parts = append(parts, "env "+strings.Join(vars, " "))
			}
			parts = append(parts, plural(len(v.Steps), "step"))
			views = append(views, explainView{Target: t, Resolved: strings.Join(parts, "; ")})
		}
	}
	if env.PlatformLimited() {
		for _, p := range env.Platforms {
			v := env.ForPlatform(p)
			s := plural(len(v.Steps), "step")
			var own []string
			for i, st := range env.Steps {
				if slices.Contains(st.StepPlatforms(), p) {
					own = append(own, strconv.Itoa(i+1))
				}
			}
			if len(own) > 0 {
				s += ", its own: " + strings.Join(own, ", ")
			}
			if vars := platformValues(env, p); vars != "" {
				s += "; " + vars
			}
			views = append(views, explainView{Platform: p, Resolved: s})
		}
	}
	return views
}

// usageTarget names the targets that give run-time values of their own,
// and which.
func usageTarget(env *ir.Env) (string, bool) {
	var parts []string
	for _, o := range env.Overrides {
		var what []string
		if o.EntrypointSet {
			what = append(what, "entrypoint")
		}
		if o.RunSet {
			what = append(what, "run")
		}
		if o.HasEnv {
			what = append(what, "env")
		}
		if o.Workdir != "" {
			what = append(what, "workdir")
		}
		parts = append(parts, o.Target+" ("+strings.Join(what, ", ")+")")
	}
	return joined(parts, "; ")
}

// platformValues describes the values env's variables take on platform
// where they differ by platform: the run command's (env, resolved as it
// sees them) and those of the build alone that steps of some platforms
// set (build_env), "" for none.
func platformValues(env *ir.Env, platform string) string {
	if !env.PlatformValues() {
		return ""
	}
	var parts []string
	_, per := env.PlatformRunEnv()
	var vars []string
	for _, ev := range per[slices.Index(env.Platforms, platform)] {
		vars = append(vars, ev.Name+"="+strconv.Quote(ev.Value.String()))
	}
	if len(vars) > 0 {
		parts = append(parts, "env "+strings.Join(vars, " "))
	}
	vars = nil
	for _, s := range env.Steps {
		if es, ok := s.(*ir.EnvStep); ok && es.BuildOnly && slices.Contains(es.Platforms, platform) {
			for _, ev := range es.Vars {
				vars = append(vars, ev.Name+"="+strconv.Quote(ev.Value.String()))
			}
		}
	}
	if len(vars) > 0 {
		parts = append(parts, "build_env "+strings.Join(vars, " "))
	}
	return strings.Join(parts, "; ")
}

// platformSteps describes the steps limited to some platforms (their
// numbers, counted from 1, and platforms).
func platformSteps(env *ir.Env) []string {
	var parts []string
	for i, s := range env.Steps {
		if ps := s.StepPlatforms(); ps != nil {
			parts = append(parts, fmt.Sprintf("step %d (%s) for %s", i+1, shellKind(s), strings.Join(ps, ", ")))
		}
	}
	return parts
}

// shellKind names the kind of a step limited to some platforms.
func shellKind(s ir.Step) string {
	switch s := s.(type) {
	case *ir.InstallStep:
		return "packages"
	case *ir.EnvStep:
		if s.BuildOnly {
			return "build_env"
		}
		return "env"
	}
	return "run"
}

// writeText prints e as lines: the environment, each construct with what
// it uses, and a line per target with the rules in brackets.
func (e explained) writeText(w io.Writer) {
	fmt.Fprintf(w, "environment %q (%s)\n", e.Name, e.Spec)
	for _, ec := range e.Constructs {
		fmt.Fprintf(w, "  %s: %s\n", ec.Construct, ec.Uses)
		for _, et := range ec.Targets {
			var names []string
			for _, r := range et.Rules {
				n := r.Name
				if r.Mapping != "" {
					n += ": " + r.Mapping
				}
				if r.Off {
					n += ", off by default"
				}
				names = append(names, n)
			}
			line := fmt.Sprintf("    %-12s %-14s %s", et.Target, et.Mapping, et.How)
			if len(names) > 0 {
				line += " [" + strings.Join(names, "; ") + "]"
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(e.Views) > 0 {
		fmt.Fprintln(w, "  resolved:")
		for _, v := range e.Views {
			who := v.Target
			if who == "" {
				who = v.Platform
			}
			fmt.Fprintf(w, "    %-12s %s\n", who, v.Resolved)
		}
	}
}

// howFor returns how the capability c lands for env: the matrix's words,
// made to fit env where they depend on its values (a Vagrant synced folder
// gets mount_options ro only for a read-only mount).
func howFor(env *ir.Env, c *emitters.Capability) string {
	if c.Construct != "mount" || c.Target != "vagrant" {
		return c.How
	}
	ro := 0
	for _, m := range env.Mounts {
		if m.ReadOnly {
			ro++
		}
	}
	switch ro {
	case 0:
		return "synced_folder"
	case len(env.Mounts):
		return "synced_folder, mount_options ro"
	}
	return "synced_folder (mount_options ro for the read-only ones)"
}

// usage describes construct con of env in a few words, and reports
// whether env uses it.
func usage(env *ir.Env, con string) (string, bool) {
	if u, ok := usages[con]; ok {
		return u(env)
	}
	return "", false
}

// usages describe each construct for usage.
var usages = map[string]func(env *ir.Env) (string, bool){
	"base":        usageBase,
	"packages":    func(env *ir.Env) (string, bool) { return joined(stepParts(env, "packages"), "; ") },
	"file":        func(env *ir.Env) (string, bool) { return joined(stepParts(env, "file"), "; ") },
	"stage":       usageStage,
	"module":      usageModule,
	"from":        usageFrom,
	"repository":  usageRepository,
	"platforms":   func(env *ir.Env) (string, bool) { return joined(env.Platforms, " ") },
	"setup":       usageSetup,
	"pip":         usagePip,
	"conda":       func(env *ir.Env) (string, bool) { return joined(managedParts(env, "conda"), "; ") },
	"pipx":        func(env *ir.Env) (string, bool) { return joined(managedParts(env, "pipx"), "; ") },
	"julia":       func(env *ir.Env) (string, bool) { return joined(managedParts(env, "julia"), "; ") },
	"env":         usageEnv,
	"build_env":   usageBuildEnv,
	"run_env":     usageRunEnv,
	"user":        usageUser,
	"source":      usageSource,
	"shell":       usageShell,
	"init":        func(env *ir.Env) (string, bool) { return "a minimal init as PID 1", env.Init },
	"entrypoint":  func(env *ir.Env) (string, bool) { return argvText(env.Entrypoint) },
	"workdir":     func(env *ir.Env) (string, bool) { return env.Workdir, env.Workdir != "" },
	"run":         func(env *ir.Env) (string, bool) { return argvText(env.Run) },
	"port":        usagePort,
	"mount":       usageMount,
	"gpu":         usageGPU,
	"healthcheck": usageHealthcheck,
	"hpc":         usageHPC,
	"labels":      usageLabels,
	"description": func(env *ir.Env) (string, bool) { return strconv.Quote(env.Description), env.Description != "" },
	"vm":          usageVM,
	"step platforms": func(env *ir.Env) (string, bool) {
		return joined(platformSteps(env), "; ")
	},
	"target": usageTarget,
}

// joined returns parts joined by sep, and whether there are any.
func joined(parts []string, sep string) (string, bool) {
	return strings.Join(parts, sep), len(parts) > 0
}

// argvText quotes an argv as one string; a nil argv is not used.
func argvText(argv []string) (string, bool) {
	return strconv.Quote(strings.Join(argv, " ")), argv != nil
}

// stepParts describes each step of construct con ("packages", "file",
// "stage" for the copies from a stage, "setup"), with the targets it is
// limited to.
func stepParts(env *ir.Env, con string) []string {
	var parts []string
	for i, s := range env.Steps {
		only := ""
		if ts := s.StepTargets(); ts != nil {
			only = " [only " + strings.Join(ts, ", ") + "]"
		}
		if ps := s.StepPlatforms(); ps != nil {
			only += " [platforms " + strings.Join(ps, ", ") + "]"
		}
		switch s := s.(type) {
		case *ir.InstallStep:
			if con == "packages" {
				parts = append(parts, strings.Join(s.Packages, " ")+" ("+string(s.Manager)+")"+only)
			}
		case *ir.CopyStep:
			switch {
			case con == "file" && s.Files != nil:
				n := 0
				for _, f := range s.Files {
					if !f.Dir {
						n++
					}
				}
				parts = append(parts, fmt.Sprintf("%s -> %s (folder, %d files, their modes)%s", s.Source, s.Target, n, only))
			case con == "file" && s.Stage == "":
				parts = append(parts, fmt.Sprintf("%s -> %s (%04o)%s", s.Source, s.Target, s.Mode, only))
			case con == "stage" && s.Stage != "":
				mode := "modes kept"
				if s.Mode != 0 {
					mode = fmt.Sprintf("%04o", s.Mode)
				}
				parts = append(parts, fmt.Sprintf("stage.%s:%s -> %s (%s)%s", s.Stage, s.Source, s.Target, mode, only))
			}
		case *ir.RunStep:
			if con == "setup" && s.Pip == nil && s.Managed == nil && !preparesManager(env.Steps, i) {
				parts = append(parts, only)
			}
		}
	}
	return parts
}

// preparesManager reports whether steps[i] is a run step that a package
// manager block lowered to before its install (a conda block's giving
// its user the conda installation): the next step installs, from the
// same block.
func preparesManager(steps []ir.Step, i int) bool {
	if i+1 >= len(steps) {
		return false
	}
	r, ok := steps[i].(*ir.RunStep)
	next, nextOK := steps[i+1].(*ir.RunStep)
	return ok && nextOK && next.Managed != nil && r.Range == next.Range
}

// usagePip describes each pip step: where it installs what, and from
// which index.
func usagePip(env *ir.Env) (string, bool) {
	var parts []string
	for _, s := range env.Steps {
		r, ok := s.(*ir.RunStep)
		if !ok || r.Pip == nil {
			continue
		}
		p := strings.Join(r.Pip.Requirements, " ") + " (" + r.Pip.Location
		if r.Pip.IndexURL != "" {
			p += ", index " + r.Pip.IndexURL
		}
		if r.Pip.Constraints != "" {
			p += ", constraints " + r.Pip.Constraints
		}
		parts = append(parts, p+")")
	}
	return joined(parts, "; ")
}

// managedParts describes each step of the package manager m (conda,
// pipx, julia): what it installs, with what, where, and as whom when not
// as root.
func managedParts(env *ir.Env, m string) []string {
	var parts []string
	for _, s := range env.Steps {
		r, ok := s.(*ir.RunStep)
		if !ok || r.Managed == nil || r.Managed.Manager != m {
			continue
		}
		what := strings.Join(r.Managed.Packages, " ")
		if r.Managed.File != "" {
			what = strings.TrimSpace(r.Managed.File + " " + what)
		}
		as := ""
		if r.User != "" {
			as = ", as " + r.User
		}
		parts = append(parts, what+" ("+r.Managed.Tool+" into "+r.Managed.Prefix+as+")")
	}
	return parts
}

// usageModule names each module call with its file and the steps it
// made, the stages' first.
func usageModule(env *ir.Env) (string, bool) {
	var parts []string
	for _, st := range env.Stages {
		for _, m := range st.Modules {
			parts = append(parts, fmt.Sprintf("stage.%s: %s (%s, %d steps)", st.Name, m.Call, m.Source, m.Steps))
		}
	}
	for _, m := range env.Modules {
		parts = append(parts, fmt.Sprintf("%s (%s, %d steps)", m.Call, m.Source, m.Steps))
	}
	return joined(parts, "; ")
}

func usageBase(env *ir.Env) (string, bool) {
	if env.Base.Ref == "" {
		return "", false
	}
	s := env.Base.Ref
	if d := env.Distro; d != nil {
		s += " (" + d.ID + " " + d.Version + ")"
	}
	return s, true
}

func usageStage(env *ir.Env) (string, bool) {
	var names []string
	for _, st := range env.Stages {
		n := st.Name + " (" + st.Base.Ref
		if st.From != "" {
			n += ", from " + st.From
		}
		names = append(names, n+")")
	}
	s := strings.Join(names, ", ")
	if copies := stepParts(env, "stage"); len(copies) > 0 {
		s += "; copies " + strings.Join(copies, "; ")
	}
	return s, len(env.Stages) > 0
}

func usageFrom(env *ir.Env) (string, bool) {
	return fmt.Sprintf("environment %s (its %d steps first)", env.From, env.FromSteps), env.From != ""
}

func usageRepository(env *ir.Env) (string, bool) {
	var parts []string
	for _, r := range env.Repositories() {
		parts = append(parts, r.Name+" "+r.URL)
	}
	return joined(parts, "; ")
}

func usageSetup(env *ir.Env) (string, bool) {
	parts := stepParts(env, "setup")
	s := strconv.Itoa(len(parts)) + " commands"
	if len(parts) == 1 {
		s = "1 command"
	}
	var limited []string
	for _, p := range parts {
		if p != "" {
			limited = append(limited, strings.TrimPrefix(p, " "))
		}
	}
	if len(limited) > 0 {
		s += ", " + strings.Join(limited, " ")
	}
	return s, len(parts) > 0
}

func usageEnv(env *ir.Env) (string, bool) {
	var names []string
	for _, v := range env.RunEnv() {
		names = append(names, v.Name)
	}
	return joined(names, " ")
}

func usageBuildEnv(env *ir.Env) (string, bool) {
	var names []string
	for _, s := range env.Steps {
		if es, ok := s.(*ir.EnvStep); ok && es.BuildOnly {
			for _, v := range es.Vars {
				names = append(names, v.Name)
			}
		}
	}
	return joined(names, " ")
}

func usageRunEnv(env *ir.Env) (string, bool) {
	var names []string
	for _, v := range env.RunVars {
		if v.Required {
			names = append(names, v.Name+" (from the caller)")
		} else {
			names = append(names, v.Name)
		}
	}
	return joined(names, " ")
}

// usageUser gives the run user, then every user the build creates with
// its attributes.
func usageUser(env *ir.Env) (string, bool) {
	var users []string
	imageRun := false // the run user is the base image's
	if env.User != "" {
		run := env.User + " (run user)"
		if uid, gid, hasGID, ok := ir.NumericUser(env.User); ok {
			run = env.User + " (run user: uid " + strconv.Itoa(uid)
			for _, s := range env.Steps {
				if u, ok := s.(*ir.UserStep); ok && u.UID == uid {
					run += ", " + u.Name
				}
			}
			if hasGID {
				run += ", group " + strconv.Itoa(gid)
			}
			run += ")"
		}
		users = append(users, run)
	}
	for _, s := range env.Steps {
		if u, ok := s.(*ir.UserStep); ok {
			attrs := userAttrs(u)
			switch {
			case u.ImageUID != 0 && u.Name == env.User:
				// The containers keep the base image's account; a
				// machine, booting a box, creates it.
				users[0] = u.Name + " (run user: the base image's, " + imageIDs(u) + ")"
				imageRun = true
			case u.ImageUID != 0:
				users = append(users, "keeps the base image's "+u.Name+" ("+imageIDs(u)+")")
			case len(attrs) > 0 || u.Name != env.User:
				users = append(users, "creates "+strings.TrimSpace(u.Name+" "+strings.Join(attrs, " ")))
			}
		}
	}
	if len(users) == 1 && env.User != "" && !imageRun {
		return env.User, true // only the run user, with no attributes
	}
	return joined(users, "; ")
}

// imageIDs describes the ids of a user the base image ships.
func imageIDs(u *ir.UserStep) string {
	return "uid " + strconv.Itoa(u.ImageUID) + ", gid " + strconv.Itoa(u.ImageGID) + "; a machine creates it"
}

// userAttrs describes the attributes a user step sets.
func userAttrs(u *ir.UserStep) []string {
	var attrs []string
	if u.UID != 0 {
		attrs = append(attrs, "uid "+strconv.Itoa(u.UID))
	}
	if u.TakeOver {
		attrs = append(attrs, "(taking the uid over from the user holding it)")
	}
	if u.GID != 0 {
		attrs = append(attrs, "gid "+strconv.Itoa(u.GID)+" (the group holding it, or a new one)")
	}
	if u.Home != "" {
		attrs = append(attrs, "home "+u.Home)
	}
	if u.Shell != "" {
		attrs = append(attrs, "shell "+u.Shell)
	}
	if len(u.Groups) > 0 {
		attrs = append(attrs, "groups "+strings.Join(u.Groups, ","))
	}
	return attrs
}

func usageSource(env *ir.Env) (string, bool) {
	for i := len(env.Steps) - 1; i >= 0; i-- {
		if r, ok := env.Steps[i].(*ir.RunStep); ok && len(r.Source) > 0 {
			return strings.Join(r.Source, " "), true
		}
	}
	return "", false
}

func usageShell(env *ir.Env) (string, bool) {
	n := 0
	for _, s := range env.Steps {
		if r, ok := s.(*ir.RunStep); ok && r.Shell == "bash" {
			n++
		}
	}
	steps := fmt.Sprintf("%d run steps", n)
	if n == 1 {
		steps = "1 run step"
	}
	if env.Shell == "bash" {
		return "bash: " + steps + " and the run-time scripts", true
	}
	return "bash for " + steps, n > 0
}

func usagePort(env *ir.Env) (string, bool) {
	var parts []string
	for _, p := range env.Ports {
		host := strconv.Itoa(p.Host)
		if p.HostIP != "" {
			host = p.HostIP + ":" + host
		}
		parts = append(parts, fmt.Sprintf("%s -> %d/%s", host, p.Guest, p.Protocol))
	}
	return joined(parts, "; ")
}

func usageMount(env *ir.Env) (string, bool) {
	var parts []string
	for _, m := range env.Mounts {
		s := m.Source + " -> " + m.Target
		if m.ReadOnly {
			s += " (read-only)"
		}
		parts = append(parts, s)
	}
	return joined(parts, "; ")
}

func usageLabels(env *ir.Env) (string, bool) {
	var parts []string
	for _, l := range env.Labels {
		if l.Key != ir.DescriptionLabel || env.Description == "" {
			parts = append(parts, l.Key)
		}
	}
	return joined(parts, " ")
}

func usageVM(env *ir.Env) (string, bool) {
	vm := env.VM
	if vm == (ir.VM{}) {
		return "", false
	}
	var parts []string
	if vm.Box != "" {
		parts = append(parts, "box "+vm.Box)
	}
	if vm.BoxVersion != "" {
		parts = append(parts, "version "+vm.BoxVersion)
	}
	if vm.CPUs != 0 {
		parts = append(parts, strconv.Itoa(vm.CPUs)+" CPUs")
	}
	if vm.Memory != 0 {
		parts = append(parts, strconv.Itoa(vm.Memory)+" MiB")
	}
	if vm.Name != "" {
		parts = append(parts, "name "+strconv.Quote(vm.Name))
	}
	if vm.GUI {
		parts = append(parts, "gui")
	}
	if vm.ForwardAgent {
		parts = append(parts, "ssh agent forwarded")
	}
	if vm.Reboot {
		parts = append(parts, "reboot after provisioning")
	}
	if vb := vm.VirtualBox; vb != (ir.VirtualBox{}) {
		var o []string
		if vb.LinkedClone {
			o = append(o, "linked clone")
		}
		if vb.DefaultNICType != "" {
			o = append(o, "NIC "+vb.DefaultNICType)
		}
		parts = append(parts, "virtualbox: "+strings.Join(o, ", "))
	}
	if lv := vm.Libvirt; lv != (ir.Libvirt{}) {
		var o []string
		if lv.Driver != "" {
			o = append(o, "driver "+lv.Driver)
		}
		if lv.CPUMode != "" {
			o = append(o, "CPU mode "+lv.CPUMode)
		}
		if lv.Nested {
			o = append(o, "nested")
		}
		parts = append(parts, "libvirt: "+strings.Join(o, ", "))
	}
	return strings.Join(parts, ", "), true
}

func usageGPU(env *ir.Env) (string, bool) {
	g := env.GPU
	if g == nil {
		return "", false
	}
	count := "all"
	if g.Count > 0 {
		count = strconv.Itoa(g.Count)
	}
	return fmt.Sprintf("%s %s GPUs (%s)", count, g.Vendor, strings.Join(g.Capabilities, ", ")), true
}

func usageHealthcheck(env *ir.Env) (string, bool) {
	h := env.Healthcheck
	if h == nil {
		return "", false
	}
	s, _ := argvText(h.Test)
	var opts []string
	for _, o := range []struct {
		name string
		d    time.Duration
	}{{"every", h.Interval}, {"timeout", h.Timeout}, {"start period", h.StartPeriod}} {
		if o.d != 0 {
			opts = append(opts, o.name+" "+o.d.String())
		}
	}
	if h.Retries != 0 {
		opts = append(opts, strconv.Itoa(h.Retries)+" retries")
	}
	if len(opts) > 0 {
		s += " (" + strings.Join(opts, ", ") + ")"
	}
	return s, true
}

func usageHPC(env *ir.Env) (string, bool) {
	h := env.HPC
	if h == nil {
		return "", false
	}
	var parts []string
	for _, b := range h.Binds {
		s := b.Source
		if b.Target != b.Source {
			s += " -> " + b.Target
		}
		if b.ReadOnly {
			s += " (read-only)"
		}
		parts = append(parts, "bind "+s)
	}
	if h.MPI != "" {
		parts = append(parts, "MPI "+h.MPI+" (the host's launcher starts a container per rank)")
	}
	if len(parts) == 0 {
		return "declared, empty", true
	}
	return strings.Join(parts, "; "), true
}
