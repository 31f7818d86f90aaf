package shell

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"mvdan.cc/sh/v3/syntax"
)

// InstallOptions adjust an install command to where it runs.
type InstallOptions struct {
	// VM is set for a virtual machine's provisioner: apt waits for the dpkg
	// lock (held by unattended upgrades on first boot) and keeps its package
	// lists, so that the user can install more later.
	VM bool
	// Recommends installs recommended (weak) dependencies too.
	Recommends bool
}

// InstallCommand returns the one-line sh command that installs pkgs with
// mgr following the manager's best practice: non-interactive, without
// recommended packages unless opts.Recommends (apk has none), cleaning its
// caches in the same command.
func InstallCommand(mgr ir.PackageManager, pkgs []string, opts InstallOptions) string {
	names := Join(pkgs)
	switch mgr {
	case ir.Apt:
		apt := "DEBIAN_FRONTEND=noninteractive apt-get"
		if opts.VM {
			apt += " -o DPkg::Lock::Timeout=600"
		}
		install := " install -y --no-install-recommends "
		if opts.Recommends {
			install = " install -y "
		}
		cmd := apt + " update && " + apt + install + names
		if !opts.VM {
			cmd += " && rm -rf /var/lib/apt/lists/*"
		}
		return cmd
	case ir.Dnf:
		weak := " --setopt=install_weak_deps=False"
		if opts.Recommends {
			weak = ""
		}
		return "dnf install -y" + weak + " --nodocs " + names + " && dnf clean all"
	case ir.Apk:
		return "apk add --no-cache " + names
	case ir.Zypper:
		rec := " --no-recommends"
		if opts.Recommends {
			rec = ""
		}
		return "zypper -n install" + rec + " " + names + " && zypper clean -a"
	}
	panic("shell.InstallCommand: unknown package manager " + string(mgr))
}

// InstallOf returns the install command of s, for a VM's provisioner when
// vm is set.
func InstallOf(s *ir.InstallStep, vm bool) string {
	return InstallCommand(s.Manager, s.Packages, InstallOptions{VM: vm, Recommends: s.Recommends})
}

// User is what EnsureUserCommand creates: ir.UserStep without its range.
type User struct {
	Name     string
	UID, GID int
	Home     string
	Shell    string
	Groups   []string
	// TakeOver removes the user that holds UID first.
	TakeOver bool
}

// UserOf returns the user s makes sure exists.
func UserOf(s *ir.UserStep) User {
	return User{Name: s.Name, UID: s.UID, GID: s.GID, Home: s.Home, Shell: s.Shell, Groups: s.Groups, TakeOver: s.TakeOver}
}

// plain reports whether u has no attribute besides its name.
func (u User) plain() bool {
	return u.UID == 0 && u.GID == 0 && u.Home == "" && u.Shell == "" && len(u.Groups) == 0 && !u.TakeOver
}

// EnsureUserCommand returns a command that creates the user u, with a home
// directory, unless it exists. family selects the tools: BusyBox adduser,
// addgroup and deluser on Alpine, shadow's useradd, groupadd and userdel
// elsewhere.
//
// The primary group is the group that holds u.GID when one does (as
// Kubernetes' "1000:100" asks for the users group); otherwise a group
// named as the user is made with u.GID, and the command fails (never
// picking another id) when a group of that name holds another one. With
// u.TakeOver, the user that holds u.UID is removed first, with its home
// (and, as userdel does, its own group). Missing supplementary groups are
// created, and the user joins them whether the command created it or it
// existed (a Vagrant box's vagrant, a user of the base image).
func EnsureUserCommand(u User, family string) string {
	t := userToolsOf(family)
	q := MustQuote(u.Name)
	if u.plain() {
		return "id -u " + q + " >/dev/null 2>&1 || " + t.create + " " + q
	}
	// cmds create the user; join adds it to its supplementary groups.
	var cmds []string
	if u.TakeOver && u.UID != 0 {
		uid := strconv.Itoa(u.UID)
		cmds = append(cmds, "{ ! getent passwd "+uid+" >/dev/null || "+t.remove+" \"$(getent passwd "+uid+" | cut -d: -f1)\"; }")
	}
	add := t.create
	if u.GID != 0 {
		gid := strconv.Itoa(u.GID)
		cmds = append(cmds, "{ getent group "+gid+" >/dev/null || "+t.addGroup+" -g "+gid+" "+q+"; }")
		add += " " + t.primaryGroup(gid)
	}
	if u.UID != 0 {
		add += " -u " + strconv.Itoa(u.UID)
	}
	if u.Home != "" {
		add += " " + t.homeFlag + " " + MustQuote(u.Home)
	}
	if u.Shell != "" {
		add += " -s " + MustQuote(u.Shell)
	}
	cmds = append(cmds, add+" "+q)
	create := "id -u " + q + " >/dev/null 2>&1 || { " + strings.Join(cmds, " && ") + "; }"
	join := t.join(q, u.Groups)
	if len(join) == 0 {
		return create
	}
	return "{ " + create + "; } && " + strings.Join(join, " && ")
}

