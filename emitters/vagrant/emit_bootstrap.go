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
	family := ""
	if e.env.Distro != nil {
		family = e.env.Distro.Family
	}
	for i, s := range e.env.Steps {
		var body []string
		switch s := s.(type) {
		case *ir.InstallStep:
			if !e.shellSafe(s.Range, "package", s.Packages...) {
				continue
			}
			body = []string{shell.InstallOf(s, true) + " || exit"}
		case *ir.CopyStep:
			src, ok := e.staged[s]
			if !ok {
				continue // reported with the file provisioners
			}
			body = e.copyLines(src, s)
		case *ir.EnvStep:
			for _, v := range s.Vars {
				body = append(body, e.exportLines(v)...)
			}
		case *ir.RunStep:
			body = e.runLines(s, family)
		case *ir.UserStep:
			if !e.shellSafe(s.Range, "user", s.Name) {
				continue
			}
			body = []string{shell.EnsureUserCommand(shell.UserOf(s), family) + " || exit"}
		case *ir.WorkdirStep:
			if !e.shellSafe(s.Range, "directory", s.Path, s.Owner) {
				continue
			}
			body = []string{shell.MkdirCommand(s.Path, s.Owner) + " || exit"}
		default:
			e.errorf(s.StepRange(), "Unsupported step", "The vagrant target cannot write a step of type %T.", s)
			continue
		}
		lines = append(lines, shell.StepComment(i+1, shell.StepKind(s)))
		lines = append(lines, body...)
	}
	lines = append(lines, shell.EpilogueComment)
	if len(e.staged) > 0 {
		lines = append(lines, "rm -rf "+shell.MustQuote(e.paths.Stage))
	}
	lines = append(lines, e.runtimeLines()...)
	return strings.Join(lines, "\n") + "\n"
}

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
				e.errorf(v.Range, "Value cannot be written", "The value of %s cannot be written in bootstrap.sh: %v.", v.Name, err)
			}
			e.badVars[v.Name] = true
			return nil
		}
	}
	if !ir.ValidName(v.Name) {
		if !e.badVars[v.Name] {
			e.errorf(v.Range, "Invalid variable name", "%q is not a valid environment variable name.", v.Name)
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
