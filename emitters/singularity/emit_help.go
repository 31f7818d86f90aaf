package singularity

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
)

// emitHelp writes %help (shown by `apptainer run-help`): the description,
// how to build and run the image, and what the spec says that Apptainer
// leaves to the caller: ports, binds, the user, the host environment.
func (e *emission) emitHelp() {
	env := e.env
	var lines []string
	if env.Description != "" {
		lines = append(lines, helpText(env.Description), "")
	}
	// One builder: a spec with many mounts has a long run line.
	var b strings.Builder
	b.WriteString(strings.Join(append([]string{"apptainer", "run"}, e.runFlags()...), " "))
	for _, m := range env.Mounts {
		b.WriteString(" " + word(bindFlag(m)))
	}
	b.WriteString(" " + env.Name + ".sif [COMMAND [ARG...]]")
	run := b.String()
	lines = append(lines,
		"Build, in the folder that holds "+FileName+":",
		"    apptainer build "+env.Name+".sif "+FileName,
		"Run, from the same folder:",
		"    "+run,
	)
	switch {
	case env.Entrypoint != nil && env.Run != nil:
		lines = append(lines, "Entrypoint (ARG... replace its default arguments):", "    "+join(env.Entrypoint),
			"Default arguments:", "    "+join(env.Run))
	case env.Entrypoint != nil:
		lines = append(lines, "Entrypoint (ARG... follow it):", "    "+join(env.Entrypoint))
	case env.Run != nil:
		lines = append(lines, "Run command (COMMAND replaces it):", "    "+join(env.Run))
	default:
		lines = append(lines, "No run command: give COMMAND, or use apptainer shell.")
	}
	if env.Workdir != "" {
		lines = append(lines, "Working directory of the run command: "+helpText(env.Workdir))
	}
	if env.User != "" {
		lines = append(lines, "User: the spec runs as "+helpText(strconv.Quote(env.User))+", but Apptainer runs the image as the calling user.")
	}
	lines = append(lines, "Environment: Apptainer passes the host's environment in; add --cleanenv to see only the image's.")
	if len(env.Ports) > 0 {
		lines = append(lines, "Ports: Apptainer shares the host's network, so the program listens on the host's own ports:")
		for _, p := range env.Ports {
			lines = append(lines, "    "+portText(p))
		}
	}
	if len(env.Mounts) > 0 {
		lines = append(lines, "Mounts: bind these host directories at run time (paths relative to this folder):")
		for _, m := range env.Mounts {
			lines = append(lines, "    "+word(bindFlag(m)))
		}
	}
	lines = append(lines, e.contractHelp()...)
	e.add("help", lines)
}

// helpText returns s for one help line: as is when it is one line that the
// definition file carries, otherwise Go-quoted (with "{{" escaped).
func helpText(s string) string {
	if !strings.ContainsAny(s, "\n\r") && textHazard(s) == "" && !strings.HasPrefix(strings.TrimSpace(s), "%") {
		return s
	}
	return strings.ReplaceAll(strconv.Quote(s), "{{", `{\x7b`)
}

// portText describes a port as Apptainer sees it.
func portText(p ir.Port) string {
	host := strconv.Itoa(p.Host)
	if p.HostIP != "" {
		host = p.HostIP + ":" + host
		if strings.Contains(p.HostIP, ":") {
			host = "[" + p.HostIP + "]:" + strconv.Itoa(p.Host)
		}
	}
	return fmt.Sprintf("%d/%s (the spec publishes it as host %s)", p.Guest, p.Protocol, host)
}

// bindFlag returns the option that binds m at run time: "--bind SRC:DST"
// (with ":ro") when the paths hold nothing that Apptainer's bind syntax
// treats specially, otherwise "--mount" with CSV-quoted fields.
func bindFlag(m ir.Mount) string {
	plain := func(p string) bool {
		return p != "" && !strings.ContainsAny(p, ":,\\\n\r") && strings.TrimSpace(p) == p
	}
	if plain(m.Source) && plain(m.Target) {
		f := "--bind=" + m.Source + ":" + m.Target
		if m.ReadOnly {
			f += ":ro"
		}
		return f
	}
	rec := []string{"type=bind", "source=" + m.Source, "destination=" + m.Target}
	if m.ReadOnly {
		rec = append(rec, "ro")
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(rec) // writing to a strings.Builder cannot fail
	w.Flush()
	return "--mount=" + strings.TrimSuffix(b.String(), "\n")
}
