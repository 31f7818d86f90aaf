package ir

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump renders env as stable, line-oriented text: one line per value,
// strings Go-quoted, stages indented under their environment. It is the
// IR golden of every golden case (want/<env>/ir.txt) and a debugging aid;
// no tool parses it.
func Dump(env *Env) string {
	var b strings.Builder
	dump(&b, env, "env", "")
	return b.String()
}

func dump(b *strings.Builder, env *Env, kind, indent string) {
	p := func(format string, args ...any) { fmt.Fprintf(b, indent+format+"\n", args...) }
	q := strconv.Quote
	dumpHead(p, env, kind)
	for _, st := range env.Stages {
		dump(b, st, "stage", indent+"  ")
	}
	for _, m := range env.Modules {
		p("  module %s from %s (%d steps)", m.Call, q(m.Source), m.Steps)
	}
	for i, s := range env.Steps {
		dumpStep(p, i, s)
	}
	dumpRun(p, env)
	dumpRuntime(p, env)
	for _, f := range env.ContextFiles {
		p("  context %s", q(f.ContextPath))
	}
}

// dumpHead writes what env is and is built on, with p.
func dumpHead(p func(format string, args ...any), env *Env, kind string) {
	q := strconv.Quote
	p("%s %s", kind, q(env.Name))
	p("  spec %s", q(env.SpecFile))
	if env.Description != "" {
		p("  description %s", q(env.Description))
	}
	p("  base %s (%s)", q(env.Base.Ref), env.Base.Canonical)
	if d := env.Distro; d != nil {
		p("  distro %s %s family=%s manager=%s box=%s", d.ID, d.Version, d.Family, d.Manager, q(d.Box))
	}
	if env.From != "" {
		p("  from %s (first %d steps)", q(env.From), env.FromSteps)
	}
	if env.Platforms != nil {
		p("  platforms %s", quoteAll(env.Platforms))
	}
}

// dumpRun writes how env's image runs, with p: the user, folder, shell,
// variables and command, and the targets' own values.
func dumpRun(p func(format string, args ...any), env *Env) {
	q := strconv.Quote
	if env.User != "" {
		p("  user %s", q(env.User))
	}
	if env.Workdir != "" {
		p("  workdir %s", q(env.Workdir))
	}
	if env.Source != nil {
		p("  source %s", quoteAll(env.Source))
	}
	if env.Shell == "bash" {
		p("  shell bash")
	}
	for _, v := range env.RunVars {
		if v.Required {
			p("  run_env %s (from the caller)", v.Name)
		} else {
			p("  run_env %s=%s", v.Name, q(v.Value.String()))
		}
	}
	if env.Init {
		p("  init")
	}
	if env.Entrypoint != nil {
		p("  entrypoint %s", quoteAll(env.Entrypoint))
	}
	if env.Run != nil {
		p("  run %s", quoteAll(env.Run))
	}
	for _, o := range env.Overrides {
		p("  target %s", o.Target)
		if o.EntrypointSet {
			p("    entrypoint %s", quoteAll(o.Entrypoint))
		}
		if o.RunSet {
			p("    run %s", quoteAll(o.Run))
		}
		if o.Workdir != "" {
			p("    workdir %s", q(o.Workdir))
		}
		if o.HasEnv {
			p("    env (its own env step)")
		}
	}
}

// dumpRuntime writes what env asks of the machine or container it runs
// in, with p.
func dumpRuntime(p func(format string, args ...any), env *Env) {
	q := strconv.Quote
	for _, pt := range env.Ports {
		p("  port %d->%d/%s host_ip=%s", pt.Host, pt.Guest, pt.Protocol, q(pt.HostIP))
	}
	for _, m := range env.Mounts {
		p("  mount %s -> %s ro=%t", q(m.Source), q(m.Target), m.ReadOnly)
	}
	for _, l := range env.Labels {
		p("  label %s=%s", q(l.Key), q(l.Value))
	}
	if vm := env.VM; vm != (VM{}) {
		dumpVM(p, vm)
	}
	if g := env.GPU; g != nil {
		p("  gpu count=%d vendor=%s capabilities=%s", g.Count, q(g.Vendor), quoteAll(g.Capabilities))
	}
	if h := env.Healthcheck; h != nil {
		p("  healthcheck %s interval=%s timeout=%s start_period=%s retries=%d", quoteAll(h.Test), h.Interval, h.Timeout, h.StartPeriod, h.Retries)
	}
	if h := env.HPC; h != nil {
		p("  hpc mpi=%s", q(h.MPI))
		for _, b := range h.Binds {
			p("    bind %s -> %s ro=%t", q(b.Source), q(b.Target), b.ReadOnly)
		}
	}
}

