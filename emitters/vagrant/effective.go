package vagrant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"mvdan.cc/sh/v3/syntax"
)

// Effective reads the Vagrantfile at vagrantfilePath (evaluated by Ruby,
// see ReadVagrantfile) and its bootstrap.sh (parsed by mvdan.cc/sh, see
// ReadBootstrap) for the environment name into the effective view. The
// machine has no base image (Base is ""): it boots VM.Box. The run-time
// facts come from what the machine holds after provisioning: the profile
// script (the run command's variables, when the wrapper sources it), the
// labels file and the run wrapper (user, directory, argv).
func Effective(vagrantfilePath string, bootstrap []byte, name string) (*effective.Env, error) {
	return EffectiveFor(vagrantfilePath, bootstrap, name, "")
}

// EffectiveFor is Effective as a machine of platform provisions and runs
// (effective.ReadOptions.Platform; "" for every platform): the steps
// guarded by other platforms left out, and the profile script's case on
// uname -m read as platform's branch.
func EffectiveFor(vagrantfilePath string, bootstrap []byte, name, platform string) (*effective.Env, error) {
	vf, err := ReadVagrantfile(vagrantfilePath)
	if err != nil {
		return nil, err
	}
	if len(vf.Unknown) > 0 {
		return nil, fmt.Errorf("%s: calls the reader does not know: %s", VagrantfileName, strings.Join(vf.Unknown, ", "))
	}
	b, err := ReadBootstrap(bootstrap)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", BootstrapName, err)
	}
	v := &effective.Env{Name: name}
	uploads, stages, err := readProvisioners(vf)
	if err != nil {
		return nil, err
	}
	if v.Stages, err = readStages(filepath.Dir(vagrantfilePath), stages, uploads); err != nil {
		return nil, err
	}
	if v.Steps, err = scriptSteps(BootstrapName, b, uploads, platform); err != nil {
		return nil, err
	}
	if err := readRunTime(b, GuestPaths(name), v, platform); err != nil {
		return nil, err
	}
	if v.Ports, v.Mounts, err = readNetwork(vf); err != nil {
		return nil, err
	}
	if v.VM, err = readVM(vf); err != nil {
		return nil, err
	}
	return v, nil
}

// readProvisioners reads the provisioners: the file uploads (destination
// -> context path), then the scripts of the stages, in order, then
// bootstrap.sh's, then a reboot (readVM reads it).
func readProvisioners(vf *Vagrantfile) (uploads map[string]string, stages []string, err error) {
	uploads = map[string]string{}
	script, reboot := false, false
	for _, p := range vf.Provisioners {
		switch {
		case p.Type == "shell" && script && !reboot && p.Options == (ProvisionOptions{Reboot: true}):
			reboot = true
		case p.Type == "file" && !script && len(stages) == 0:
			uploads[p.Options.Destination] = p.Options.Source
		case p.Type == "shell" && !script && p.Options.Path == BootstrapName:
			script = true
		case p.Type == "shell" && !script && strings.HasPrefix(p.Options.Path, "stage-") && strings.HasSuffix(p.Options.Path, ".sh"):
			stages = append(stages, p.Options.Path)
		default:
			return nil, nil, effective.Errorf("setup", "unexpected %s provisioner %+v", p.Type, p.Options)
		}
	}
	if !script {
		return nil, nil, effective.Errorf("setup", "no shell provisioner runs %s", BootstrapName)
	}
	return uploads, stages, nil
}

// readStages reads each stage's script, beside the Vagrantfile in dir.
func readStages(dir string, scripts []string, uploads map[string]string) ([]effective.Env, error) {
	var stages []effective.Env
	for _, name := range scripts {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, effective.Errorf("stage", "%v", err)
		}
		sb, err := ReadBootstrap(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(sb.Epilogue) > 0 || len(sb.Files) > 0 {
			return nil, effective.Errorf("stage", "%s does more than its steps", name)
		}
		sv := effective.Env{Name: strings.TrimSuffix(strings.TrimPrefix(name, "stage-"), ".sh")}
		if sv.Steps, err = scriptSteps(name, sb, uploads, ""); err != nil {
			return nil, err
		}
		stages = append(stages, sv)
	}
	effective.SortStages(stages)
	return stages, nil
}

