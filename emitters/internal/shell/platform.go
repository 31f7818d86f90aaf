package shell

import (
	"fmt"
	"slices"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
)

// PlatformArg is the build argument BuildKit sets to the platform a
// Dockerfile is built for ("linux/arm64"), which a stage must declare
// (ARG TARGETPLATFORM) to see.
const PlatformArg = "TARGETPLATFORM"

// platformSpellings are the values TARGETPLATFORM takes for a platform
// envc names otherwise: BuildKit versions that keep arm64's variant.
var platformSpellings = map[string][]string{
	"linux/arm64": {"linux/arm64", "linux/arm64/v8"},
}

// PlatformGuard returns the line that ends a Dockerfile RUN's shell,
// successfully, unless the build is for one of platforms: a case on
// $TARGETPLATFORM. The RUN's command follows it after "; ".
func PlatformGuard(platforms []string) string {
	var pats []string
	for _, p := range platforms {
		if sp, ok := platformSpellings[p]; ok {
			pats = append(pats, sp...)
		} else {
			pats = append(pats, p)
		}
	}
	return `case "$` + PlatformArg + `" in ` + strings.Join(pats, "|") + `) ;; *) exit 0 ;; esac`
}

// ReadPlatformGuard splits a RUN's command into the platforms its
// PlatformGuard names and the command after it; ok is false when it
// starts with none.
func ReadPlatformGuard(cmd string) (platforms []string, rest string, ok bool) {
	prefix := `case "$` + PlatformArg + `" in `
	if !strings.HasPrefix(cmd, prefix) {
		return nil, cmd, false
	}
	pats, after, found := strings.Cut(cmd[len(prefix):], `) ;; *) exit 0 ;; esac; `)
	if !found {
		return nil, cmd, false
	}
	for _, p := range strings.Split(pats, "|") {
		if p == "linux/arm64/v8" {
			continue
		}
		platforms = append(platforms, p)
	}
	if PlatformGuard(platforms) != cmd[:len(prefix)+len(pats)]+`) ;; *) exit 0 ;; esac` {
		return nil, cmd, false
	}
	return platforms, after, true
}

// machines maps each platform envc builds for to the pattern `uname -m`
// matches on a Linux machine of it (glibc's and the kernel's names).
// A mips64le machine calls itself mips64, as a big-endian one does; no
// image is built for the latter.
var machines = []struct{ platform, pattern string }{
	{"linux/386", "i[3-6]86"},
	{"linux/amd64", "x86_64"},
	{"linux/arm/v5", "armv5*"},
	{"linux/arm/v6", "armv6*"},
	{"linux/arm/v7", "armv7*"},
	{"linux/arm64", "aarch64"},
	{"linux/loong64", "loongarch64"},
	{"linux/mips64le", "mips64"},
	{"linux/ppc64le", "ppc64le"},
	{"linux/riscv64", "riscv64"},
	{"linux/s390x", "s390x"},
}

// MachinePattern returns the pattern `uname -m` matches on platform p.
func MachinePattern(p string) (string, bool) {
	for _, m := range machines {
		if m.platform == p {
			return m.pattern, true
		}
	}
	return "", false
}

// machinePlatform returns the platform whose `uname -m` pattern is pat
// (MachinePattern's inverse).
func machinePlatform(pat string) (string, bool) {
	for _, m := range machines {
		if m.pattern == pat {
			return m.platform, true
		}
	}
	return "", false
}

// MachineGuard returns the lines that enclose a step of a script that
// builds on the host it runs on (%post, bootstrap.sh), so that it runs
// only on a machine of one of platforms: a case on `uname -m`. ok is
// false for a platform with no machine name.
func MachineGuard(platforms []string) (open, close string, ok bool) {
	var pats []string
	for _, p := range platforms {
		pat, known := MachinePattern(p)
		if !known {
			return "", "", false
		}
		pats = append(pats, pat)
	}
	return machineCaseOpen + " " + strings.Join(pats, "|") + ")", ";; " + machineCaseClose, true
}

// ScriptSteps returns the lines of steps in a script that builds on the
// host it runs on (%post, bootstrap.sh): each step's "# step N: KIND"
// comment, then the lines body gives for it, inside MachineGuard's lines
// when the step is for some platforms. A step body leaves out (ok false)
// has neither. For a step with a platform with no machine name,
// unguardable is called and its lines are left out.
func ScriptSteps(steps []ir.Step, body func(ir.Step) (lines []string, ok bool), unguardable func(ir.Step)) []string {
	var lines []string
	for i, s := range steps {
		b, ok := body(s)
		if !ok {
			continue
		}
		lines = append(lines, StepComment(i+1, StepKind(s)))
		if ps := s.StepPlatforms(); ps != nil {
			open, close, ok := MachineGuard(ps)
			if !ok {
				unguardable(s)
				continue
			}
			b = append(append([]string{open}, b...), close)
		}
		lines = append(lines, b...)
	}
	return lines
}

