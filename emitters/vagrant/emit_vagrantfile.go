package vagrant

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
)

// vagrantfile returns the Vagrantfile. It also decides where each copy
// step's file is uploaded (e.staged), which bootstrap.sh installs from.
func (e *emission) vagrantfile() string {
	env := e.env
	head := emitters.Header("# ", env)
	if first, _, _ := strings.Cut(head, "\n"); magicComment().MatchString(first) {
		e.diags = append(e.diags, emitters.Errorf(env.DeclRange, "Spec file name cannot be written", "The spec file name %q would be read by Ruby as a magic comment (\"coding:\" or \"-*-\") on the Vagrantfile's first line. Rename the spec file.", env.SpecFile))
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("#\n# Start the machine from this folder, then run the environment's command in it:\n")
	b.WriteString("#   vagrant up\n#   vagrant ssh -c " + WrapperName(env.Name) + "\n")
	// Everything else comes after the first token, where Ruby reads no
	// magic comments.
	b.WriteString("Vagrant.configure('2') do |config|\n")
	if env.Description != "" {
		b.WriteString("  # Description: " + rubyComment(env.Description) + "\n")
	}
	for _, l := range env.Labels {
		b.WriteString("  # Label: " + rubyComment(l.Key) + " = " + rubyComment(l.Value) + "\n")
	}

	line := func(format string, args ...any) { fmt.Fprintf(&b, "  "+format+"\n", args...) }
	b.WriteString("\n")
	e.emitBox(line)
	e.emitPorts(line)
	e.emitFolders(line)
	e.emitProvisioners(line)
	e.emitProviders(&b)
	b.WriteString("end\n")
	return b.String()
}

// emitBox writes the box: vm.box, or the distribution's default box (with
// its download URL) when the spec names none.
func (e *emission) emitBox(line func(string, ...any)) {
	vm, d := e.env.VM, e.env.Distro
	box, url := vm.Box, vm.BoxURL
	if box == "" && d != nil {
		box = d.Box
		if url == "" {
			url = d.BoxURL
		}
	}
	if box == "" {
		what := "the base image's distribution is unknown"
		if d != nil {
			what = fmt.Sprintf("envc knows no Vagrant box for %s %s", d.ID, d.Version)
		}
		e.diags = append(e.diags, emitters.Errorf(e.env.Base.Range, "No Vagrant box", "A Vagrant machine starts from a box, and %s. Name one in the spec: vm { box = \"...\" }.", what))
		return
	}
	line("config.vm.box = %s", e.ruby(box, vm.Range, "box"))
	if vm.BoxVersion != "" {
		line("config.vm.box_version = %s", e.ruby(vm.BoxVersion, vm.Range, "box version"))
	}
	if url != "" {
		line("config.vm.box_url = %s", e.ruby(url, vm.Range, "box URL"))
	}
	if vm.ForwardAgent {
		line("config.ssh.forward_agent = true")
	}
}

// emitPorts forwards each port. Without host_ip Vagrant binds every host
// address, as Docker does.
func (e *emission) emitPorts(line func(string, ...any)) {
	for _, p := range e.env.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		opts := fmt.Sprintf("guest: %d, host: %d", p.Guest, p.Host)
		if p.HostIP != "" {
			opts += ", host_ip: " + e.ruby(p.HostIP, p.Range, "host address")
		}
		opts += ", protocol: " + e.ruby(proto, p.Range, "protocol")
		line("config.vm.network 'forwarded_port', %s", opts)
	}
}

// emitFolders disables Vagrant's default share of the project folder (the
// spec's mounts are the only ones) and shares each mount.
func (e *emission) emitFolders(line func(string, ...any)) {
	vagrantUsed := false
	for _, m := range e.env.Mounts {
		if strings.TrimRight(m.Target, "/") == "/vagrant" {
			vagrantUsed = true
		}
	}
	if !vagrantUsed {
		line("config.vm.synced_folder '.', '/vagrant', disabled: true")
	}
	for _, m := range e.env.Mounts {
		if !guestPathOK(m.Target) {
			e.diags = append(e.diags, emitters.Errorf(m.Range, "Mount target cannot be carried", "Vagrant passes a synced folder's guest path %q to shell commands and /etc/fstab in the machine, not always quoted. Use an absolute path of letters, digits and the characters / . _ + , : @ = - only.", m.Target))
			continue
		}
		if !hostPathOK(m.Source) {
			e.diags = append(e.diags, emitters.Errorf(m.Range, "Mount source cannot be carried", "Vagrant writes a synced folder's host path %q into files on the host (NFS exports under libvirt) and treats \"\\\" as a separator on Windows. Use a path without control characters, '\"' or '\\'.", m.Source))
			continue
		}
		src := m.Source
		if strings.HasPrefix(src, "~") {
			src = "./" + src // Vagrant expands a leading "~" to a home folder
		}
		opts := ""
		if m.ReadOnly {
			opts = ", mount_options: ['ro']"
		}
		line("config.vm.synced_folder %s, %s%s", e.ruby(src, m.Range, "mount source"), e.ruby(m.Target, m.Range, "mount target"), opts)
	}
}