// readRunTime reads the run-time facts from what the machine holds after
// provisioning: the run wrapper (user, directory, argv), the profile
// script when the wrapper sources it (the run command's variables) and
// the labels file.
func readRunTime(b *Bootstrap, paths Paths, v *effective.Env, platform string) error {
	files := map[string]string{}
	for _, f := range b.Files {
		files[f.Path] = f.Content
	}
	wrapper, ok := files[paths.Wrapper]
	if !ok {
		return effective.Errorf("run", "bootstrap.sh writes no run wrapper %s", paths.Wrapper)
	}
	sources, err := readWrapper(wrapper, paths, v)
	if err != nil {
		return err
	}
	if sources {
		profile, _, err := shell.ReadMachineCase(files[paths.Profile], platform)
		if err != nil {
			return effective.Errorf("env", "profile %s: %v", paths.Profile, err)
		}
		exports, err := ReadExports(profile)
		if err != nil {
			return effective.Errorf("env", "profile %s: %v", paths.Profile, err)
		}
		runScope := effective.NewScope()
		for _, e := range exports {
			runScope.Set(e.Name, e.Value)
		}
		v.RunEnv = runScope.Vars()
	}
	if data, ok := files[paths.Labels]; ok {
		labels, err := readLabels(data)
		if err != nil {
			return effective.Errorf("labels", "%s: %v", paths.Labels, err)
		}
		v.Labels = effective.SortLabels(labels)
	}
	return nil
}

// readNetwork reads the forwarded ports and the synced folders (less
// Vagrant's default one, turned off).
func readNetwork(vf *Vagrantfile) ([]ir.Port, []ir.Mount, error) {
	var ports []ir.Port
	var mounts []ir.Mount
	for _, n := range vf.Networks {
		if n.Type != "forwarded_port" {
			return nil, nil, effective.Errorf("port", "a %s network", n.Type)
		}
		o := n.Options
		ports = append(ports, ir.Port{Guest: o.Guest, Host: o.Host, HostIP: o.HostIP, Protocol: o.Protocol})
	}
	for _, f := range vf.SyncedFolders {
		if f.Target == "/vagrant" && f.Options.Disabled {
			continue
		}
		m := ir.Mount{Source: f.Source, Target: f.Target}
		for _, o := range f.Options.MountOptions {
			if o != "ro" {
				return nil, nil, effective.Errorf("mount", "mount option %q", o)
			}
			m.ReadOnly = true
		}
		if f.Options.Disabled || f.Options.Type != "" {
			return nil, nil, effective.Errorf("mount", "synced folder %s is disabled or typed", f.Target)
		}
		mounts = append(mounts, m)
	}
	return ports, mounts, nil
}

// scriptSteps reads the steps of a script (bootstrap.sh or a stage's)
// with the readers the script targets share (effective.ScriptSteps); a
// copy is read here, from what the file provisioners uploaded or from the
// stage the machine built.
func scriptSteps(name string, b *Bootstrap, uploads map[string]string, platform string) ([]effective.Step, error) {
	steps := make([]effective.ScriptStep, len(b.Steps))
	for i, st := range b.Steps {
		var srcs []string
		for _, c := range st.Commands {
			srcs = append(srcs, c.Source)
		}
		steps[i] = effective.ScriptStep{Kind: st.Kind, Script: strings.Join(srcs, "\n")}
		exports := st.Exports
		if ps, body, ok := shell.ReadMachineGuard(steps[i].Script); ok {
			steps[i].Platforms, steps[i].Script = ps, body
			if st.Kind == shell.KindEnv {
				// The exports inside the guard (an env step of some
				// platforms).
				var err error
				if exports, err = ReadExports(body); err != nil {
					return nil, fmt.Errorf("%s step %d (%s): %w", name, st.Number, st.Kind, err)
				}
			}
		}
		for _, e := range exports {
			steps[i].Exports = append(steps[i].Exports, effective.Var{Name: e.Name, Value: e.Value})
		}
		if st.Kind == shell.KindCopy {
			c, err := readCopy(st, srcs, uploads)
			if err != nil {
				return nil, fmt.Errorf("%s step %d (%s): %w", name, st.Number, st.Kind, err)
			}
			steps[i].Copy = &c
		}
		if st.Kind == shell.KindRun && len(srcs) != 1 {
			return nil, fmt.Errorf("%s step %d (%s): %w", name, st.Number, st.Kind,
				effective.Errorf("setup", "%d commands, want one subshell", len(srcs)))
		}
	}
	out, err := effective.ScriptStepsFor(steps, platform)
	if err != nil {
		return nil, fmt.Errorf("%s %w", name, err)
	}
	return out, nil
}

