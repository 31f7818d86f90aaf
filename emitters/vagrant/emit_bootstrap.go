package vagrant

import (
	"fmt"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
)

// bootstrap returns bootstrap.sh: the steps in order, then the run-time
// files (profile, labels, wrapper).
func (e *emission) bootstrap() string {
	lines := []string{
		"#!/bin/sh",
		strings.TrimSuffix(emitters.Header("# ", e.env), "\n"),
		"# Vagrant runs this script as root when it provisions the machine (vagrant up, vagrant provision).",
		"set -e",
		"# Steps start in /, as in a container build.",
		"cd /",
	}
	lines = append(lines, e.stepLines(e.env, e.staged)...)
	lines = append(lines, shell.EpilogueComment)
	if len(e.staged) > 0 || len(e.env.Stages) > 0 {
		lines = append(lines, "rm -rf "+shell.MustQuote(e.paths.Stage))
	}
	lines = append(lines, e.runtimeLines()...)
	return strings.Join(lines, "\n") + "\n"
}

// StageScriptName returns the name of the script that builds a stage.
func StageScriptName(stage string) string { return "stage-" + stage + ".sh" }

// stageScript returns the script that builds stage st in the machine
// itself, before bootstrap.sh (a machine has one file system): its steps,
// as bootstrap.sh writes an environment's, in a shell of their own.
func (e *emission) stageScript(st *ir.Env) string {
	lines := []string{
		"#!/bin/sh",
		strings.TrimSuffix(emitters.Header("# ", e.env), "\n"),
		"# Stage " + st.Name + ": Vagrant runs this script as root before bootstrap.sh; what it builds stays in the machine,",
		"# where the copies from the stage take their files.",
		"set -e",
		"cd /",
	}
	lines = append(lines, e.stepLines(st, e.stageStaged[st.Name])...)
	return strings.Join(lines, "\n") + "\n"
}

// stepLines returns the steps of env (the environment or a stage), each
// after its "# step N: KIND" comment; staged maps each copy from the
// build context to the path its file was uploaded to.
func (e *emission) stepLines(env *ir.Env, staged map[*ir.CopyStep]string) []string {
	return shell.ScriptSteps(env.Steps, func(s ir.Step) ([]string, bool) {
		return e.stepBody(s, staged, env.Family())
	}, func(s ir.Step) {
		e.diags = append(e.diags, emitters.Errorf(s.StepRange(), "Platform without a machine name", "The vagrant target guards a step by the machine's name (uname -m), and one of %v has none it knows.", s.StepPlatforms()))
	})
}

// stepBody returns the lines of step s, for a distro of family; false
// leaves it out (reported elsewhere, or here).
func (e *emission) stepBody(s ir.Step, staged map[*ir.CopyStep]string, family string) ([]string, bool) {
	switch s := s.(type) {
	case *ir.InstallStep:
		if !e.shellSafe(s.Range, "package", s.Packages...) {
			return nil, false
		}
		return []string{shell.InstallOf(s, true) + " || exit"}, true
	case *ir.CopyStep:
		return e.copyStepLines(s, staged)
	case *ir.EnvStep:
		var body []string
		for _, v := range s.Vars {
			body = append(body, e.exportLines(v)...)
		}
		return body, true
	case *ir.RunStep:
		return e.runLines(s, family), true
	case *ir.UserStep:
		if !e.shellSafe(s.Range, "user", s.Name) {
			return nil, false
		}
		return []string{e.userCommand(s, family) + " || exit"}, true
	case *ir.WorkdirStep:
		if !e.shellSafe(s.Range, "directory", s.Path, s.Owner) {
			return nil, false
		}
		return []string{shell.MkdirCommand(s.Path, s.Owner) + " || exit"}, true
	}
	e.diags = append(e.diags, emitters.Errorf(s.StepRange(), "Unsupported step", "The vagrant target cannot write a step of type %T.", s))
	return nil, false
}

