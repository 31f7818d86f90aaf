package lockfile

import (
	"sort"
	"strings"
)

// ProbeDir is the folder the probe steps write their findings to, in the
// built file system (read back, never exported).
const ProbeDir = "/.envc-lock"

// PackagesFile is the file, under ProbeDir, listing the distribution's
// installed packages (ParsePackages reads it).
const PackagesFile = ProbeDir + "/packages"

// PackagesProbe returns the shell command that lists the packages
// installed with manager into PackagesFile, one "name<TAB>version" a
// line (for apt: the dpkg status, the architecture and the native one).
func PackagesProbe(manager string) string {
	var q string
	switch manager {
	case "apt":
		q = `{ printf 'native\t%s\n' "$(dpkg --print-architecture)"; dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Architecture}\t${Version}\n'; }`
	case "dnf", "zypper":
		q = `rpm -qa --qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n'`
	case "apk":
		q = `awk -F: '/^P:/ { p = substr($0, 3) } /^V:/ { print p "\t" substr($0, 3) }' /lib/apk/db/installed`
	default:
		q = "true"
	}
	return "mkdir -p " + ProbeDir + " && " + q + " > " + PackagesFile
}

// ParsePackages reads what PackagesProbe wrote: package name -> version.
// A Debian package of another architecture than the native one (and not
// "all") is named name:arch, as apt-get takes it.
func ParsePackages(manager string, out []byte) map[string]string {
	pkgs := map[string]string{}
	native := ""
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		switch {
		case manager == "apt" && len(f) == 2 && f[0] == "native":
			native = f[1]
		case manager == "apt" && len(f) == 4:
			if strings.TrimSpace(f[0]) != "ii" {
				continue // removed, half-installed: not there
			}
			name := f[1]
			if f[2] != "all" && native != "" && f[2] != native {
				name += ":" + f[2]
			}
			pkgs[name] = f[3]
		case manager != "apt" && len(f) == 2 && f[0] != "" && f[1] != "":
			if f[0] == "gpg-pubkey" {
				continue // rpm's keys, not packages
			}
			pkgs[f[0]] = f[1]
		}
	}
	return pkgs
}

// PipProbe returns the shell command that lists what pip installed at
// location (Pip.Location) into the file PipFile(location): the
// distributions whose INSTALLER is pip (a distribution's own Python
// packages are left out), one "name<TAB>version" a line. Nothing is
// listed where there is no Python.
func PipProbe(location string) string {
	const list = `import importlib.metadata as m, sys
for d in m.distributions(path=sys.argv[1:] or None):
    if (d.read_text("INSTALLER") or "").strip() == "pip":
        print(d.metadata["Name"] + "\t" + d.version)`
	out := PipFile(location)
	py := "python3"
	args := ""
	switch {
	case strings.HasPrefix(location, "venv:"):
		py = shq(strings.TrimPrefix(location, "venv:") + "/bin/python")
	case strings.HasPrefix(location, "user:"):
		user := strings.TrimPrefix(location, "user:")
		args = ` "$(PYTHONUSERBASE="$(getent passwd ` + shq(user) + ` | cut -d: -f6)/.local" python3 -c 'import site; print(site.getusersitepackages())')"`
	}
	return "mkdir -p " + ProbeDir + " && if command -v " + py + " >/dev/null 2>&1; then " + py + " -c " + shq(list) + args + " > " + out + "; else : > " + out + "; fi"
}

// PipFile is the file PipProbe writes for location.
func PipFile(location string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, location)
	return ProbeDir + "/pip-" + name
}

// ParsePip reads what PipProbe wrote: normalised name -> version.
func ParsePip(out []byte) map[string]string {
	pkgs := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		name, version, ok := strings.Cut(line, "\t")
		if ok && name != "" && version != "" {
			pkgs[NormalizePip(name)] = version
		}
	}
	return pkgs
}

// Split divides what a build installed (after, against the base's
// before) into the requested packages (those of requested found in
// after, at their versions) and what they pulled in: every other package
// new or changed since the base. Either map is nil when empty.
func Split(before, after map[string]string, requested []string) (packages, dependencies map[string]string) {
	asked := map[string]bool{}
	for _, n := range requested {
		asked[n] = true
		if v, ok := after[n]; ok {
			if packages == nil {
				packages = map[string]string{}
			}
			packages[n] = v
		}
	}
	names := make([]string, 0, len(after))
	for n := range after {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if asked[n] || before[n] == after[n] {
			continue
		}
		if dependencies == nil {
			dependencies = map[string]string{}
		}
		dependencies[n] = after[n]
	}
	return packages, dependencies
}

// shq quotes s for sh.
func shq(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
