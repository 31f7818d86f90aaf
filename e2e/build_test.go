//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/emitters/vagrant"
)

// The columns of the probe table, in order: the targets as their own
// tools build them, then the fast checks that run the Vagrant and
// Apptainer scripts in containers of the base.
const (
	tDocker    = "docker"      // docker build of the Dockerfile
	tLLB       = "llb"         // envc build on buildkitd
	tApptainer = "apptainer"   // apptainer build of the Singularity.def
	tSIF       = "sif"         // envc build --format sif
	tVM        = "vagrant"     // vagrant up of the Vagrantfile: a QEMU machine
	tVagrant   = "vagrant-sim" // bootstrap.sh run in a container of the base
	tSing      = "def-sim"     // the .def's sections run in a container of the base
)

var allTargets = []string{tDocker, tLLB, tApptainer, tSIF, tVM, tVagrant, tSing}

// emitterOf names the envc target whose output a column builds.
func emitterOf(column string) string {
	switch column {
	case tApptainer, tSIF, tSing:
		return "singularity"
	case tVM, tVagrant:
		return "vagrant"
	}
	return column
}

// sudoPath is the PATH sudo gives (Debian's secure_path): the Vagrant
// wrapper runs the command through sudo -u USER -H.
const sudoPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// baseImage is the base every Debian case uses, served by the mirror.
const baseImage = "debian:bookworm"

// built is one target's result and how to run commands in it.
type built struct {
	target string
	// dur is the build time (for a machine: boot and provisioning).
	dur time.Duration
	// exec runs argv in the result, as mode says.
	exec func(m mode, argv []string) (cmdResult, error)
	// done releases the result (an image, a SIF file, a machine).
	done func()
	// note says how the result was made, for the table's footer.
	note string
	// image is the image's name in dockerd, for the docker and llb
	// targets.
	image string
}

// mode is how a probe runs a command in a result.
type mode int

const (
	// asRunCommand runs argv as the run command runs (its user, working
	// directory and variables), instead of the entrypoint and the run
	// command, as `docker run --entrypoint` does.
	asRunCommand mode = iota
	// asRoot runs argv as root.
	asRoot
	// asCaller runs the run command with argv as the caller's arguments
	// (which follow the entrypoint, or replace the default command); nil
	// runs the run command itself.
	asCaller
)

// dockerResult is a result that is an image in dockerd: wrap turns a
// command into the docker run arguments (after the image options) that
// run it as the target runs its run command; nil argv means the run
// command itself. With probe set, argv runs instead of the entrypoint (as
// `docker run --entrypoint` does); otherwise it is the caller's
// arguments, which follow the entrypoint.
func dockerResult(target, img string, dur time.Duration, wrap func(argv []string, probe bool) (opts, args []string)) *built {
	return &built{target: target, image: img, dur: dur, exec: func(m mode, argv []string) (cmdResult, error) {
		var opts, args []string
		switch m {
		case asRoot:
			opts, args = []string{"--user", "0", "--entrypoint", ""}, argv
		case asRunCommand:
			opts, args = wrap(argv, true)
		default:
			opts, args = wrap(argv, false)
		}
		return run(5*time.Minute, "", nil, append(append(append([]string{tl.docker, "run", "--rm", "--hostname", "envc-e2e"}, opts...), img), args...)...)
	}, done: func() {
		if os.Getenv("ENVC_E2E_KEEP") != "1" {
			run(time.Minute, "", nil, tl.docker, "rmi", "-f", img)
		}
	}}
}

// imageName is the dockerd name of one target's result.
func imageName(c *spec, env *ir.Env, target string) string {
	return fmt.Sprintf("envc-e2e/%s-%s:%s", c.name, env.Name, target)
}

// buildDocker builds the Dockerfile with docker build.
func buildDocker(c *spec, env *ir.Env, dir string) (*built, error) {
	defer acquire()()
	img := imageName(c, env, tDocker)
	r, err := run(20*time.Minute, dir, []string{"DOCKER_BUILDKIT=1"}, tl.docker, "build", "-q", "-t", img, ".")
	if err != nil {
		return nil, err
	}
	return dockerResult(tDocker, img, r.dur, plainWrap), nil
}

