package compiler

import (
	"net"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// validUserName reports whether s is a user name useradd takes: a
// lowercase letter or '_', then lowercase letters, digits, '_', '.' and
// '-', 31 bytes at most, then an optional '$' (the pattern
// ^[a-z_][a-z0-9_.-]{0,30}\$?$, 32 bytes at most). It is written out
// rather than a regular expression, whose bounded repetition costs more
// to compile than the check saves.
func validUserName(s string) bool {
	s = strings.TrimSuffix(s, "$")
	if s == "" || len(s) > 31 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// lowerRuntime lowers what the environment runs with: the run user, the
// run directory, the run command, init and the entrypoint.
func (el *envLowerer) lowerRuntime() {
	e, env := el.e, el.env
	if a := e.User; a != nil {
		if s, ok := el.str(a, "user"); ok {
			_, _, _, numeric := ir.NumericUser(s)
			if !numeric && !validUserName(s) {
				el.errorf(a.Expr.Range(), "Invalid user name",
					"%q is neither a portable user name nor ids: use up to 32 lowercase letters, digits, '_', '.' and '-', starting with a letter or '_', "+
						"or a uid with an optional gid (1000 or \"1000:100\", up to %d, without leading zeros).", s, ir.MaxID)
			} else {
				env.User, env.UserRange = s, a.Expr.Range()
			}
		}
	}
	if a := e.Workdir; a != nil {
		s, ok := el.str(a, "workdir")
		if ok && el.checkAbs(s, a.Expr.Range(), "workdir") && el.literal(s, a.Expr.Range(), "workdir", false) {
			env.Workdir, env.WorkdirRange = path.Clean(s), a.Expr.Range()
		}
	}
	if a := e.Run; a != nil {
		if argv, ok := el.lowerArgv(a, "run command", "Run command"); ok {
			env.Run, env.RunRange = argv, a.Expr.Range()
		}
	}
	if a := e.Init; a != nil {
		env.Init, _ = el.boolean(a, "init")
		env.InitRange = a.Expr.Range()
	}
	if a := e.Entrypoint; a != nil {
		if argv, ok := el.lowerArgv(a, "entrypoint", "Entrypoint"); ok {
			env.Entrypoint, env.EntrypointRange = argv, a.Expr.Range()
		}
	}
}

// lowerArgv evaluates an argv attribute (the run command, the entrypoint):
// a non-empty list of literal strings whose first element names the
// program. what names it in text, title at the start of a summary.
func (el *envLowerer) lowerArgv(a *hcl.Attribute, what, title string) ([]string, bool) {
	items, ok := el.strList(a, what)
	if !ok {
		return nil, false
	}
	if len(items) == 0 {
		el.errorf(a.Expr.Range(), "Empty "+what,
			"The %s needs at least the program to run, e.g. [\"python3\", \"main.py\"]. Remove the argument for no %s.", what, what)
	}
	argv := make([]string, 0, len(items))
	ok = len(items) > 0
	for _, it := range items {
		ok = el.literal(it.Value, it.Range, strings.TrimSuffix(what, " command")+" argument", true) && ok
		argv = append(argv, it.Value)
	}
	if total := len(strings.Join(argv, "")); ok && total > maxCommand {
		el.errorf(a.Expr.Range(), title+" too long",
			"The %s is %d bytes long; envc carries %ss of up to %d bytes. Put a long script in a file block and run it.", what, total, what, maxCommand)
		ok = false
	}
	if ok && argv[0] == "" {
		el.errorf(items[0].Range, "Empty program name", "The first element of the %s is the program to run and must not be empty.", what)
		ok = false
	}
	return argv, ok
}

// portKey is a port number with its protocol.
type portKey struct {
	port  int
	proto string
}

// lowerPorts lowers the port blocks; a host port is forwarded once, and
// a guest port published once.
func (el *envLowerer) lowerPorts() {
	hostSeen := map[portKey]hcl.Range{}
	guestSeen := map[portKey]hcl.Range{}
	for _, p := range el.e.Ports {
		if p.Guest == nil {
			continue
		}
		port, ok := el.lowerPort(p)
		if !ok {
			continue
		}
		hk, gk := portKey{port.Host, port.Protocol}, portKey{port.Guest, port.Protocol}
		if prev, dup := hostSeen[hk]; dup {
			el.errorf(p.DeclRange, "Duplicate port", "Host port %d/%s is already forwarded at %s. Use a different host port.", port.Host, port.Protocol, prev)
			continue
		}
		if prev, dup := guestSeen[gk]; dup {
			el.errorf(p.DeclRange, "Duplicate port", "Guest port %d/%s is already published at %s. Publish each guest port once.", port.Guest, port.Protocol, prev)
			continue
		}
		hostSeen[hk], guestSeen[gk] = p.DeclRange, p.DeclRange
		el.env.Ports = append(el.env.Ports, port)
	}
}

// lowerPort lowers one port block.
func (el *envLowerer) lowerPort(p *schema.Port) (ir.Port, bool) {
	port := ir.Port{Range: p.DeclRange, Protocol: "tcp"}
	var ok bool
	port.Guest, ok = el.portNumber(p.Guest, "guest port")
	port.Host = port.Guest
	if p.Host != nil {
		var hostOK bool
		port.Host, hostOK = el.portNumber(p.Host, "host port")
		ok = ok && hostOK
	}
	if a := p.Protocol; a != nil {
		s, evaluated := el.str(a, "protocol")
		if s != "tcp" && s != "udp" && evaluated {
			el.errorf(a.Expr.Range(), "Invalid protocol", "The protocol must be \"tcp\" or \"udp\", not %q.", s)
			ok = false
		}
		port.Protocol = s
	}
	if a := p.HostIP; a != nil {
		s, evaluated := el.str(a, "host_ip")
		if evaluated && net.ParseIP(s) == nil {
			el.errorf(a.Expr.Range(), "Invalid host_ip", "%q is not an IP address; use e.g. \"127.0.0.1\", or leave host_ip out to listen on all addresses.", s)
			ok = false
		}
		port.HostIP = s
	}
	return port, ok
}

// portNumber evaluates a port number (what names it).
func (el *envLowerer) portNumber(a *hcl.Attribute, what string) (int, bool) {
	n, ok := el.integer(a, what)
	if !ok {
		return 0, false
	}
	if n < 1 || n > 65535 {
		el.errorf(a.Expr.Range(), "Port out of range", "The %s %d is not a port number: use 1 to 65535.", what, n)
		return n, false
	}
	return n, true
}

// lowerMounts lowers the mount blocks; each target is mounted once.
func (el *envLowerer) lowerMounts() {
	seen := map[string]hcl.Range{}
	for _, m := range el.e.Mounts {
		if m.Source == nil || m.Target == nil {
			continue
		}
		if mount, ok := el.lowerMount(m, seen); ok {
			el.env.Mounts = append(el.env.Mounts, mount)
		}
	}
}

// lowerMount lowers one mount block. seen holds the targets mounted so
// far; lowerMount adds its own.
func (el *envLowerer) lowerMount(m *schema.Mount, seen map[string]hcl.Range) (ir.Mount, bool) {
	src, srcOK := el.str(m.Source, "mount source")
	dst, dstOK := el.str(m.Target, "mount target")
	ro := false
	if m.ReadOnly != nil {
		ro, _ = el.boolean(m.ReadOnly, "read_only setting")
	}
	if !srcOK || !dstOK {
		return ir.Mount{}, false
	}
	dst, ok := el.checkMountPaths(m, src, dst)
	if !ok {
		return ir.Mount{}, false
	}
	if prev, dup := seen[dst]; dup {
		el.errorf(m.DeclRange, "Duplicate mount", "Something is already mounted at %q (at %s). Mount each target once.", dst, prev)
		return ir.Mount{}, false
	}
	seen[dst] = m.DeclRange
	if clean := path.Clean(filepath.ToSlash(src)); filepath.IsAbs(src) || clean == ".." || strings.HasPrefix(clean, "../") {
		access, fix := "read-write (read_only defaults to false)", ", or set read_only = true if that host folder is meant"
		if ro {
			access, fix = "read-only", ""
		}
		el.warn(LintMountOutsideSpec, m.Source.Expr.Range(),
			"The mount source %q is outside the spec's folder, so every machine that runs this environment binds its own %s there, %s. "+
				"Mount a folder of the spec's checkout (e.g. \".\" or \"data\")%s.", src, clean, access, fix)
	}
	msrc := mountSource(src, el.e.Name, el.opts)
	if why := mountSourceProblem(msrc); why != "" {
		el.errorf(m.Source.Expr.Range(), "Mount source cannot be carried",
			"The mount source resolves to %q relative to the output folder, and %s. Choose another output folder.", msrc, why)
		return ir.Mount{}, false
	}
	return ir.Mount{Source: msrc, Target: dst, ReadOnly: ro, Range: m.DeclRange}, true
}

// checkMountPaths checks the evaluated source src and target dst of m,
// and returns the target clean.
func (el *envLowerer) checkMountPaths(m *schema.Mount, src, dst string) (string, bool) {
	srcRange, dstRange := m.Source.Expr.Range(), m.Target.Expr.Range()
	switch {
	case valueProblem(src, false) != "":
		el.errorf(srcRange, "Invalid mount source", "The mount source %s. Change it.", valueProblem(src, false))
	case valueProblem(dst, false) != "":
		el.errorf(dstRange, "Invalid mount target", "The mount target %s. Change it.", valueProblem(dst, false))
	case src == "":
		el.errorf(srcRange, "Empty mount source", "The mount source must name a host directory, e.g. \".\" for the spec's directory.")
	case !el.checkAbs(dst, dstRange, "mount target"):
	case mountTargetProblem(path.Clean(dst)) != "":
		el.errorf(dstRange, "Mount target cannot be carried", "In the mount target %q, %s.", path.Clean(dst), mountTargetProblem(path.Clean(dst)))
	case mountSourceProblem(src) != "":
		el.errorf(srcRange, "Mount source cannot be carried", "In the mount source %q, %s.", src, mountSourceProblem(src))
	default:
		return path.Clean(dst), true
	}
	return "", false
}

// mountSource returns src (relative to the spec's directory, or absolute)
// as seen from the environment's output folder.
func mountSource(src, envName string, opts Options) string {
	if filepath.IsAbs(src) {
		return filepath.ToSlash(filepath.Clean(src))
	}
	if opts.OutDir == "" {
		return path.Clean(filepath.ToSlash(src))
	}
	from, err1 := filepath.Abs(filepath.Join(opts.OutDir, envName))
	to, err2 := filepath.Abs(filepath.Join(opts.SpecDir, src))
	if err1 != nil || err2 != nil {
		return path.Clean(filepath.ToSlash(src))
	}
	rel, err := filepath.Rel(from, to)
	if err != nil {
		return filepath.ToSlash(to)
	}
	return filepath.ToSlash(rel)
}

// lowerVM lowers the vm block.
func (el *envLowerer) lowerVM() {
	v := el.e.VM
	if v == nil {
		return
	}
	str := func(a *hcl.Attribute, what string) string {
		if a == nil {
			return ""
		}
		s, ok := el.str(a, what)
		if ok {
			if why := valueProblem(s, false); why != "" {
				el.errorf(a.Expr.Range(), "Invalid character", "The %s %s. Change it.", what, why)
				return ""
			}
		}
		return s
	}
	num := func(a *hcl.Attribute, what string, lo, hi int, unit string) int {
		if a == nil {
			return 0
		}
		n, ok := el.integer(a, what)
		if ok && (n < lo || n > hi) {
			el.errorf(a.Expr.Range(), "Value out of range", "The %s must be between %d and %d%s; %d is not.", what, lo, hi, unit, n)
			return 0
		}
		return n
	}
	el.env.VM = ir.VM{
		Range:      v.DeclRange,
		Box:        str(v.Box, "box"),
		BoxVersion: str(v.BoxVersion, "box_version"),
		BoxURL:     str(v.BoxURL, "box_url"),
		Name:       str(v.Name, "VM name"),
		CPUs:       num(v.CPUs, "cpus", 1, 1024, ""),
		Memory:     num(v.Memory, "memory", 128, 16*1024*1024, " MiB"),
		GUI:        el.optBool(v.GUI, "gui"),
		Reboot:     el.optBool(v.Reboot, "reboot"),
		// forward_agent is the ssh block's.
		ForwardAgent: el.optBool(v.ForwardAgent, "forward_agent"),
	}
	if vb := v.VirtualBox; vb != nil {
		el.env.VM.VirtualBox = ir.VirtualBox{
			LinkedClone:    el.optBool(vb.LinkedClone, "linked_clone"),
			DefaultNICType: el.oneOf(vb.DefaultNICType, "default_nic_type", "network card type", vboxNICTypes),
		}
	}
	if lv := v.Libvirt; lv != nil {
		el.env.VM.Libvirt = ir.Libvirt{
			Driver:  el.oneOf(lv.Driver, "driver", "libvirt driver", []string{"kvm", "qemu"}),
			CPUMode: el.oneOf(lv.CPUMode, "cpu_mode", "CPU mode", []string{"host-model", "host-passthrough", "custom"}),
			Nested:  el.optBool(lv.Nested, "nested"),
		}
	}
}

// vboxNICTypes are the network card types VirtualBox emulates.
var vboxNICTypes = []string{"Am79C970A", "Am79C973", "Am79C960", "82540EM", "82543GC", "82545EM", "virtio"}

// optBool evaluates an optional bool attribute (nil: false).
func (el *envLowerer) optBool(a *hcl.Attribute, what string) bool {
	if a == nil {
		return false
	}
	b, _ := el.boolean(a, what)
	return b
}

// oneOf evaluates an optional string attribute (what names it, noun
// says what it is) that must be one of allowed (nil: "").
func (el *envLowerer) oneOf(a *hcl.Attribute, what, noun string, allowed []string) string {
	if a == nil {
		return ""
	}
	s, ok := el.str(a, what)
	if !ok {
		return ""
	}
	if !slices.Contains(allowed, s) {
		el.errorf(a.Expr.Range(), "Unknown "+noun,
			"%q is not a %s envc knows for %s: use %s.", s, noun, what, quotedList(allowed))
		return ""
	}
	return s
}

// quotedList renders names as "a", "b" or "c".
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
