package effective

import (
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
	}
	if env.Run != nil {
		v.Run = append([]string{}, env.Run...)
	}
	v.Init = env.Init
	if env.Entrypoint != nil {
		v.Entrypoint = append([]string{}, env.Entrypoint...)
	}
	for _, st := range env.Stages {
		sv := FromIR(st)
		v.Stages = append(v.Stages, Env{Name: sv.Name, Base: sv.Base, Steps: sv.Steps})
	}
	SortStages(v.Stages)
	v.Platforms = append([]string(nil), env.Platforms...)
	sort.Strings(v.Platforms)
	scope := NewScope()
	for _, s := range env.Steps {
		switch s := s.(type) {
		case *ir.InstallStep:
			v.Steps = append(v.Steps, Step{Kind: KindInstall, Manager: string(s.Manager), Packages: append([]string{}, s.Packages...),
				Recommends: s.Recommends && s.Manager != ir.Apk})
		case *ir.CopyStep:
			st := Step{Kind: KindCopy, Stage: s.Stage, Source: s.Source, Target: s.Target, Mode: Mode(s.Mode), Owner: RootUser(s.Owner)}
			if s.Stage != "" && s.Mode == 0 {
				st.Mode = ""
			}
			v.Steps = append(v.Steps, st)
		case *ir.EnvStep:
			st := Step{Kind: KindEnv}
			for _, ev := range s.Vars {
				st.Vars = append(st.Vars, scope.Set(ev.Name, ev.Value))
			}
			v.Steps = append(v.Steps, st)
		case *ir.RunStep:
			shell := s.Shell
			if shell == "" {
				shell = "sh"
			}
			st := Step{Kind: KindRun, Command: shellpkg.StepCommand(s, nil), Shell: shell,
				User: RootUser(s.User), Workdir: RootDir(s.Workdir), Env: scope.Vars()}
			SplitScoped(&st)
			v.Steps = append(v.Steps, st)
		case *ir.UserStep:
			v.Steps = append(v.Steps, UserStep(shellpkg.UserOf(s)))
		case *ir.WorkdirStep:
			v.Steps = append(v.Steps, Step{Kind: KindWorkdir, Path: s.Path, Owner: RootUser(s.Owner)})
		}
	}
	v.RunEnv = scope.Vars()
	for _, p := range env.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		v.Ports = append(v.Ports, Port{Guest: p.Guest, Host: p.Host, HostIP: p.HostIP, Protocol: proto})
	}
	for _, m := range env.Mounts {
		v.Mounts = append(v.Mounts, Mount{Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	var labels []Label
	for _, l := range env.Labels {
		labels = append(labels, Label{l.Key, l.Value})
	}
	v.Labels = SortLabels(labels)
	v.VM = VM{BoxVersion: env.VM.BoxVersion, CPUs: env.VM.CPUs, Memory: env.VM.Memory, Name: env.VM.Name}
	v.VM.Box, v.VM.BoxURL = env.VM.Box, env.VM.BoxURL
	if v.VM.Box == "" && env.Distro != nil {
		v.VM.Box = env.Distro.Box
		if v.VM.BoxURL == "" {
			v.VM.BoxURL = env.Distro.BoxURL
		}
	}
	return v
}