// buildLLB builds the spec with envc build on buildkitd and loads the
// result into dockerd.
func buildLLB(c *spec, env *ir.Env) (*built, error) {
	defer acquire()()
	img := imageName(c, env, tLLB)
	tar := filepath.Join(tl.work, "images", c.name+"-"+env.Name+".tar")
	if err := os.MkdirAll(filepath.Dir(tar), 0o755); err != nil {
		return nil, err
	}
	r, err := run(20*time.Minute, "", nil, tl.envc, "build", c.path, "-e", env.Name, "--progress", "plain",
		"--output", "type=docker,dest="+tar+",name=docker.io/"+img)
	if err != nil {
		return nil, err
	}
	if _, err := run(5*time.Minute, "", nil, tl.docker, "load", "-q", "-i", tar); err != nil {
		return nil, err
	}
	os.Remove(tar)
	return dockerResult(tLLB, img, r.dur, plainWrap), nil
}

// plainWrap runs a command as docker run does with the image's own user,
// workdir and env; nil runs the image's Cmd (after its entrypoint). A
// command bypasses the entrypoint, as `docker run --entrypoint` does.
func plainWrap(argv []string, probe bool) ([]string, []string) {
	if !probe {
		return nil, argv
	}
	return []string{"--entrypoint", ""}, argv
}

// argsLinePattern matches the line of a %runscript or run wrapper that
// runs the caller's arguments after the entrypoint.
var argsLinePattern = regexp.MustCompile(`(?m)^if \[ "\$#" -gt 0 \]; then exec .*"\$@"; fi$`)

// plainArgsLine runs the caller's arguments with no entrypoint.
const plainArgsLine = `if [ "$#" -gt 0 ]; then exec "$@"; fi`

// withoutEntrypoint returns a run script that runs the caller's arguments
// without the entrypoint: what `docker run --entrypoint` is to Docker,
// for probing the environment the entrypoint runs in.
func withoutEntrypoint(script string) string {
	return argsLinePattern.ReplaceAllLiteralString(script, plainArgsLine)
}

// provision runs script (a file in a container of the base) as root, with
// host dir mounted at /envc-in, and commits the container as img.
func provision(img, dir string, script string) (time.Duration, error) {
	name := strings.NewReplacer("/", "-", ":", "-").Replace(img)
	run(time.Minute, "", nil, tl.docker, "rm", "-f", name)
	start := time.Now()
	_, err := run(20*time.Minute, "", nil, tl.docker, "run", "--name", name, "--hostname", "envc-e2e",
		"--user", "0", "--workdir", "/", "-v", dir+":/envc-in:ro", baseImage, "/bin/sh", "-ec", script)
	d := time.Since(start)
	if err != nil {
		run(time.Minute, "", nil, tl.docker, "rm", "-f", name)
		return d, err
	}
	// The committed image runs nothing by itself: the wrapper gives the
	// command.
	_, err = run(5*time.Minute, "", nil, tl.docker, "commit", "--change", "CMD []", "--change", "WORKDIR /", name, img)
	run(time.Minute, "", nil, tl.docker, "rm", "-f", name)
	return d, err
}