// readCopy reads a copy step of bootstrap.sh: a copy from a stage (after
// its StageNote), or the install of an uploaded file with an optional
// chown.
func readCopy(st ScriptStep, srcs []string, uploads map[string]string) (effective.CopyStep, error) {
	if len(st.Notes) == 1 && strings.HasPrefix(st.Notes[0], StageNote) {
		cmd, ok := strings.CutSuffix(strings.Join(srcs, "\n"), " || exit")
		if !ok || len(srcs) != 1 {
			return effective.CopyStep{}, effective.Errorf("stage", "a copy from a stage that is not one command with || exit")
		}
		src, target, mode, owner, err := effective.ReadStageCopy(cmd)
		if err != nil {
			return effective.CopyStep{}, effective.Errorf("stage", "%v", err)
		}
		return effective.CopyStep{Stage: strings.TrimPrefix(st.Notes[0], StageNote), Source: src, Target: target,
			Mode: mode, Owner: effective.RootUser(owner)}, nil
	}
	if len(srcs) == 1 {
		if cmd, ok := strings.CutSuffix(srcs[0], " || exit"); ok {
			if staged, target, owner, _, err := effective.ReadFolderCopy(cmd); err == nil {
				source, ok := uploads[staged]
				if !ok {
					return effective.CopyStep{}, effective.Errorf("file", "%s was not uploaded by a file provisioner", staged)
				}
				return effective.CopyStep{Source: source, Target: target, Owner: effective.RootUser(owner), Folder: true}, nil
			}
		}
	}
	if len(srcs) == 0 || len(srcs) > 2 {
		return effective.CopyStep{}, effective.Errorf("file", "%d commands", len(srcs))
	}
	staged, target, mode, err := effective.ReadInstallFile(srcs[0])
	if err != nil {
		return effective.CopyStep{}, effective.Errorf("file", "%v", err)
	}
	source, ok := uploads[staged]
	if !ok {
		return effective.CopyStep{}, effective.Errorf("file", "%s was not uploaded by a file provisioner", staged)
	}
	c := effective.CopyStep{Source: source, Target: target, Mode: mode}
	if len(srcs) == 2 {
		owner, path, err := effective.ReadChown(srcs[1])
		if err != nil || path != target {
			return effective.CopyStep{}, effective.Errorf("file", "second command is not a chown of %s: %q", target, srcs[1])
		}
		c.Owner = effective.RootUser(owner)
	}
	return c, nil
}

// readWrapper reads the run wrapper into v's User, Workdir and Run, and
// reports whether it sources the profile.
func readWrapper(src string, paths Paths, v *effective.Env) (bool, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(src), paths.Wrapper)
	if err != nil {
		return false, effective.Errorf("run", "run wrapper: %v", err)
	}
	stmts := f.Stmts
	// if [ "$(id -un)" != USER ]; then exec sudo -u USER -H -- WRAPPER "$@"; fi
	if len(stmts) == 0 {
		return false, effective.Errorf("user", "empty run wrapper")
	}
	ifc, ok := stmts[0].Cmd.(*syntax.IfClause)
	if !ok || len(ifc.Cond) != 1 || len(ifc.Then) != 1 || ifc.Else != nil {
		return false, effective.Errorf("user", "the run wrapper does not start by switching users")
	}
	cond, ok := ifc.Cond[0].Cmd.(*syntax.CallExpr)
	if !ok || len(cond.Args) != 5 {
		return false, effective.Errorf("user", "the run wrapper's user test is %s", shell.PrintNode(ifc.Cond[0]))
	}
	user := effective.CallArgs(&syntax.CallExpr{Args: []*syntax.Word{cond.Args[3]}})
	if len(user) != 1 {
		return false, effective.Errorf("user", "the run wrapper's user test is %s", shell.PrintNode(ifc.Cond[0]))
	}
	test, _, sudoOpts := switchUser(user[0])
	if printWord(cond.Args[1]) != test {
		return false, effective.Errorf("user", "the run wrapper's user test is %s", shell.PrintNode(ifc.Cond[0]))
	}
	want := append(append([]string{"exec", "sudo"}, sudoOpts...), "-H", "--", paths.Wrapper)
	var sudo []string
	if c, ok := ifc.Then[0].Cmd.(*syntax.CallExpr); ok && len(c.Args) == len(want)+1 && printWord(c.Args[len(want)]) == `"$@"` {
		sudo = effective.CallArgs(&syntax.CallExpr{Args: c.Args[:len(want)]})
	}
	if !slices.Equal(sudo, want) {
		return false, effective.Errorf("user", "the run wrapper switches users with %s", shell.PrintNode(ifc.Then[0]))
	}
	v.User = effective.RootUser(user[0])
	stmts = stmts[1:]
	sources := false
	if len(stmts) > 0 {
		if args := effective.CallArgs(stmts[0].Cmd); len(args) == 2 && args[0] == "." {
			if args[1] != paths.Profile {
				return false, effective.Errorf("env", "the run wrapper sources %s, not %s", args[1], paths.Profile)
			}
			sources = true
			stmts = stmts[1:]
		}
	}
	if len(stmts) > 0 {
		if b, ok := stmts[0].Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.OrStmt {
			if cd := effective.CallArgs(b.X.Cmd); len(cd) == 2 && cd[0] == "cd" {
				v.Workdir = effective.RootDir(cd[1])
				stmts = stmts[1:]
			}
		}
	}
	if len(stmts) == 0 {
		return false, effective.Errorf("run", "the run wrapper does not run its arguments first")
	}
	entry, err := shell.ReadArgsLine(stmts[0])
	if err != nil {
		return false, effective.Errorf("run", "the run wrapper: %v", err)
	}
	v.Entrypoint = entry
	stmts = stmts[1:]
	switch len(stmts) {
	case 0:
		if entry != nil {
			return false, effective.Errorf("entrypoint", "the run wrapper does not run the entrypoint without arguments")
		}
	case 1:
		args := effective.CallArgs(stmts[0].Cmd)
		if len(args) < 2 || args[0] != "exec" || len(stmts[0].Redirs) > 0 || len(args)-1 < len(entry) || !slices.Equal(args[1:1+len(entry)], entry) {
			return false, effective.Errorf("run", "the run wrapper ends with %s", shell.PrintNode(stmts[0]))
		}
		if rest := args[1+len(entry):]; len(rest) > 0 {
			v.Run = rest
		}
	default:
		return false, effective.Errorf("run", "the run wrapper has commands after the run command")
	}
	return sources, nil
}

