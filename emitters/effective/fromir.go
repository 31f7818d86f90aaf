package effective

import (
	"slices"
	"sort"

	"github.com/envc-dev/envc/compiler/ir"
	shellpkg "github.com/envc-dev/envc/emitters/internal/shell"
)

// FromIR returns the view the spec asks for: what every target must build.
func FromIR(env *ir.Env) *Env {
	v := &Env{
		Name:    env.Name,
		Base:    env.Base.Canonical,
		User:    RootUser(env.User),
		Workdir: RootDir(env.Workdir),
		Init:    env.Init,
	}
	if env.Run != nil {
		v.Run = slices.Clone(env.Run)
	}
	if env.Entrypoint != nil {
		v.Entrypoint = slices.Clone(env.Entrypoint)
	}
	for _, st := range env.Stages {
		sv := FromIR(st)
		v.Stages = append(v.Stages, Env{Name: sv.Name, Base: sv.Base, Steps: sv.Steps})
	}
	SortStages(v.Stages)
	v.Platforms = slices.Clone(env.Platforms)
	sort.Strings(v.Platforms)
	// scope holds what the steps see; run what the run command sees: the
	// variables of the build alone left out, the run command's own
	// defaults added.
	scope, run := NewScope(), NewScope()
	for _, s := range env.Steps {
		v.Steps = append(v.Steps, WithPlatforms(stepFromIR(s, scope), s.StepPlatforms()))
		if es, ok := s.(*ir.EnvStep); ok && !es.BuildOnly {
			for _, ev := range es.Vars {
				run.vars[ev.Name] = scope.vars[ev.Name]
			}
		}
	}
	for _, rv := range env.RunVars {
		if !rv.Required {
			run.vars[rv.Name] = run.Effective(scope.Effective(rv.Value))
		}
	}
	v.RunEnv = run.Vars()
	for _, p := range env.Ports {
		if p.Protocol == "" {
			p.Protocol = "tcp"
		}
		p.Range = ir.Port{}.Range
		v.Ports = append(v.Ports, p)
	}
	for _, m := range env.Mounts {
		v.Mounts = append(v.Mounts, ir.Mount{Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	var labels []Label
	for _, l := range env.Labels {
		labels = append(labels, Label{l.Key, l.Value})
	}
	v.Labels = SortLabels(labels)
	v.GPU, v.Healthcheck, v.HPC = ContractOf(env)
	v.VM = VM{Box: env.VM.Box, BoxVersion: env.VM.BoxVersion, BoxURL: env.VM.BoxURL, CPUs: env.VM.CPUs, Memory: env.VM.Memory, Name: env.VM.Name,
		GUI: env.VM.GUI, Reboot: env.VM.Reboot, ForwardAgent: env.VM.ForwardAgent, VirtualBox: env.VM.VirtualBox, Libvirt: env.VM.Libvirt}
	if v.VM.Box == "" && env.Distro != nil {
		v.VM.Box = env.Distro.Box
		if v.VM.BoxURL == "" {
			v.VM.BoxURL = env.Distro.BoxURL
		}
	}
	return v
}

// stepFromIR returns the view of s; scope holds the variables set so far.
func stepFromIR(s ir.Step, scope *Scope) Step {
	switch s := s.(type) {
	case *ir.InstallStep:
		return InstallStep{Manager: s.Manager, Packages: slices.Clone(s.Packages), Recommends: s.Recommends && s.Manager != ir.Apk}
	case *ir.CopyStep:
		return CopyStep{Stage: s.Stage, Source: s.Source, Target: s.Target, Mode: Mode(s.Mode), Owner: RootOwner(s.Owner), Folder: s.Files != nil}
	case *ir.EnvStep:
		var st EnvStep
		for _, ev := range s.Vars {
			st.Vars = append(st.Vars, scope.Set(ev.Name, ev.Value))
		}
		return st
	case *ir.RunStep:
		shell := s.Shell
		if shell == "" {
			shell = "sh"
		}
		st := RunStep{Shell: shell, User: RootUser(s.User), Workdir: RootDir(s.Workdir), Env: scope.Vars(), Sourced: slices.Clone(s.Source)}
		for _, v := range s.Env {
			st.Scoped = append(st.Scoped, Var{Name: v.Name, Value: Canonical(v.Value)})
		}
		// A command that starts with what a target writes before it (the
		// scripts a step sources, then its exports) reads as those in
		// every target: so in the spec's view too.
		st.Command, st.Sourced, st.Scoped = splitScoped(s.Command, len(s.Env) == 0, st.Sourced, st.Scoped)
		return st
	case *ir.UserStep:
		return UserStepOf(shellpkg.UserOf(s))
	case *ir.WorkdirStep:
		return WorkdirStep{Path: s.Path, Owner: RootOwner(s.Owner)}
	}
	panic("effective: unknown IR step")
}

// ContractOf returns copies of env's GPU, Healthcheck and HPC without
// their ranges, as a view holds them.
func ContractOf(env *ir.Env) (*ir.GPU, *ir.Healthcheck, *ir.HPC) {
	var g *ir.GPU
	var h *ir.Healthcheck
	var c *ir.HPC
	if env.GPU != nil {
		g = &ir.GPU{Count: env.GPU.Count, Vendor: env.GPU.Vendor, Capabilities: slices.Clone(env.GPU.Capabilities)}
	}
	if x := env.Healthcheck; x != nil {
		h = &ir.Healthcheck{Test: slices.Clone(x.Test), Interval: x.Interval, Timeout: x.Timeout, StartPeriod: x.StartPeriod, Retries: x.Retries}
	}
	if env.HPC != nil {
		c = &ir.HPC{Binds: slices.Clone(env.HPC.Binds), MPI: env.HPC.MPI}
	}
	return g, h, c
}