// buildVagrant provisions a container of the base as Vagrant would
// provision the box: the file provisioners' uploads first, then
// bootstrap.sh as root (Vagrant's shell provisioner uploads it to
// /tmp/vagrant-shell and runs it with sudo).
func buildVagrant(c *spec, env *ir.Env, dir string) (*built, error) {
	vf, err := vagrant.ReadVagrantfile(filepath.Join(dir, "Vagrantfile"))
	if err != nil {
		return nil, err
	}
	var script strings.Builder
	for _, p := range vf.Provisioners {
		switch p.Type {
		case "file":
			fmt.Fprintf(&script, "mkdir -p %s && cp -R %s %s\n",
				shq(path.Dir(p.Options.Destination)), shq(path.Join("/envc-in", p.Options.Source)), shq(p.Options.Destination))
		case "shell":
			if p.Options.Reboot {
				// vm.reboot restarts the machine: each probe starts a
				// fresh container of the provisioned image anyway.
				continue
			}
			fmt.Fprintf(&script, "cp %s /tmp/vagrant-shell && chmod +x /tmp/vagrant-shell && env -i HOME=/root USER=root LOGNAME=root PATH=%s /tmp/vagrant-shell\n",
				shq(path.Join("/envc-in", p.Options.Path)), sudoPath)
		default:
			return nil, fmt.Errorf("Vagrantfile: unexpected provisioner %q", p.Type)
		}
	}
	wrapper := "/usr/local/bin/" + vagrant.WrapperName(env.Name)
	probeWrapper := wrapper
	if env.Entrypoint != nil {
		// A copy of the wrapper that runs its arguments without the
		// entrypoint, for the probes.
		probeWrapper = wrapper + "-probe"
		fmt.Fprintf(&script, "sed -e %s -e %s %s > %s && chmod 0755 %s\n",
			shq(`s|^if \[ "\$#" -gt 0 \]; then exec .*"\$@"; fi$|`+plainArgsLine+`|`),
			shq("s|"+wrapper+"|"+probeWrapper+"|g"), shq(wrapper), shq(probeWrapper), shq(probeWrapper))
	}
	defer acquire()()
	img := imageName(c, env, tVagrant)
	d, err := provision(img, dir, script.String())
	if err != nil {
		return nil, err
	}
	user := env.User
	if user == "" {
		user = "root"
	}
	return dockerResult(tVagrant, img, d, func(argv []string, probe bool) ([]string, []string) {
		wrapper := wrapper
		if probe {
			wrapper = probeWrapper
		}
		// vagrant ssh -c NAME-run: the wrapper re-runs itself with sudo -u
		// USER -H, whose environment is reset; here it starts as USER with
		// that environment.
		opts := []string{"--user", user}
		args := append([]string{"/bin/sh", "-c", `exec env -i HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" SHELL=/bin/bash PATH=` + sudoPath + ` "$@"`, "sudo", wrapper}, argv...)
		return opts, args
	}), nil
}

// apptainerDir is where the simulated image keeps what Apptainer keeps in
// /.singularity.d: the base image's env, %environment and %runscript.
const apptainerDir = "/.envc-apptainer"

