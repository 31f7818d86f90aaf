package compiler

import (
	"path/filepath"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
)

// Package names and version constraints as each package manager takes them
// on its command line. The general packagePattern has already kept out
// white space and shell characters; these rules catch what the manager
// itself would refuse or read differently, with the form it wants.
var (
	// apt: Debian policy names (lowercase, at least two characters), an
	// optional :arch, then an exact version (=1.2-3, or a glob =1.2.*) or
	// a release (/bookworm-backports).
	// Names are checked by isAptName (see aptNamePattern in the tests).
	aptVersion = lazyre.New(`^[A-Za-z0-9.+~:*-]+$`)
	aptRelease = lazyre.New(`^[A-Za-z0-9.+~-]+$`)

	// dnf: a name, NEVRA or glob (python3-3.11*), optionally a capability
	// in parentheses (perl(Foo::Bar), pkgconfig(glib-2.0)); no operators.
	dnfSpec = lazyre.New(`^[A-Za-z0-9_+][A-Za-z0-9_.+*?:~-]*(\([A-Za-z0-9_.+:/-]+\))?$`)

	// apk: a name, an optional constraint (=, <, >, <=, >=, ~, =~) and an
	// optional @repository tag.
	apkSpec = lazyre.New(`^[A-Za-z0-9_+][A-Za-z0-9_.+-]*((=|<|>|<=|>=|~|=~|><)[0-9][A-Za-z0-9._+-]*)?(@[A-Za-z0-9_-]+)?$`)

	// zypper: a name or capability, an optional constraint (=, <, >, <=,
	// >=) with a version.
	zypperSpec = lazyre.New(`^[A-Za-z0-9_+][A-Za-z0-9_.+*-]*(\([A-Za-z0-9_.+:/-]+\))?((=|<|>|<=|>=)[A-Za-z0-9._+~:-]+)?$`)
)

// charset is a set of bytes, for the checks that run once per package
// (a spec may list thousands): a table lookup per byte, where a regular
// expression costs a hundred times more.
type charset [256]bool

// newCharset returns the set of the bytes in spec, where "a-z" is a range.
func newCharset(spec string) *charset {
	var c charset
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			for b := int(spec[i]); b <= int(spec[i+2]); b++ {
				c[b] = true
			}
			i += 2
			continue
		}
		c[spec[i]] = true
	}
	return &c
}

// all reports whether s is non-empty and every byte of it is in c.
func (c *charset) all(s string) bool {
	for i := 0; i < len(s); i++ {
		if !c[s[i]] {
			return false
		}
	}
	return s != ""
}

var (
	aptNameFirst = newCharset("a-z0-9")
	aptNameRest  = newCharset("a-z0-9+.-")
	aptArch      = newCharset("a-z0-9-")
	pkgFirst     = newCharset("A-Za-z0-9_+")
	pkgRest      = newCharset("A-Za-z0-9_+.:~=<>*/@,()-")
)

// isAptName reports whether s is an apt package name, with an optional
// :arch: `^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$`.
func isAptName(s string) bool {
	name, arch, hasArch := strings.Cut(s, ":")
	return len(name) >= 2 && aptNameFirst[name[0]] && aptNameRest.all(name[1:]) && (!hasArch || aptArch.all(arch))
}

// isPackageWord reports whether s can be a package word on any manager's
// command line: `^[A-Za-z0-9_+][A-Za-z0-9_+.:~=<>*/@,()-]*$`.
func isPackageWord(s string) bool {
	return s != "" && pkgFirst[s[0]] && (len(s) == 1 || pkgRest.all(s[1:]))
}

// packageProblem returns why spec is not a package name (with optional
// version constraint) the manager takes, completing "%q ...", or "".
func packageProblem(mgr ir.PackageManager, spec string) string {
	switch mgr {
	case ir.Apt:
		name, version, hasVersion := strings.Cut(spec, "=")
		name, release, hasRelease := strings.Cut(name, "/")
		switch {
		case strings.ContainsAny(spec, "<>"):
			return "is not a version constraint apt-get takes: give an exact version, as \"pkg=1.2-3\" or a glob \"pkg=1.2.*\""
		case !isAptName(name):
			return "is not a Debian package name: a name has at least two characters, lowercase letters, digits and '+', '-' or '.', starting with a letter or digit (e.g. \"python3-numpy\", or \"libc6:i386\" for another architecture)"
		case hasVersion && !aptVersion().MatchString(version):
			return "has a version apt-get does not take: write \"pkg=VERSION\", e.g. \"curl=7.88.1-10\" or \"curl=7.88.*\" (apt has no <, > or ranges)"
		case hasRelease && (hasVersion || !aptRelease().MatchString(release)):
			return "names a release apt-get does not take: write \"pkg/RELEASE\", e.g. \"cmake/bookworm-backports\", without a version"
		}
	case ir.Dnf:
		if strings.ContainsAny(spec, "=<>") {
			return "is not a form dnf takes on its command line: give a version as name-version, e.g. \"python3-3.11.5\" or \"python3-3.11*\""
		}
		if !dnfSpec().MatchString(spec) {
			return "is not a package name dnf takes: use a name, name-version or a glob (e.g. \"gcc-c++\", \"python3-3.11*\"), or a capability such as \"perl(Foo::Bar)\""
		}
	case ir.Apk:
		if !apkSpec().MatchString(spec) {
			return "is not a package apk takes: use a name with an optional constraint and repository tag, e.g. \"py3-numpy\", \"curl=8.5.0-r0\", \"curl>=8\" or \"gdal@testing\""
		}
	case ir.Zypper:
		if !zypperSpec().MatchString(spec) {
			return "is not a package zypper takes: use a name with an optional constraint, e.g. \"gcc-c++\", \"python3=3.6.15\" or \"cmake>=3.20\""
		}
	}
	return ""
}

// checkInside reports a file source that, once its symbolic links are
// resolved, lies outside the spec's directory: the spec would copy a file
// its directory does not hold (and another checkout would not have).
func checkInside(specDir, host, src string, rng hcl.Range) *hcl.Diagnostic {
	real, err := filepath.EvalSymlinks(host)
	if err != nil {
		return nil // a missing file is reported by the caller
	}
	dir := specDir
	if dir == "" {
		dir = "."
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil
	}
	realAbs, err1 := filepath.Abs(real)
	rootAbs, err2 := filepath.Abs(root)
	if err1 != nil || err2 != nil {
		return nil
	}
	rel, err := filepath.Rel(rootAbs, realAbs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return errorAt(rng, "File source outside the spec's directory",
			"The file source %q is a symbolic link (or lies under one) that leads outside the spec's directory. Copy the file into the spec's directory instead of linking to it.", src)
	}
	return nil
}