// ReadMachineGuard splits a step's script into the platforms its
// MachineGuard names and the script inside it; ok is false when it has
// none.
func ReadMachineGuard(script string) (platforms []string, body string, ok bool) {
	lines := strings.Split(strings.TrimSuffix(script, "\n"), "\n")
	prefix := machineCaseOpen + " "
	if len(lines) < 3 || !strings.HasPrefix(lines[0], prefix) || !strings.HasSuffix(lines[0], ")") || lines[len(lines)-1] != ";; "+machineCaseClose {
		return nil, script, false
	}
	for _, pat := range strings.Split(strings.TrimSuffix(lines[0][len(prefix):], ")"), "|") {
		p, ok := machinePlatform(pat)
		if !ok {
			return nil, script, false
		}
		platforms = append(platforms, p)
	}
	return platforms, strings.Join(lines[1:len(lines)-1], "\n"), true
}

// machineCaseOpen and machineCaseClose enclose MachineCase.
const (
	machineCaseOpen  = `case "$(uname -m)" in`
	machineCaseClose = "esac"
)

// MachineCase returns the lines that give a script (a definition file's
// %environment, a machine's profile script) lines per platform: a case
// on `uname -m` with one branch per platform of platforms that has lines
// (bodies[i] are platforms[i]'s). ok is false for a platform with no
// machine name. No lines at all give no case.
func MachineCase(platforms []string, bodies [][]string) (lines []string, ok bool) {
	for i, p := range platforms {
		if len(bodies[i]) == 0 {
			continue
		}
		pat, known := MachinePattern(p)
		if !known {
			return nil, false
		}
		if lines == nil {
			lines = []string{machineCaseOpen}
		}
		lines = append(lines, pat+")")
		lines = append(lines, bodies[i]...)
		lines = append(lines, ";;")
	}
	if lines != nil {
		lines = append(lines, machineCaseClose)
	}
	return lines, true
}

// ReadMachineCase returns script with the case MachineCase wrote (at
// most one) replaced by the lines of platform's branch, as a machine of
// platform runs it; found says there was one. Without a platform (""), a
// script with such a case is an error: it says something else on each
// platform.
func ReadMachineCase(script, platform string) (out string, found bool, err error) {
	lines := strings.Split(script, "\n")
	start := slices.Index(lines, machineCaseOpen)
	if start < 0 {
		return script, false, nil
	}
	end := slices.Index(lines[start:], machineCaseClose)
	if end < 0 {
		return "", true, fmt.Errorf("a case on uname -m without its esac")
	}
	end += start
	if platform == "" {
		return "", true, fmt.Errorf("values per platform (a case on uname -m): read it for one platform")
	}
	pat, known := MachinePattern(platform)
	if !known {
		return "", true, fmt.Errorf("platform %s has no machine name", platform)
	}
	var body []string
	for i := start + 1; i < end; {
		head, ok := strings.CutSuffix(lines[i], ")")
		if _, known := machinePlatform(head); !ok || !known {
			return "", true, fmt.Errorf("line %q of a case on uname -m is no machine's pattern", lines[i])
		}
		stop := slices.Index(lines[i:end], ";;")
		if stop < 0 {
			return "", true, fmt.Errorf("the branch %s of a case on uname -m without its ;;", lines[i])
		}
		if head == pat {
			body = lines[i+1 : i+stop]
		}
		i += stop + 1
	}
	if slices.Contains(lines[end+1:], machineCaseOpen) {
		return "", true, fmt.Errorf("two cases on uname -m")
	}
	rest := append(append(slices.Clone(lines[:start]), body...), lines[end+1:]...)
	return strings.Join(rest, "\n"), true, nil
}

// RunEnvLines returns the lines of a script that export the variables
// the run command sees (ir.Env.RunEnv), export writing one variable's.
// Where they differ by platform (ir.Env.PlatformValues), the variables
// with one value on every platform come first, then a MachineCase with
// each platform's own (ir.Env.PlatformRunEnv); ok is false when a
// platform has no machine name.
func RunEnvLines(env *ir.Env, export func(ir.EnvVar) []string) (lines []string, ok bool) {
	if !env.PlatformValues() {
		for _, v := range env.RunEnv() {
			lines = append(lines, export(v)...)
		}
		return lines, true
	}
	common, per := env.PlatformRunEnv()
	for _, v := range common {
		lines = append(lines, export(v)...)
	}
	bodies := make([][]string, len(per))
	for i, vars := range per {
		for _, v := range vars {
			bodies[i] = append(bodies[i], export(v)...)
		}
	}
	cased, ok := MachineCase(env.Platforms, bodies)
	return append(lines, cased...), ok
}
