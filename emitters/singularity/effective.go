package singularity

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// helpPort matches a port line of %help (see portText).
var helpPort = regexp.MustCompile(`^    ([0-9]+)/([a-z]+) \(the spec publishes it as host .*\)$`)

// Effective reads a definition file written by this package (through
// ReadBack, so Parse and mvdan.cc/sh) into the effective view. %post's
// steps are read by meaning with the shared shell readers, exports
// accumulate as they do in the one shell that runs %post, and
// %environment gives the run command's variables. What Apptainer cannot
// say is absent: the run-time user, the mounts' sources (only the targets
// %post creates), the ports' host side (only %help's guest ports).
func Effective(def []byte) (*effective.Env, error) {
	r, err := ReadBack(def)
	if err != nil {
		return nil, err
	}
	v := &effective.Env{}
	if r.Bootstrap != "docker" {
		return nil, effective.Errorf("base", "Bootstrap: %s, not docker", r.Bootstrap)
	}
	if v.Base, err = effective.CanonicalImage(r.From); err != nil {
		return nil, err
	}
	if v.Steps, err = stepsOf(r); err != nil {
		return nil, err
	}
	for _, st := range r.Stages {
		sv := effective.Env{Name: st.Stage}
		if st.Bootstrap != "docker" {
			return nil, effective.Errorf("stage", "stage %s: Bootstrap: %s, not docker", st.Stage, st.Bootstrap)
		}
		if sv.Base, err = effective.CanonicalImage(st.From); err != nil {
			return nil, err
		}
		if sv.Steps, err = stepsOf(st); err != nil {
			return nil, fmt.Errorf("stage %s: %w", st.Stage, err)
		}
		v.Stages = append(v.Stages, sv)
	}
	effective.SortStages(v.Stages)
	runScope := effective.NewScope()
	for _, ev := range r.Env {
		runScope.Set(ev.Name, ev.Value)
	}
	v.RunEnv = runScope.Vars()
	v.Workdir = effective.RootDir(r.Workdir)
	if r.Run != nil {
		v.Run = append([]string{}, r.Run...)
	}
	if r.Entrypoint != nil {
		v.Entrypoint = append([]string{}, r.Entrypoint...)
	}
	for _, line := range strings.Split(r.Help, "\n") {
		if m := helpPort.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			v.Ports = append(v.Ports, effective.Port{Guest: n, Protocol: m[2]})
		}
	}
	for _, t := range r.MountTargets {
		v.Mounts = append(v.Mounts, effective.Mount{Target: t})
	}
	var labels []effective.Label
	for _, l := range r.Labels {
		labels = append(labels, effective.Label{Key: l.Key, Value: l.Value})
	}
	v.Labels = effective.SortLabels(labels)
	return v, nil
}

// stepsOf reads the %post steps of one build stage.
func stepsOf(r *Recipe) ([]effective.Step, error) {
	var steps []effective.Step
	scope := effective.NewScope()
	for i, st := range r.Steps {
		s, err := recipeStep(st, scope)
		if err != nil {
			return nil, fmt.Errorf("%%post step %d (%s): %w", i+1, st.Kind, err)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// recipeStep reads one %post step; scope holds the exports so far.
func recipeStep(st Step, scope *effective.Scope) (effective.Step, error) {
	switch st.Kind {
	case shell.KindInstall:
		s, err := effective.ReadInstallStep(st.Script)
		if err != nil {
			return effective.Step{}, effective.Errorf("packages", "%v", err)
		}
		return s, nil
	case shell.KindCopy:
		c := st.Copy
		mode := effective.Mode(c.Mode)
		if c.Stage != "" && c.Mode == 0 {
			mode = ""
		}
		return effective.Step{Kind: effective.KindCopy, Stage: c.Stage, Source: c.Source, Target: c.Target, Mode: mode, Owner: effective.RootUser(c.Owner)}, nil
	case shell.KindEnv:
		s := effective.Step{Kind: effective.KindEnv}
		for _, ev := range st.Env {
			s.Vars = append(s.Vars, scope.Set(ev.Name, ev.Value))
		}
		return s, nil
	case shell.KindRun:
		r := st.Run
		s := effective.Step{Kind: effective.KindRun, Command: r.Command, Shell: r.Shell,
			User: effective.RootUser(r.User), Workdir: effective.RootDir(r.Workdir), Env: scope.Vars()}
		effective.SplitScoped(&s)
		return s, nil
	case shell.KindUser:
		u, err := effective.ReadEnsureUser(st.Script)
		if err != nil {
			return effective.Step{}, effective.Errorf("user", "%v", err)
		}
		return effective.UserStep(u), nil
	case shell.KindWorkdir:
		dir, owner, err := effective.ReadMkdir(st.Script)
		if err != nil {
			return effective.Step{}, effective.Errorf("workdir", "%v", err)
		}
		return effective.Step{Kind: effective.KindWorkdir, Path: dir, Owner: effective.RootUser(owner)}, nil
	}
	return effective.Step{}, fmt.Errorf("unknown step kind %q", st.Kind)
}