// copyStepLines returns the lines of a copy: from a stage the machine
// built, or of a file or folder uploaded to the path staged gives.
func (e *emission) copyStepLines(s *ir.CopyStep, staged map[*ir.CopyStep]string) ([]string, bool) {
	if s.Stage != "" {
		if !e.shellSafe(s.Range, "copy", s.Source, s.Target, s.Owner) {
			return nil, false
		}
		return []string{StageNote + s.Stage, shell.StageCopyCommand(s.Source, s.Target, s.Mode, s.Owner) + " || exit"}, true
	}
	src, ok := staged[s]
	if !ok {
		return nil, false // reported with the file provisioners
	}
	if s.Files != nil {
		if !e.shellSafe(s.Range, "copy", s.Target, s.Owner) {
			return nil, false
		}
		return []string{shell.FolderCopyCommand(src, s.Target, s.Files, s.Owner) + " || exit"}, true
	}
	return e.copyLines(src, s), true
}

// StageNote starts the comment that names the stage a copy takes its
// file or folder from: the machine built the stage itself, so the copy
// reads the stage's path in the machine.
const StageNote = "# from stage "

// copyLines installs the uploaded file src at s.Target with s.Mode,
// creating missing parents, then gives it to s.Owner.
func (e *emission) copyLines(src string, s *ir.CopyStep) []string {
	target := e.word(s.Target, s.Range, "copy target")
	lines := []string{fmt.Sprintf("install -D -m %04o %s %s", s.Mode&0o7777, shell.MustQuote(src), target)}
	if s.Owner != "" {
		o := e.word(s.Owner, s.Range, "owner")
		lines = append(lines, `chown "$(id -u `+o+`):$(id -g `+o+`)" `+target)
	}
	return lines
}

// exportLines exports v. A value holding a carriage return is rendered
// with a command substitution; the name is exported first and assigned on
// the next line, so that the export's status does not mask a failure.
func (e *emission) exportLines(v ir.EnvVar) []string {
	// A variable is exported at its step and again in the profile; a
	// problem with it is reported once.
	for _, p := range v.Value {
		if _, err := shell.Quote(p.Lit); err != nil {
			if !e.badVars[v.Name] {
				e.diags = append(e.diags, emitters.Errorf(v.Range, "Value cannot be written", "The value of %s cannot be written in bootstrap.sh: %v.", v.Name, err))
			}
			e.badVars[v.Name] = true
			return nil
		}
	}
	if !ir.ValidName(v.Name) {
		if !e.badVars[v.Name] {
			e.diags = append(e.diags, emitters.Errorf(v.Range, "Invalid variable name", "%q is not a valid environment variable name.", v.Name))
		}
		e.badVars[v.Name] = true
		return nil
	}
	val := shell.ExpandWord(v.Value)
	if strings.Contains(val, "$(") {
		return []string{"export " + v.Name, v.Name + "=" + val}
	}
	return []string{shell.ExportLine(v)}
}

// runLines runs a RunStep with shell.RunStepLines, after checking that its
// strings can be carried.
func (e *emission) runLines(s *ir.RunStep, family string) []string {
	if !e.shellSafe(s.Range, "command", shell.StepCommand(s, nil), s.User, s.Workdir) {
		return nil
	}
	return shell.RunStepLines(s, shell.RunStepOptions{Family: family})
}

// boxUID is the uid (and gid) Vagrant boxes give their vagrant user,
// boxUser.
const (
	boxUID  = 1000
	boxUser = "vagrant"
)

// userCommand creates the user of s. A uid of 1000 that another account
// holds (on a box, the vagrant user) is left to useradd to choose, as
// vagrant-user-uid-box says, instead of stopping the provisioning.
func (e *emission) userCommand(s *ir.UserStep, family string) string {
	if s.UID != boxUID {
		return shell.EnsureUserCommand(shell.UserOf(s), family)
	}
	return shell.EnsureUserIfFreeCommand(shell.UserOf(s), family)
}