// userTools are one family's commands that manage users and groups.
type userTools struct {
	create       string // creates a user with a home directory
	remove       string // removes a user with its home directory
	addGroup     string // creates a group; takes -g GID
	homeFlag     string // the create flag that sets the home directory
	primaryGroup func(gid string) string
	// join returns the commands that add the user (quoted) to groups,
	// creating the missing ones.
	join func(user string, groups []string) []string
}

// busyboxUserTools are Alpine's: BusyBox adduser, addgroup and deluser.
var busyboxUserTools = userTools{
	create:   "adduser -D",
	remove:   "deluser --remove-home",
	addGroup: "addgroup",
	homeFlag: "-h",
	primaryGroup: func(gid string) string {
		return "-G \"$(getent group " + gid + " | cut -d: -f1)\""
	},
	join: func(user string, groups []string) []string {
		var join []string
		for _, g := range groups {
			gq := MustQuote(g)
			join = append(join, "{ grep -q "+MustQuote("^"+g+":")+" /etc/group || addgroup "+gq+"; }", "addgroup "+user+" "+gq)
		}
		return join
	},
}

// shadowUserTools are shadow's useradd, groupadd, usermod and userdel.
var shadowUserTools = userTools{
	create:       "useradd -l -m",
	remove:       "userdel -r",
	addGroup:     "groupadd",
	homeFlag:     "-d",
	primaryGroup: func(gid string) string { return "-g " + gid },
	join: func(user string, groups []string) []string {
		if len(groups) == 0 {
			return nil
		}
		var join []string
		for _, g := range groups {
			join = append(join, "groupadd -f "+MustQuote(g))
		}
		return append(join, "usermod -aG "+MustQuote(strings.Join(groups, ","))+" "+user)
	},
}

// userToolsOf returns the user tools of the distro family.
func userToolsOf(family string) userTools {
	if family == "alpine" {
		return busyboxUserTools
	}
	return shadowUserTools
}

// EnsureUserIfFreeCommand is EnsureUserCommand for a machine whose own
// accounts may hold u.UID (a Vagrant box's vagrant user holds 1000): when
// another account has that uid, the user is created with the uid useradd
// chooses, instead of failing, and, when the gid is that uid too (the
// box's vagrant group), with a group of its own.
func EnsureUserIfFreeCommand(u User, family string) string {
	free := u
	free.UID, free.TakeOver = 0, false
	if u.GID == u.UID {
		free.GID = 0
	}
	return "if cut -d: -f3 /etc/passwd | grep -qx " + strconv.Itoa(u.UID) + "; then " +
		EnsureUserCommand(free, family) + "; else " + EnsureUserCommand(u, family) + "; fi"
}

// MkdirCommand returns a command that creates dir and its parents unless it
// exists, giving the new directory to owner ("" leaves it to root): a user
// name, or ids as ir.NumericUser reads them.
func MkdirCommand(dir, owner string) string {
	d := MustQuote(dir)
	if owner == "" {
		return "mkdir -p " + d
	}
	ids := "\"$(id -u " + MustQuote(owner) + "):$(id -g " + MustQuote(owner) + ")\""
	if uid, gid, hasGID, ok := ir.NumericUser(owner); ok {
		// As BuildKit makes a WORKDIR after USER 1000: the group is the
		// uid when none is given.
		if !hasGID {
			gid = uid
		}
		ids = strconv.Itoa(uid) + ":" + strconv.Itoa(gid)
	}
	return "if [ ! -d " + d + " ]; then mkdir -p " + d + " && chown " + ids + " " + d + "; fi"
}

// ExportLine returns `export NAME=value` with value rendered by ExpandWord.
// name must satisfy ir.ValidName.
func ExportLine(v ir.EnvVar) string {
	return "export " + v.Name + "=" + ExpandWord(v.Value)
}

// CopyDest is where a copy writes, as the parent rule needs it.
type CopyDest struct {
	Target string
	Mode   uint32
	Owner  string // "" (or "root", "0") for root
}

// ParentDirs returns, in first-use order and without repeats, the parent
// directories that must exist before the copies dests run in a Dockerfile
// or an LLB graph. BuildKit (and so docker build since Docker 23) creates
// a copy's missing parents with the copied file's mode and owner, which
// makes a folder of a 0644 file unreadable; `install -D` in the shell
// targets creates them 0755 and root-owned. A copy needs its parent made
// beforehand unless it is "/" or the file itself is 0755 and root's.
func ParentDirs(dests []CopyDest) []string {
	var dirs []string
	seen := map[string]bool{}
	for _, d := range dests {
		dir := path.Dir(d.Target)
		if dir == "/" || dir == "." || seen[dir] {
			continue
		}
		if d.Mode&0o7777 == 0o755 && (d.Owner == "" || d.Owner == "root" || d.Owner == "0") {
			continue
		}
		seen[dir] = true
		dirs = append(dirs, dir)
	}
	return dirs
}