func printWord(w *syntax.Word) string { return shell.PrintNode(w) }

// readLabels reads the labels file: one JSON object, keys in order.
func readLabels(data string) ([]effective.Label, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []effective.Label
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var val string
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		out = append(out, effective.Label{Key: key, Value: val})
	}
	return out, nil
}

// readVM reads the box, the ssh settings, a reboot after provisioning and
// the providers' settings; VirtualBox and libvirt must agree on CPUs and
// memory.
func readVM(vf *Vagrantfile) (effective.VM, error) {
	vm := effective.VM{Box: vf.Box, BoxVersion: vf.BoxVersion, BoxURL: vf.BoxURL, ForwardAgent: vf.ForwardAgent}
	for _, p := range vf.Provisioners {
		vm.Reboot = vm.Reboot || p.Options.Reboot
	}
	type res struct{ cpus, memory int }
	got := map[string]res{}
	for _, p := range vf.Providers {
		var r res
		for _, s := range p.Settings {
			n, isNum := s.Value.(float64)
			str, isStr := s.Value.(string)
			flag, isBool := s.Value.(bool)
			vb, lv := p.Name == "virtualbox", p.Name == "libvirt"
			switch {
			case s.Name == "cpus" && isNum:
				r.cpus = int(n)
			case s.Name == "memory" && isNum:
				r.memory = int(n)
			case s.Name == "name" && vb && isStr:
				vm.Name = str
			case s.Name == "gui" && vb && isBool:
				vm.GUI = flag
			case s.Name == "linked_clone" && vb && isBool:
				vm.VirtualBox.LinkedClone = flag
			case s.Name == "default_nic_type" && vb && isStr:
				vm.VirtualBox.DefaultNICType = str
			case s.Name == "driver" && lv && isStr:
				vm.Libvirt.Driver = str
			case s.Name == "cpu_mode" && lv && isStr:
				vm.Libvirt.CPUMode = str
			case s.Name == "nested" && lv && isBool:
				vm.Libvirt.Nested = flag
			default:
				return vm, effective.Errorf("vm", "unexpected setting %s.%s = %v", p.Name, s.Name, s.Value)
			}
		}
		got[p.Name] = r
	}
	vb, lv := got["virtualbox"], got["libvirt"]
	if vb != lv {
		return vm, effective.Errorf("vm", "VirtualBox (cpus %d, memory %d) and libvirt (cpus %d, memory %d) disagree", vb.cpus, vb.memory, lv.cpus, lv.memory)
	}
	vm.CPUs, vm.Memory = vb.cpus, vb.memory
	return vm, nil
}

// Read is Effective for the vagrant target's files (effective.ReadFunc):
// the Vagrantfile and the stage scripts its provisioners run are written
// to a temporary folder, where Ruby evaluates the Vagrantfile.
func Read(files effective.Files, opts effective.ReadOptions) (*effective.Env, error) {
	dir, err := os.MkdirTemp("", "envc-vagrantfile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for name, data := range files {
		if name == VagrantfileName || (!strings.Contains(name, "/") && strings.HasPrefix(name, "stage-")) {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				return nil, err
			}
		}
	}
	return EffectiveFor(filepath.Join(dir, VagrantfileName), files[BootstrapName], opts.Name, opts.Platform)
}
