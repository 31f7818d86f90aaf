//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/vagrant"
)

// defaultVMs are the environments brought up as machines: every
// construct at once, stages, one with a user, sourced scripts and an
// entrypoint: three machines under QEMU's emulation keep the cold run
// inside CI's time. The pip-index case (pip and pipx from the suite's
// package index, which a machine reaches through its gateway) is built
// in the containers and by ENVC_E2E_VMS=pip-index/pyindex. ENVC_E2E_VMS
// replaces the list:
// "case/env,...", "all" (every Debian environment) or "none".
var defaultVMs = []string{"all-constructs/all", "stages/stages", "from/solver"}

// vmCase says whether env of case c is brought up as a machine.
func vmCase(c, env string) bool {
	list := defaultVMs
	if s, ok := os.LookupEnv("ENVC_E2E_VMS"); ok {
		switch s {
		case "all":
			return true
		case "none", "":
			return false
		}
		list = strings.Split(s, ",")
	}
	for _, v := range list {
		if v == c+"/"+env {
			return true
		}
	}
	return false
}

// vmSlots limits the machines that run at once: under QEMU's emulation
// each keeps a core busy (ENVC_E2E_VM_JOBS, default 2).
var vmSlots = func() chan struct{} {
	n := 2
	if s := os.Getenv("ENVC_E2E_VM_JOBS"); s != "" {
		fmt.Sscan(s, &n)
	}
	return make(chan struct{}, max(n, 1))
}()

// boxes are the box versions added so far, by "name version".
var (
	boxMu sync.Mutex
	boxes = map[string]bool{}
)

// addBox adds the suite's box (ENVC_E2E_BOX) under the name and version
// a Vagrantfile asks for, through a box catalog, as a box server would
// serve it.
func addBox(name, version string) error {
	boxMu.Lock()
	defer boxMu.Unlock()
	if version == "" {
		version = "0"
	}
	key := name + " " + version
	if boxes[key] {
		return nil
	}
	// Boxes added by an earlier run are kept (run.sh keeps VAGRANT_HOME's
	// boxes in the cache).
	r, err := run(time.Minute, "", nil, "vagrant", "box", "list")
	if err != nil {
		return err
	}
	if strings.Contains(r.stdout, fmt.Sprintf("%s (libvirt, %s)", name, version)) {
		boxes[key] = true
		return nil
	}
	catalog := map[string]any{
		"name": name,
		"versions": []any{map[string]any{
			"version":   version,
			"providers": []any{map[string]any{"name": "libvirt", "url": "file://" + tl.box}},
		}},
	}
	data, err := json.Marshal(catalog)
	if err != nil {
		return err
	}
	p := filepath.Join(tl.work, "box-"+strings.NewReplacer("/", "-", " ", "-").Replace(key)+".json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return err
	}
	if _, err := run(10*time.Minute, "", nil, "vagrant", "box", "add", "--force", p); err != nil {
		return err
	}
	boxes[key] = true
	return nil
}