// buildSingularity does what apptainer build does with the definition,
// in a container of the base: the %files copies, then %post as root
// (/bin/sh -e -x), then %environment and %runscript installed for run
// time, where they are used as Apptainer's run action uses them: the base
// image's env, then %environment, sourced by /bin/sh, then the runscript
// with the command's arguments.
func buildSingularity(c *spec, env *ir.Env, dir string, baseEnv []string) (*built, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Singularity.def"))
	if err != nil {
		return nil, err
	}
	defs, err := singularity.ParseAll(data)
	if err != nil {
		return nil, err
	}
	for _, def := range defs {
		if from, _ := def.Get("from"); from != baseImage {
			return nil, fmt.Errorf("Singularity.def: From %q, want %q", from, baseImage)
		}
	}
	img := imageName(c, env, tSing)
	// The build stages first, each in a container of the base, committed
	// as an image of its own, from which the later stages' "%files from"
	// take their paths.
	mounts := filepath.Join(tl.work, "apptainer", c.name+"-"+env.Name+".in")
	os.RemoveAll(mounts)
	if err := os.MkdirAll(mounts, 0o755); err != nil {
		return nil, err
	}
	if out, err := exec.Command("cp", "-a", dir, filepath.Join(mounts, "def")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("cp: %v: %s", err, out)
	}
	stageImages := map[string]string{}
	var total time.Duration
	for i, def := range defs[:len(defs)-1] {
		name, _ := def.Get("stage")
		post := filepath.Join(mounts, fmt.Sprintf("stage-%d-post.sh", i))
		if err := os.WriteFile(post, []byte(def.Post.Body), 0o644); err != nil {
			return nil, err
		}
		script, err := filesScript(def, mounts, stageImages)
		if err != nil {
			return nil, err
		}
		script += "/bin/sh -e -x " + shq(path.Join("/envc-in", filepath.Base(post))) + "\n"
		stageImg := img + "-stage-" + name
		release := acquire()
		d, err := provision(stageImg, mounts, script)
		release()
		total += d
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", name, err)
		}
		stageImages[name] = stageImg
	}
	def := defs[len(defs)-1]
	stage := filepath.Join(tl.work, "apptainer", c.name+"-"+env.Name)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, err
	}
	var envFile strings.Builder
	for _, kv := range baseEnv {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&envFile, "export %s=%s\n", k, shq(v))
	}
	envFile.WriteString(def.Environment.Body)
	files := map[string]string{
		"post.sh":      def.Post.Body,
		"env.sh":       envFile.String(),
		"runscript.sh": "#!/bin/sh\n" + def.Runscript.Body,
		// For the probes: the runscript without the entrypoint.
		"probe-runscript.sh": "#!/bin/sh\n" + withoutEntrypoint(def.Runscript.Body),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(stage, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	filesCmds, err := filesScript(def, mounts, stageImages)
	if err != nil {
		return nil, err
	}
	var script strings.Builder
	script.WriteString(filesCmds)
	fmt.Fprintf(&script, "/bin/sh -e -x /envc-in/stage/post.sh\n")
	fmt.Fprintf(&script, "mkdir -p %[1]s && cp /envc-in/stage/env.sh /envc-in/stage/runscript.sh /envc-in/stage/probe-runscript.sh %[1]s/\n", apptainerDir)
	if out, err := exec.Command("cp", "-a", stage, filepath.Join(mounts, "stage")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("cp: %v: %s", err, out)
	}
	defer acquire()()
	d, err := provision(img, mounts, script.String())
	d += total
	if err != nil {
		return nil, err
	}
	return dockerResult(tSing, img, d, func(argv []string, probe bool) ([]string, []string) {
		// apptainer run IMAGE [ARGS]: run as the caller (root here), with
		// the env cleaned (as --cleanenv) but HOME kept.
		runscript := "/runscript.sh"
		if probe {
			runscript = "/probe-runscript.sh"
		}
		// Apptainer sources %environment with the shell interpreter
		// built into it, which reads bash syntax; for an environment
		// whose scripts need bash, the image's bash stands in for it.
		sourcing := "/bin/sh"
		if env.Shell == "bash" {
			sourcing = "/bin/bash"
		}
		args := append([]string{"env", "-i", "HOME=/root", "PATH=" + sudoPath, sourcing, "-c",
			". " + apptainerDir + "/env.sh; exec /bin/sh " + apptainerDir + runscript + ` "$@"`, "runscript"}, argv...)
		return []string{"--user", "0"}, args
	}), nil
}

// filesScript returns the commands that do what Apptainer does with def's
// %files sections: copy from the definition's folder (mounted at
// /envc-in/def), and, for "%files from STAGE", from the image of that
// stage, whose paths are first copied out with docker cp into mounts.
func filesScript(def *singularity.Definition, mounts string, stageImages map[string]string) (string, error) {
	var script strings.Builder
	for _, fs := range def.Files {
		for k, f := range fs.Files {
			dst := f.Dst
			if dst == "" {
				dst = f.Src
			}
			src := path.Join("/envc-in/def", f.Src)
			if fs.Stage != "" {
				stageImg, ok := stageImages[fs.Stage]
				if !ok {
					return "", fmt.Errorf("Singularity.def: %%files from %s, a stage not built before", fs.Stage)
				}
				rel := fmt.Sprintf("from-%s-%d", fs.Stage, k)
				if err := copyOut(stageImg, f.Src, filepath.Join(mounts, rel)); err != nil {
					return "", err
				}
				src = path.Join("/envc-in", rel)
			}
			fmt.Fprintf(&script, "mkdir -p %s && cp -a %s %s\n", shq(path.Dir(dst)), shq(src), shq(dst))
		}
	}
	return script.String(), nil
}

// copyOut copies path p of image img to the host path dst.
func copyOut(img, p, dst string) error {
	name := strings.NewReplacer("/", "-", ":", "-").Replace(img) + "-cp"
	run(time.Minute, "", nil, tl.docker, "rm", "-f", name)
	defer run(time.Minute, "", nil, tl.docker, "rm", "-f", name)
	if _, err := run(5*time.Minute, "", nil, tl.docker, "create", "--name", name, img, "/bin/true"); err != nil {
		return err
	}
	_, err := run(5*time.Minute, "", nil, tl.docker, "cp", name+":"+p, dst)
	return err
}

// shq quotes s for sh.
func shq(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
