package singularity

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/internal/lazyre"
)

// helpPort matches a port line of %help (see portText).
var helpPort = lazyre.New(`^    ([0-9]+)/([a-z]+) \(the spec publishes it as host .*\)$`)

// Effective reads a definition file written by this package (through
// ReadBack, so Parse and mvdan.cc/sh) into the effective view. %post's
// steps are read by meaning with the shared shell readers, exports
// accumulate as they do in the one shell that runs %post, and
// %environment gives the run command's variables. What Apptainer cannot
// say is absent: the run-time user, the mounts' sources (only the targets
// %post creates), the ports' host side (only %help's guest ports).
func Effective(def []byte) (*effective.Env, error) { return EffectiveFor(def, "") }

// EffectiveFor is Effective as a machine of platform builds and runs the
// definition file (effective.ReadOptions.Platform; "" for every
// platform).
func EffectiveFor(def []byte, platform string) (*effective.Env, error) {
	r, err := ReadBackFor(def, platform)
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
	if v.Steps, err = stepsOf(r, platform); err != nil {
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
		if sv.Steps, err = stepsOf(st, platform); err != nil {
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
		if m := helpPort().FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			v.Ports = append(v.Ports, ir.Port{Guest: n, Protocol: m[2]})
		}
	}
	if err := readContract(r.Help, v); err != nil {
		return nil, err
	}
	for _, t := range r.MountTargets {
		v.Mounts = append(v.Mounts, ir.Mount{Target: t})
	}
	var labels []effective.Label
	for _, l := range r.Labels {
		labels = append(labels, effective.Label{Key: l.Key, Value: l.Value})
	}
	v.Labels = effective.SortLabels(labels)
	return v, nil
}

// stepsOf reads the %post steps of one build stage with the readers the
// script targets share (effective.ScriptSteps); a copy is read here, from
// what %files staged.
func stepsOf(r *Recipe, platform string) ([]effective.Step, error) {
	steps := make([]effective.ScriptStep, len(r.Steps))
	for i, st := range r.Steps {
		steps[i] = effective.ScriptStep{Kind: st.Kind, Script: st.Script, Platforms: st.Platforms}
		for _, ev := range st.Env {
			steps[i].Exports = append(steps[i].Exports, effective.Var{Name: ev.Name, Value: ev.Value})
		}
		if c := st.Copy; c != nil {
			steps[i].Copy = &effective.CopyStep{Stage: c.Stage, Source: c.Source, Target: c.Target, Mode: effective.Mode(c.Mode), Owner: effective.RootUser(c.Owner), Folder: c.Folder}
		}
	}
	out, err := effective.ScriptStepsFor(steps, platform)
	if err != nil {
		return nil, fmt.Errorf("%%post %w", err)
	}
	return out, nil
}

// Read is Effective for the singularity target's files
// (effective.ReadFunc).
func Read(files effective.Files, opts effective.ReadOptions) (*effective.Env, error) {
	return EffectiveFor(files[FileName], opts.Platform)
}
