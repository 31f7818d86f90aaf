package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

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
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.load(args[0], &f, "")
			if err != nil {
				return err
			}
			if l.diags.HasErrors() {
				printDiags(a.stderr, l.files, l.diags, f.json)
				return errSpec
			}
			ts, _ := parseTargets(nil)
			for i, env := range l.envs {
				_, diags := emitAll([]*ir.Env{env}, ts, nil, true)
				if diags.HasErrors() {
					printDiags(a.stderr, l.files, diags, f.json)
					return errSpec
				}
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				explainEnv(a.stdout, env, firedRules(diags))
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

// explainEnv prints, for each construct env uses, what it is and how it
// lands in each target: the matrix's mapping and the rules that fired for
// env (a rule that fires only for some values shows its own mapping).
func explainEnv(w io.Writer, env *ir.Env, fired map[string]bool) {
	fmt.Fprintf(w, "environment %q (%s)\n", env.Name, filepath.Base(env.SpecFile))
	caps := emitters.MustCapabilities()
	for _, con := range emitters.Constructs {
		what, used := usage(env, con)
		if !used {
			continue
		}
		fmt.Fprintf(w, "  %s: %s\n", con, what)
		for _, c := range caps {
			if c.Construct != con {
				continue
			}
			var names []string
			for _, r := range c.Rules {
				if !fired[r.Name] {
					continue
				}
				if _, cond := c.When[r.Name]; cond && r.Mapping != c.Mapping {
					names = append(names, r.Name+": "+r.Mapping)
				} else {
					names = append(names, r.Name)
				}
			}
			line := fmt.Sprintf("    %-12s %-14s %s", c.Target, c.Mapping, c.How)
			if len(names) > 0 {
				line += " [" + strings.Join(names, "; ") + "]"
			}
			fmt.Fprintln(w, line)
		}
	}
}

// usage describes construct con of env in a few words, and reports
// whether env uses it.
func usage(env *ir.Env, con string) (string, bool) {
	var parts []string
	for _, s := range env.Steps {
		only := ""
		if ts, ok := env.StepTargets[s]; ok {
			only = " [only " + strings.Join(ts, ", ") + "]"
		}
		switch s := s.(type) {
		case *ir.InstallStep:
			if con == "packages" {
				parts = append(parts, strings.Join(s.Packages, " ")+" ("+string(s.Manager)+")"+only)
			}
		case *ir.CopyStep:
			switch {
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
			if con == "setup" {
				parts = append(parts, only)
			}
		}
	}
	switch con {
	case "base":
		if env.Base.Ref == "" {
			return "", false
		}
		s := env.Base.Ref
		if d := env.Distro; d != nil {
			s += " (" + d.ID + " " + d.Version + ")"
		}
		return s, true
	case "packages", "file":
		return strings.Join(parts, "; "), len(parts) > 0
	case "stage":
		var names []string
		for _, st := range env.Stages {
			n := st.Name + " (" + st.Base.Ref
			if st.From != "" {
				n += ", from " + st.From
			}
			names = append(names, n+")")
		}
		s := strings.Join(names, ", ")
		if len(parts) > 0 {
			s += "; copies " + strings.Join(parts, "; ")
		}
		return s, len(env.Stages) > 0
	case "from":
		return fmt.Sprintf("environment %s (its %d steps first)", env.From, env.FromSteps), env.From != ""
	case "repository":
		for _, r := range env.Repositories {
			parts = append(parts, r.Name+" "+r.URL)
		}
		return strings.Join(parts, "; "), len(parts) > 0
	case "platforms":
		return strings.Join(env.Platforms, " "), len(env.Platforms) > 0
	case "setup":
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
	case "env":
		var names []string
		for _, v := range env.Env {
			names = append(names, v.Name)
		}
		return strings.Join(names, " "), len(names) > 0
	case "user":
		// The run user, then every user the build creates with its
		// attributes.
		var users []string
		if env.User != "" {
			users = append(users, env.User+" (run user)")
		}
		for _, s := range env.Steps {
			u, ok := s.(*ir.UserStep)
			if !ok {
				continue
			}
			var attrs []string
			if u.UID != 0 {
				attrs = append(attrs, "uid "+strconv.Itoa(u.UID))
			}
			if u.GID != 0 {
				attrs = append(attrs, "gid "+strconv.Itoa(u.GID))
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
			if len(attrs) > 0 || u.Name != env.User {
				users = append(users, "creates "+strings.TrimSpace(u.Name+" "+strings.Join(attrs, " ")))
			}
		}
		if len(users) == 1 && env.User != "" {
			return env.User, true // only the run user, with no attributes
		}
		return strings.Join(users, "; "), len(users) > 0
	case "source":
		for i := len(env.Steps) - 1; i >= 0; i-- {
			if r, ok := env.Steps[i].(*ir.RunStep); ok && len(r.Source) > 0 {
				return strings.Join(r.Source, " "), true
			}
		}
		return "", false
	case "init":
		return "a minimal init as PID 1", env.Init
	case "entrypoint":
		return strconv.Quote(strings.Join(env.Entrypoint, " ")), env.Entrypoint != nil
	case "workdir":
		return env.Workdir, env.Workdir != ""
	case "run":
		return strconv.Quote(strings.Join(env.Run, " ")), env.Run != nil
	case "port":
		for _, p := range env.Ports {
			host := strconv.Itoa(p.Host)
			if p.HostIP != "" {
				host = p.HostIP + ":" + host
			}
			parts = append(parts, fmt.Sprintf("%s -> %d/%s", host, p.Guest, p.Protocol))
		}
		return strings.Join(parts, "; "), len(parts) > 0
	case "mount":
		for _, m := range env.Mounts {
			s := m.Source + " -> " + m.Target
			if m.ReadOnly {
				s += " (read-only)"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "; "), len(parts) > 0
	case "labels":
		for _, l := range env.Labels {
			if l.Key != ir.DescriptionLabel || env.Description == "" {
				parts = append(parts, l.Key)
			}
		}
		return strings.Join(parts, " "), len(parts) > 0
	case "description":
		return strconv.Quote(env.Description), env.Description != ""
	case "vm":
		if env.VM == (ir.VM{}) {
			return "", false
		}
		vm := env.VM
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
		return strings.Join(parts, ", "), true
	}
	return "", false
}