// guestPathOK reports whether a synced folder's guest path is absolute and
// holds only characters that no shell, printf or fstab treats specially.
func guestPathOK(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	for _, r := range p {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("/._+,:@=-", r) {
			return false
		}
	}
	return true
}

// hostPathOK reports whether a synced folder's host path can be handed to
// Vagrant's synced folder implementations as it is.
func hostPathOK(p string) bool {
	if p == "" {
		return false
	}
	for _, r := range p {
		if !unicode.IsPrint(r) && r != ' ' || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// emitProvisioners uploads each copy step's file to the staging folder
// with a file provisioner, then runs bootstrap.sh as root.
//
// The file provisioner resolves a relative source against the folder
// vagrant was started in, not the Vagrantfile's, so the source is joined
// to __dir__. Vagrant expands the destination with a guest shell (printf),
// so it is built only from the environment's name and the step number.
//
// Each stage is built first, in the machine itself, by a script of its
// own (StageScriptName); the files its copies read are uploaded too, named
// after the stage.
func (e *emission) emitProvisioners(line func(string, ...any)) {
	upload := func(steps []ir.Step, prefix string, staged map[*ir.CopyStep]string) {
		for i, s := range steps {
			c, ok := s.(*ir.CopyStep)
			if !ok || c.Stage != "" {
				continue
			}
			if c.Source == "" || path.IsAbs(c.Source) || path.Clean(c.Source) != c.Source || c.Source == ".." || strings.HasPrefix(c.Source, "../") {
				e.diags = append(e.diags, emitters.Errorf(c.Range, "Context path cannot be carried", "The build context path %q must be a clean relative path inside the environment's folder.", c.Source))
				continue
			}
			dst := fmt.Sprintf("%s/files/%s%d", e.paths.Stage, prefix, i+1)
			staged[c] = dst
			line("config.vm.provision 'file', source: File.join(__dir__, %s), destination: %s", e.ruby(c.Source, c.Range, "file source"), e.ruby(dst, c.Range, "staging path"))
		}
	}
	for _, st := range e.env.Stages {
		e.stageStaged[st.Name] = map[*ir.CopyStep]string{}
		upload(st.Steps, st.Name+"-", e.stageStaged[st.Name])
	}
	upload(e.env.Steps, "", e.staged)
	for _, st := range e.env.Stages {
		line("config.vm.provision 'shell', path: %s", e.ruby(StageScriptName(st.Name), st.DeclRange, "script"))
	}
	line("config.vm.provision 'shell', path: %s", e.ruby(BootstrapName, e.env.DeclRange, "script"))
	if e.env.VM.Reboot {
		// The shell provisioner's reboot: Vagrant restarts the guest and
		// waits for it to come back.
		line("config.vm.provision 'shell', reboot: true")
	}
}

// emitProviders writes the VM resources for VirtualBox and libvirt, and
// each provider's own options: a provider block only when it sets
// something.
func (e *emission) emitProviders(b *strings.Builder) {
	vm := e.env.VM
	var vb, lv []string
	set := func(list *[]string, v, name, value string) {
		*list = append(*list, fmt.Sprintf("    %s.%s = %s\n", v, name, value))
	}
	if vm.Name != "" {
		set(&vb, "vb", "name", e.ruby(vm.Name, vm.Range, "VM name"))
	}
	if vm.GUI {
		set(&vb, "vb", "gui", "true")
	}
	for _, p := range []struct {
		list *[]string
		v    string
	}{{&vb, "vb"}, {&lv, "lv"}} {
		if vm.CPUs != 0 {
			set(p.list, p.v, "cpus", strconv.Itoa(vm.CPUs))
		}
		if vm.Memory != 0 {
			set(p.list, p.v, "memory", strconv.Itoa(vm.Memory))
		}
	}
	if vm.VirtualBox.LinkedClone {
		set(&vb, "vb", "linked_clone", "true")
	}
	if t := vm.VirtualBox.DefaultNICType; t != "" {
		set(&vb, "vb", "default_nic_type", e.ruby(t, vm.Range, "network card type"))
	}
	if d := vm.Libvirt.Driver; d != "" {
		set(&lv, "lv", "driver", e.ruby(d, vm.Range, "libvirt driver"))
	}
	if m := vm.Libvirt.CPUMode; m != "" {
		set(&lv, "lv", "cpu_mode", e.ruby(m, vm.Range, "CPU mode"))
	}
	if vm.Libvirt.Nested {
		set(&lv, "lv", "nested", "true")
	}
	for _, p := range []struct {
		provider, v string
		lines       []string
	}{{"virtualbox", "vb", vb}, {"libvirt", "lv", lv}} {
		if len(p.lines) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n  config.vm.provider '%s' do |%s|\n", p.provider, p.v)
		for _, l := range p.lines {
			b.WriteString(l)
		}
		b.WriteString("  end\n")
	}
}