// dumpVM writes a machine's settings, with p.
func dumpVM(p func(format string, args ...any), vm VM) {
	q := strconv.Quote
	p("  vm box=%s version=%s url=%s cpus=%d memory=%d name=%s", q(vm.Box), q(vm.BoxVersion), q(vm.BoxURL), vm.CPUs, vm.Memory, q(vm.Name))
	if vm.GUI || vm.Reboot || vm.ForwardAgent {
		p("    gui=%t reboot=%t forward_agent=%t", vm.GUI, vm.Reboot, vm.ForwardAgent)
	}
	if vb := vm.VirtualBox; vb != (VirtualBox{}) {
		p("    virtualbox linked_clone=%t default_nic_type=%s", vb.LinkedClone, q(vb.DefaultNICType))
	}
	if lv := vm.Libvirt; lv != (Libvirt{}) {
		p("    libvirt driver=%s cpu_mode=%s nested=%t", q(lv.Driver), q(lv.CPUMode), lv.Nested)
	}
}

// dumpStep writes step i, s, with p.
func dumpStep(p func(format string, args ...any), i int, s Step) {
	q := strconv.Quote
	switch s := s.(type) {
	case *InstallStep:
		p("  step %d install %s %s", i, s.Manager, quoteAll(s.Packages))
		if s.Recommends {
			p("    with recommends")
		}
	case *CopyStep:
		from := ""
		if s.Stage != "" {
			from = " from stage " + q(s.Stage)
		}
		p("  step %d copy%s %s -> %s mode=%04o owner=%s", i, from, q(s.Source), q(s.Target), s.Mode, q(s.Owner))
		for _, f := range s.Files {
			kind := "file"
			if f.Dir {
				kind = "folder"
			}
			p("    %s %s %04o", kind, q(f.Path), f.Mode)
		}
	case *EnvStep:
		if s.BuildOnly {
			p("  step %d env (build only)", i)
		} else {
			p("  step %d env", i)
		}
		for _, v := range s.Vars {
			p("    %s=%s", v.Name, q(v.Value.String()))
		}
	case *RunStep:
		p("  step %d run shell=%s user=%s workdir=%s %s", i, s.Shell, q(s.User), q(s.Workdir), q(s.Command))
		for _, v := range s.Env {
			p("    env %s=%s", v.Name, q(v.Value.String()))
		}
		for _, f := range s.Source {
			p("    source %s", q(f))
		}
		if r := s.Repository; r != nil {
			p("    adds repository %s %s", q(r.Name), q(r.URL))
		}
		if x := s.Pip; x != nil {
			p("    pip %s %s", q(x.Location), quoteAll(x.Requirements))
			if x.IndexURL != "" || len(x.ExtraIndexURLs) > 0 || len(x.TrustedHosts) > 0 {
				p("      index %s extra %s trusted %s", q(x.IndexURL), quoteAll(x.ExtraIndexURLs), quoteAll(x.TrustedHosts))
			}
			if len(x.NoBinary) > 0 {
				p("      no-binary %s", quoteAll(x.NoBinary))
			}
			if x.Constraints != "" {
				p("      constraints %s", q(x.Constraints))
			}
		}
		if x := s.Managed; x != nil {
			from := "distribution"
			if x.FromImage {
				from = "image"
			}
			p("    %s %s (from the %s) into %s %s", x.Manager, q(x.Tool), from, q(x.Prefix), quoteAll(x.Packages))
			if len(x.Channels) > 0 {
				p("      channels %s", quoteAll(x.Channels))
			}
			if x.File != "" {
				p("      file %s", q(x.File))
			}
		}
	case *UserStep:
		p("  step %d user %s", i, q(s.Name))
		if s.UID != 0 || s.GID != 0 || s.Home != "" || s.Shell != "" || len(s.Groups) > 0 {
			p("    uid=%d gid=%d home=%s shell=%s groups=%s", s.UID, s.GID, q(s.Home), q(s.Shell), quoteAll(s.Groups))
		}
		if s.TakeOver {
			p("    takes over uid %d", s.UID)
		}
	case *WorkdirStep:
		p("  step %d workdir %s owner=%s", i, q(s.Path), q(s.Owner))
	}
	if ts := s.StepTargets(); ts != nil {
		p("    only %s", strings.Join(ts, " "))
	}
	if ps := s.StepPlatforms(); ps != nil {
		p("    platforms %s", strings.Join(ps, " "))
	}
}

func quoteAll(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(out, " ") + "]"
}