// CopyParents returns the ParentDirs of the run of consecutive CopySteps
// that starts at steps[i], and nil when steps[i] is not the first of such
// a run.
func CopyParents(steps []ir.Step, i int) []string {
	if i > 0 {
		if _, ok := steps[i-1].(*ir.CopyStep); ok {
			return nil
		}
	}
	var dests []CopyDest
	for _, s := range steps[i:] {
		c, ok := s.(*ir.CopyStep)
		if !ok {
			break
		}
		dests = append(dests, CopyDest{Target: c.Target, Mode: c.Mode, Owner: c.Owner})
	}
	return ParentDirs(dests)
}

// ParentsCommand returns `mkdir -p DIR...`, run as root before copies
// (see ParentDirs).
func ParentsCommand(dirs []string) string {
	return "mkdir -p " + Join(dirs)
}

// StageCopyCommand returns the command that copies src, a file or a
// folder, to dst as a copy from a stage does in a Dockerfile (COPY
// --from): a folder's contents land in dst, which is created (as root's,
// 0755) and keeps its own owner and mode when it exists (each entry is
// copied with its owner and mode, the folder itself is not); a file lands
// at dst. The folder that holds dst is made first where missing.
// A mode other than 0 then applies to everything copied
// (chmod -R), and owner, when set, owns it (chown -R).
func StageCopyCommand(src, dst string, mode uint32, owner string) string {
	s, d := MustQuote(src), MustQuote(dst)
	cmd := "if [ -d " + s + " ]; then mkdir -p " + d + " && find " + s + " -mindepth 1 -maxdepth 1 -exec cp -a {} " + d + "/ \\; ; else cp -a " + s + " " + d + "; fi"
	if dir := path.Dir(dst); dir != "/" {
		cmd = "mkdir -p " + MustQuote(dir) + " && " + cmd
	}
	if mode != 0 {
		cmd += fmt.Sprintf(" && chmod -R %04o %s", mode&0o7777, d)
	}
	if owner != "" {
		o := MustQuote(owner)
		cmd += " && chown -R \"$(id -u " + o + "):$(id -g " + o + ")\" " + d
	}
	return cmd
}

// FolderCopyCommand returns the command that copies src, a staged folder
// of the build context, to dst as a Dockerfile COPY of the folder does:
// dst is made where missing, src's contents are copied into it as the
// running user's (root: staging may leave them another user's, as an
// upload by Vagrant's ssh user does), each entry is given the mode it has
// in the build context (a chmod per mode, modes ascending, paths sorted,
// so that the command says the same for the same entries in any order:
// staging may not keep modes), then owner, when set, owns what is copied.
func FolderCopyCommand(src, dst string, entries []ir.FolderEntry, owner string) string {
	d := MustQuote(dst)
	cmd := "mkdir -p " + d + " && cp -R " + MustQuote(src+"/.") + " " + MustQuote(dst+"/")
	byMode := map[uint32][]string{}
	for _, e := range entries {
		byMode[e.Mode&0o7777] = append(byMode[e.Mode&0o7777], path.Join(dst, e.Path))
	}
	for _, m := range slices.Sorted(maps.Keys(byMode)) {
		paths := byMode[m]
		slices.Sort(paths)
		cmd += fmt.Sprintf(" && chmod %04o %s", m, Join(paths))
	}
	if owner != "" {
		o := MustQuote(owner)
		cmd += " && chown -R \"$(id -u " + o + "):$(id -g " + o + ")\" " + d
	}
	return cmd
}

// DefaultLines export name with the value the caller's environment gives
// it, or w (literal text and references) when it gives none or an empty
// one: `export NAME`, then `[ -n "${NAME:-}" ] || NAME=WORD`. They are
// the run command's own variables (run_env) in a profile script or
// %environment.
func DefaultLines(name string, w ir.Word) []string {
	return []string{"export " + name, `[ -n "${` + name + `:-}" ] || ` + name + "=" + ExpandWord(w)}
}

// ReadDefault reads the second of DefaultLines back: the assignment it
// makes when the variable is empty; ok is false for any other statement.
func ReadDefault(st *syntax.Stmt) (a *syntax.Assign, ok bool) {
	b, isOr := st.Cmd.(*syntax.BinaryCmd)
	if !isOr || b.Op != syntax.OrStmt || st.Negated || st.Background || len(st.Redirs) > 0 {
		return nil, false
	}
	test, isCall := b.X.Cmd.(*syntax.CallExpr)
	set, isSet := b.Y.Cmd.(*syntax.CallExpr)
	if !isCall || !isSet || len(test.Assigns) > 0 || len(test.Args) != 4 || len(set.Args) != 0 || len(set.Assigns) != 1 || set.Assigns[0].Name == nil {
		return nil, false
	}
	name := set.Assigns[0].Name.Value
	if test.Args[0].Lit() != "[" || test.Args[1].Lit() != "-n" || test.Args[3].Lit() != "]" || PrintNode(test.Args[2]) != `"${`+name+`:-}"` {
		return nil, false
	}
	return set.Assigns[0], true
}