// buildVM brings the environment up as a machine with vagrant up, from
// the generated Vagrantfile as it is (the machine runs under QEMU by the
// global Vagrantfile in VAGRANT_HOME that run.sh writes). The machine is
// destroyed when its probes are done.
func buildVM(c *spec, env *ir.Env, dir string) (*built, error) {
	vf, err := vagrant.ReadVagrantfile(filepath.Join(dir, "Vagrantfile"))
	if err != nil {
		return nil, err
	}
	if err := waitReady("vm"); err != nil {
		return nil, err
	}
	if err := addBox(vf.Box, vf.BoxVersion); err != nil {
		return nil, err
	}
	vmSlots <- struct{}{}
	release := func() { <-vmSlots }
	name := c.name + "-" + env.Name
	logs := filepath.Join(tl.work, "vm")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		release()
		return nil, err
	}
	// run.sh destroys the machines listed here when it ends, also on
	// failure.
	if err := appendLine(filepath.Join(tl.work, "vms.list"), dir); err != nil {
		release()
		return nil, err
	}
	venv := []string{"ENVC_E2E_VM=" + name}
	vagrantCmd := func(timeout time.Duration, args ...string) (cmdResult, error) {
		return run(timeout, dir, venv, append([]string{"vagrant"}, args...)...)
	}
	destroy := func() {
		r, err := vagrantCmd(10*time.Minute, "destroy", "-f")
		os.WriteFile(filepath.Join(logs, name+".destroy.log"), []byte(r.stdout+r.stderr), 0o644)
		if err != nil {
			fmt.Printf("e2e: %s: vagrant destroy: %v\n", name, err)
		}
		release()
	}
	r, err := up(dir, venv, filepath.Join(logs, name+".up.log"))
	if err != nil {
		destroy()
		return nil, err
	}
	ssh := func(command string) (cmdResult, error) {
		return vagrantCmd(10*time.Minute, "ssh", "--no-tty", "-c", command)
	}
	wrapper := "/usr/local/bin/" + vagrant.WrapperName(env.Name)
	probeWrapper := wrapper
	if env.Entrypoint != nil {
		// A copy of the wrapper that runs its arguments without the
		// entrypoint, for the probes.
		probeWrapper = wrapper + "-probe"
		sed := fmt.Sprintf("sed -e %s -e %s %s > %s && chmod 0755 %s",
			shq(`s|^if \[ "\$#" -gt 0 \]; then exec .*"\$@"; fi$|`+plainArgsLine+`|`),
			shq("s|"+wrapper+"|"+probeWrapper+"|g"), shq(wrapper), shq(probeWrapper), shq(probeWrapper))
		if _, err := ssh("sudo sh -c " + shq(sed)); err != nil {
			destroy()
			return nil, err
		}
	}
	return &built{target: tVM, dur: r.dur, note: fmt.Sprintf("vagrant up of the Vagrantfile as emitted (box %s built here; QEMU emulation); probes through vagrant ssh -c '%s ...'", strings.TrimSpace(vf.Box+" "+vf.BoxVersion), filepath.Base(wrapper)),
		exec: func(m mode, argv []string) (cmdResult, error) {
			quoted := make([]string, len(argv))
			for i, a := range argv {
				quoted[i] = shq(a)
			}
			args := strings.Join(quoted, " ")
			switch m {
			case asRunCommand:
				return ssh(probeWrapper + " " + args)
			case asRoot:
				return ssh("sudo " + args)
			default:
				return ssh(strings.TrimSpace(wrapper + " " + args))
			}
		}, done: destroy}, nil
}

// baseVolume is held while a machine's vagrant up may be uploading the
// box's disk to the pool as the base volume of every machine's disk, so
// that no other machine starts on a half-written one; ready is set once a
// vagrant up has gone past it.
var baseVolume struct {
	sync.Mutex
	ready bool
}

// upPastBaseVolume is the line vagrant-libvirt writes once the base volume
// is in the pool (uploaded now or by an earlier run).
const upPastBaseVolume = "Creating image (snapshot of base box volume)"

// up runs vagrant up in dir, its output also written to logPath; only one
// runs until the base volume is in the pool.
func up(dir string, env []string, logPath string) (cmdResult, error) {
	baseVolume.Lock()
	if baseVolume.ready {
		baseVolume.Unlock()
		r, err := run(60*time.Minute, dir, env, "vagrant", "up")
		os.WriteFile(logPath, []byte(r.stdout+r.stderr), 0o644)
		return r, err
	}
	unlocked := false
	unlock := func() {
		if !unlocked {
			unlocked = true
			baseVolume.Unlock()
		}
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "vagrant", "up")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stderr = &se
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return cmdResult{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return cmdResult{}, err
	}
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		so.Write(sc.Bytes())
		so.WriteByte('\n')
		if strings.Contains(sc.Text(), upPastBaseVolume) {
			baseVolume.ready = true
			unlock()
		}
	}
	err = cmd.Wait()
	r := cmdResult{stdout: so.String(), stderr: se.String(), dur: time.Since(start)}
	os.WriteFile(logPath, []byte(r.stdout+r.stderr), 0o644)
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	}
	if err != nil {
		return r, fmt.Errorf("vagrant up: %v\n%s", err, tail(r.stderr+r.stdout, 3000))
	}
	return r, nil
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}
