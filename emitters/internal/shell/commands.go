package shell

import (
	"github.com/envc-dev/envc/compiler/ir"
)

// InstallOptions adjust an install command to where it runs.
type InstallOptions struct {
	// VM is set for a virtual machine's provisioner: apt waits for the dpkg
	// lock (held by unattended upgrades on first boot) and keeps its package
	// lists, so that the user can install more later.
	VM bool
}

// InstallCommand returns the one-line sh command that installs pkgs with
// mgr following the manager's best practice: non-interactive, without
// recommended packages, cleaning its caches in the same command.
func InstallCommand(mgr ir.PackageManager, pkgs []string, opts InstallOptions) string {
	names := Join(pkgs)
	switch mgr {
	case ir.Apt:
		apt := "DEBIAN_FRONTEND=noninteractive apt-get"
		if opts.VM {
			apt += " -o DPkg::Lock::Timeout=600"
		}
		cmd := apt + " update && " + apt + " install -y --no-install-recommends " + names
		if !opts.VM {
			cmd += " && rm -rf /var/lib/apt/lists/*"
		}
		return cmd
	case ir.Dnf:
		return "dnf install -y --setopt=install_weak_deps=False --nodocs " + names + " && dnf clean all"
	case ir.Apk:
		return "apk add --no-cache " + names
	case ir.Zypper:
		return "zypper -n install --no-recommends " + names + " && zypper clean -a"
	}
	panic("shell.InstallCommand: unknown package manager " + string(mgr))
}

// EnsureUserCommand returns a command that creates the user name, with a
// home directory, unless it exists. family selects the tool: BusyBox
// adduser on Alpine, useradd elsewhere.
func EnsureUserCommand(name, family string) string {
	q := MustQuote(name)
	create := "useradd -l -m " + q
	if family == "alpine" {
		create = "adduser -D " + q
	}
	return "id -u " + q + " >/dev/null 2>&1 || " + create
}

// MkdirCommand returns a command that creates dir and its parents unless it
// exists, giving the new directory to owner ("" leaves it to root).
func MkdirCommand(dir, owner string) string {
	d := MustQuote(dir)
	if owner == "" {
		return "mkdir -p " + d
	}
	o := MustQuote(owner)
	return "if [ ! -d " + d + " ]; then mkdir -p " + d + " && chown \"$(id -u " + o + "):$(id -g " + o + ")\" " + d + "; fi"
}

// ExportLine returns `export NAME=value` with value rendered by ExpandWord.
// name must satisfy ir.ValidName.
func ExportLine(v ir.EnvVar) string {
	return "export " + v.Name + "=" + ExpandWord(v.Value)
}
