package emitters

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Native is the Mapping of a construct a target expresses directly, with
// its own means (a Dockerfile ENV for env). The other Mapping values are
// the Rule ones: Emulated, DeclaredOnly and Unsupported.
const Native = "native"

// Constructs are the spec constructs, in the language reference's order.
var Constructs = []string{
	"base", "from", "packages", "repository", "env", "build_env", "run_env", "file", "setup", "pip", "conda", "pipx", "julia", "user", "workdir",
	"stage", "module", "run", "entrypoint", "init", "source", "shell", "port", "mount", "gpu", "healthcheck", "hpc", "labels", "description", "vm",
	"platforms", "step platforms", "target",
}

// Targets are the target names, sorted.
var Targets = []string{"docker", "llb", "singularity", "vagrant"}

// Capability is one cell of the capability matrix: how one construct of
// the spec lands in one target.
type Capability struct {
	Construct string
	Target    string
	// Mapping is Native, Emulated, DeclaredOnly or Unsupported. It is
	// derived: the Mapping of the rules that always fire when the
	// construct is used, or else the cell's own (native or emulated).
	Mapping string
	// How says in a few words what the target writes for the construct.
	How string
	// Rules are every rule that can fire for the cell: the catalogue's
	// rules of this target and construct (plus any named by the cell from
	// another construct), sorted by name.
	Rules []*Rule
	// When maps the name of a rule that fires only for some values to
	// when it fires; a rule not in When fires whenever the construct is
	// used.
	When map[string]string
}

// Always returns the cell's rules that fire whenever the construct is
// used.
func (c *Capability) Always() []*Rule {
	var out []*Rule
	for _, r := range c.Rules {
		if _, cond := c.When[r.Name]; !cond {
			out = append(out, r)
		}
	}
	return out
}

// cell is the hand-written part of a Capability.
type cell struct {
	mapping string // Native or Emulated; rules that always fire override it
	how     string
	via     []string          // rules of another construct that also apply
	when    map[string]string // conditional rules: name -> when they fire
}

// cells is the matrix as written: construct -> target -> cell. It is
// built when first used (by Capabilities), not when envc starts.
var cells = sync.OnceValue(func() map[string]map[string]cell {
	return map[string]map[string]cell{
		"base": {
			"docker":      {Native, "FROM <image>", nil, nil},
			"llb":         {Native, "image source op (llb.Image)", nil, nil},
			"singularity": {Native, "Bootstrap: docker, From: <image>", nil, nil},
			"vagrant": {Emulated, "the VM boots the distribution's box (vm.box), not the image", nil, map[string]string{
				"vagrant-base-not-image": "when the base image is not the distribution's own image",
			}},
		},
		"from": {
			"docker":      {Emulated, "flattened by envc: the other environment's instructions come first (the builder's cache shares them with its image)", nil, nil},
			"llb":         {Emulated, "flattened by envc: the other environment's ops come first, with the same digests, so a solver shares them", nil, nil},
			"singularity": {Emulated, "flattened by envc: the other environment's steps come first in %post (no Bootstrap: localimage, so the .def stands alone)", nil, nil},
			"vagrant":     {Emulated, "flattened by envc: the other environment's steps come first in bootstrap.sh", nil, nil},
		},
		"repository": {
			"docker":      {Emulated, "a RUN that fetches the key and writes the package source (keyring + sources.list.d, yum.repos.d, apk keys)", nil, nil},
			"llb":         {Emulated, "an exec op that fetches the key and writes the package source", nil, nil},
			"singularity": {Emulated, "a %post step that fetches the key and writes the package source", nil, nil},
			"vagrant":     {Emulated, "a bootstrap.sh step that fetches the key and writes the package source", nil, nil},
		},
		"packages": {
			"docker":      {Native, "RUN <manager> install", nil, nil},
			"llb":         {Native, "exec op running the install command", nil, nil},
			"singularity": {Native, "install command in %post", nil, nil},
			"vagrant":     {Native, "install command in bootstrap.sh (apt keeps its lists)", nil, nil},
		},
		"build_env": {
			"docker":      {Native, "ARG, which later RUN instructions see and the image does not keep", nil, nil},
			"llb":         {Native, "values expanded by envc into every later exec op's env, left out of image.json", nil, nil},
			"singularity": {Native, "exports in %post, left out of %environment", nil, nil},
			"vagrant":     {Native, "exports in bootstrap.sh, left out of the profile script", nil, nil},
		},
		"run_env": {
			"docker": {Native, "ENV of the defaults after the build's steps; compose.yaml passes each name from the caller's environment", nil, nil},
			"llb": {Native, "image.json Env of the defaults", nil, map[string]string{
				"llb-run-env-caller": "when a variable has no default: an image config cannot ask the caller for it",
			}},
			"singularity": {Native, "exports of \"${NAME:-default}\" in %environment: Apptainer passes the caller's environment", nil, nil},
			"vagrant": {Emulated, "exports of \"${NAME:-default}\" in the profile script, which the run wrapper sources", nil, map[string]string{
				"vagrant-run-env-caller": "always: vagrant ssh passes none of the host's environment",
			}},
		},
		"env": {
			"docker": {Native, "ENV, expanded by the builder", nil, nil},
			"llb": {Emulated, "values expanded by envc into every later exec op's env and image.json Env", nil, map[string]string{
				"llb-base-env-assumed": "when a value refers to the base image's variables and the base image's env is not resolved",
				"llb-env-ref-unset":    "when a value refers to a variable set nowhere",
			}},
			"singularity": {Native, "exports in %post and in %environment", nil, map[string]string{
				"singularity-env-ref-run-time": "when a value refers to a variable set neither earlier nor by the base image, which %environment expands at run time",
			}},
			"vagrant": {Emulated, "exports in bootstrap.sh and in a profile.d script the run wrapper sources", nil, map[string]string{
				"vagrant-env-ref-run-time": "when a value refers to a variable set neither earlier nor by the base image, which the shell expands at run time",
			}},
		},
		"file": {
			"docker":      {Native, "COPY --chmod [--chown], after a RUN mkdir -p of the folders it needs (BuildKit would give them the file's mode and owner)", nil, nil},
			"llb":         {Native, "copy file op from the local build context, after an exec of mkdir -p for the folders it needs", nil, nil},
			"singularity": {Emulated, "%files stages it, %post installs it with mode and owner", nil, nil},
			"vagrant":     {Emulated, "a file provisioner uploads it, bootstrap.sh installs it with mode and owner", nil, nil},
		},
		"setup": {
			"docker":      {Native, "RUN (sh -c, or bash -eo pipefail -c)", nil, nil},
			"llb":         {Native, "exec op (sh -c, or bash -eo pipefail -c)", nil, nil},
			"singularity": {Emulated, "a subshell in %post", nil, nil},
			"vagrant":     {Emulated, "a subshell in bootstrap.sh", nil, nil},
		},
		"pip": {
			"docker":      {Emulated, "RUN python3 -m pip install (--index-url, --extra-index-url, --no-binary, -c of a COPY of the constraints file; the block's env exported first)", nil, nil},
			"llb":         {Emulated, "exec op running python3 -m pip install with the same options", nil, nil},
			"singularity": {Emulated, "python3 -m pip install with the same options in %post (the constraints file through %files)", nil, nil},
			"vagrant":     {Emulated, "python3 -m pip install with the same options in bootstrap.sh (the constraints file uploaded)", nil, nil},
		},
		"conda": {
			"docker":      {Emulated, "RUN of the base image's micromamba, conda or mamba (install or create, -c per channel, -f of a COPY of the environment file; for a user, RUN chown of /opt/conda, then USER), then ENV PATH=<env>/bin:$PATH", nil, nil},
			"llb":         {Emulated, "exec op running the base image's installer (as the user, after an exec op giving it /opt/conda), then PATH in every later op's env and image.json Env", nil, nil},
			"singularity": {Emulated, "the base image's installer in %post (with runuser for a user, after chown of /opt/conda), PATH exported in %post and %environment", nil, nil},
			"vagrant":     {Emulated, "the installer's command in bootstrap.sh (with runuser for a user), PATH in the profile script", nil, nil},
		},
		"pipx": {
			"docker":      {Emulated, "RUN <manager> install pipx, RUN pipx install with PIPX_HOME=/opt/pipx, PIPX_BIN_DIR=/usr/local/bin (PIP_INDEX_URL for index_url)", nil, nil},
			"llb":         {Emulated, "exec ops installing pipx and running pipx install, as in the Dockerfile", nil, nil},
			"singularity": {Emulated, "pipx installed and run in %post, as in the Dockerfile", nil, nil},
			"vagrant":     {Emulated, "pipx installed and run in bootstrap.sh, as in the Dockerfile", nil, nil},
		},
		"julia": {
			"docker":      {Emulated, "RUN of the base image's julia -e 'using Pkg; Pkg.add(...)' with JULIA_DEPOT_PATH=/opt/julia, then ENV JULIA_DEPOT_PATH", nil, nil},
			"llb":         {Emulated, "exec op running julia's Pkg.add, JULIA_DEPOT_PATH in image.json Env", nil, nil},
			"singularity": {Emulated, "julia's Pkg.add in %post, JULIA_DEPOT_PATH in %environment", nil, nil},
			"vagrant":     {Emulated, "julia's Pkg.add in bootstrap.sh, JULIA_DEPOT_PATH in the profile script", nil, nil},
		},
		"user": {
			"docker":      {Native, "RUN useradd (userdel first for take_over_id), USER name or uid[:gid]", nil, nil},
			"llb":         {Native, "exec op running useradd (userdel first for take_over_id), image config User", nil, nil},
			"singularity": {Native, "useradd (userdel first for take_over_id) in %post", nil, nil},
			"vagrant": {Emulated, "useradd (userdel first for take_over_id) in bootstrap.sh; the run wrapper switches to the user with sudo (-u '#uid' -g '#gid' for ids)", nil, map[string]string{
				"vagrant-user-uid-box": "when a user block other than vagrant has uid 1000 or none (a user the base image ships: the container keeps its ids, the machine creates it), or one named vagrant (the box's own, kept as it is) asks for ids other than 1000, or a home, shell or groups other than the box's",
			}},
		},
		"workdir": {
			"docker":      {Native, "USER <owner>, WORKDIR", nil, nil},
			"llb":         {Native, "mkdir file op, image config WorkingDir", nil, nil},
			"singularity": {Emulated, "mkdir in %post, cd in %runscript", nil, nil},
			"vagrant":     {Emulated, "mkdir in bootstrap.sh, cd in the run wrapper", nil, nil},
		},
		"stage": {
			"docker":      {Native, "a build stage (FROM <base> AS <stage>); COPY --from=<stage>", nil, nil},
			"llb":         {Native, "a state of its own; a copy file op from it", nil, nil},
			"singularity": {Native, "a Stage: of the definition file; %files from <stage>", nil, nil},
			"vagrant":     {Emulated, "a script per stage (stage-<name>.sh) builds it in the machine before bootstrap.sh; the copy reads the machine's path", nil, nil},
		},
		"module": {
			"docker":      {Emulated, "expanded by envc: the module's steps are instructions at the call's place, as if written there", nil, nil},
			"llb":         {Emulated, "expanded by envc: the module's steps are ops at the call's place, as if written there", nil, nil},
			"singularity": {Emulated, "expanded by envc: the module's steps are %post commands (and %files) at the call's place", nil, nil},
			"vagrant":     {Emulated, "expanded by envc: the module's steps are bootstrap.sh commands (and uploads) at the call's place", nil, nil},
		},
		"run": {
			"docker":      {Native, "CMD in exec form", nil, nil},
			"llb":         {Native, "image config Cmd", nil, nil},
			"singularity": {Native, "exec in %runscript", nil, nil},
			"vagrant":     {Emulated, "the run wrapper /usr/local/bin/<env>-run (vagrant ssh -c <env>-run)", nil, nil},
		},
		"entrypoint": {
			"docker":      {Native, "ENTRYPOINT in exec form; CMD holds its default arguments", nil, nil},
			"llb":         {Native, "image config Entrypoint; Cmd holds its default arguments", nil, nil},
			"singularity": {Emulated, "%runscript execs it with the caller's arguments, or with the run command's", nil, nil},
			"vagrant":     {Emulated, "the run wrapper execs it with its arguments, or with the run command's", nil, nil},
		},
		"init": {
			"docker":      {Native, "compose.yaml init: true (docker run --init)", nil, nil},
			"llb":         {Native, "nothing in the image config: given at run time (docker run --init)", nil, nil},
			"singularity": {Native, "none: the run command runs as the caller's process", nil, nil},
			"vagrant":     {Emulated, "the machine's own init (systemd) is PID 1", nil, nil},
		},
		"source": {
			"docker":      {Emulated, "every RUN sources the scripts that exist; a generated <env>-source script leads the ENTRYPOINT", nil, nil},
			"llb":         {Emulated, "every exec op sources the scripts that exist; a generated <env>-source script leads the image config Entrypoint", nil, nil},
			"singularity": {Emulated, "every %post step sources the scripts that exist; %runscript runs through the generated <env>-source script; %environment sources them for apptainer shell and exec", nil, nil},
			"vagrant":     {Emulated, "every bootstrap.sh step sources the scripts that exist; the run wrapper runs through the generated <env>-source script; the profile.d script sources them for vagrant ssh", nil, nil},
		},
		"shell": {
			"docker": {Native, "RUN in exec form with /bin/bash -eo pipefail -c; the <env>-source script starts with #!/bin/bash; bash installed on Alpine", nil, nil},
			"llb":    {Native, "exec ops run /bin/bash -eo pipefail -c; the <env>-source script starts with #!/bin/bash; bash installed on Alpine", nil, nil},
			"singularity": {Emulated, "%post hands each step to /bin/bash -eo pipefail -c; %runscript runs through the <env>-source script in bash", nil, map[string]string{
				"singularity-source-interpreter": "when scripts are sourced: %environment is sourced by Apptainer's own interpreter for apptainer shell and exec",
			}},
			"vagrant": {Emulated, "bootstrap.sh hands each step to /bin/bash -eo pipefail -c; the run wrapper is a bash script; the profile script sources the scripts in bash only", nil, map[string]string{
				"vagrant-source-login-shell": "when scripts are sourced on Alpine, whose login shell is BusyBox ash",
			}},
		},
		"port": {
			"docker":      {Native, "EXPOSE, compose.yaml ports", nil, nil},
			"llb":         {Native, "image config ExposedPorts", nil, nil},
			"singularity": {Native, "recorded in %help", nil, nil},
			"vagrant": {Native, "forwarded_port network", nil, map[string]string{
				"vagrant-port-privileged": "when the host port is below 1024",
			}},
		},
		"mount": {
			"docker":      {Native, "compose.yaml bind volume, VOLUME", nil, nil},
			"llb":         {Native, "image config Volumes", nil, nil},
			"singularity": {Native, "target created in %post, --bind recorded in %help", nil, nil},
			"vagrant":     {Native, "synced_folder (mount_options ro)", nil, nil},
		},
		"gpu": {
			"docker":      {Emulated, "compose.yaml deploy.resources.reservations.devices (driver, count, capabilities)", nil, nil},
			"llb":         {Native, "nothing in the image config: given at run time (docker run --gpus)", nil, nil},
			"singularity": {Emulated, "--nv in %help's run line and %runscript's notes; --nvccli and the count in %help", nil, nil},
			"vagrant":     {Native, "none: the machine gets no GPU", nil, nil},
		},
		"healthcheck": {
			"docker":      {Native, "HEALTHCHECK CMD in exec form, compose.yaml healthcheck", nil, nil},
			"llb":         {Native, "image config Healthcheck (Docker's extension of the OCI config)", nil, nil},
			"singularity": {Native, "recorded in %help", nil, nil},
			"vagrant":     {Native, "none", nil, nil},
		},
		"hpc": {
			"docker": {Native, "none", nil, nil},
			"llb":    {Native, "none", nil, nil},
			"singularity": {Native, "--bind in %help's run line and %runscript's notes; the hybrid model's mpirun/srun launch lines in %help", nil, map[string]string{
				"singularity-binds-run-time": "when the hpc block has binds",
			}},
			"vagrant": {Native, "none", nil, nil},
		},
		"labels": {
			"docker":      {Native, "LABEL", nil, nil},
			"llb":         {Native, "image config Labels", nil, nil},
			"singularity": {Native, "%labels", nil, nil},
			"vagrant":     {Native, "Vagrantfile comments, /etc/envc/<env>/labels.json in the machine", nil, nil},
		},
		"description": {
			"docker":      {Native, "label " + descriptionLabel, nil, nil},
			"llb":         {Native, "image config label " + descriptionLabel, nil, nil},
			"singularity": {Native, "%labels " + descriptionLabel + ", first lines of %help", nil, nil},
			"vagrant":     {Native, "Vagrantfile comment, labels.json in the machine", nil, nil},
		},
		"platforms": {
			"docker":      {Native, "compose.yaml build.platforms (docker buildx bake, docker compose build)", nil, nil},
			"llb":         {Native, "one definition and image config per platform", nil, nil},
			"singularity": {Native, "none: Apptainer builds for the host's architecture", nil, nil},
			"vagrant":     {Native, "none: a box is for the host's architecture", nil, nil},
		},
		"step platforms": {
			"docker":      {Emulated, "a RUN that ends at once unless $TARGETPLATFORM (ARG TARGETPLATFORM, set by BuildKit) is one of them; an env step's ENV in a stage per platform that FROM STAGE-${TARGETARCH}${TARGETVARIANT} selects: one Dockerfile builds every platform", nil, nil},
			"llb":         {Native, "the step is in the definitions of its platforms alone (an env step's values in their image configs too)", nil, nil},
			"singularity": {Emulated, "the %post step runs inside a case on uname -m, and %environment sets the values per platform in one (Apptainer builds for the host's architecture)", nil, nil},
			"vagrant":     {Emulated, "the bootstrap.sh step runs inside a case on uname -m, and the profile script sets the values per platform in one (the machine's architecture is the host's)", nil, nil},
		},
		"target": {
			"docker":      {Native, "the target's run, entrypoint, env and workdir: CMD, ENTRYPOINT, ENV after the steps, WORKDIR", nil, nil},
			"llb":         {Native, "the target's values in image.json Cmd, Entrypoint, Env, WorkingDir", nil, nil},
			"singularity": {Native, "the target's values in %runscript and %environment", nil, nil},
			"vagrant":     {Native, "the target's values in the run wrapper and the profile script", nil, nil},
		},
		"vm": {
			"docker":      {Native, "ignored", nil, nil},
			"llb":         {Native, "ignored", nil, nil},
			"singularity": {Native, "ignored", nil, nil},
			"vagrant": {Native, "box, box_version, box_url; provider cpus, memory; VirtualBox name, gui and options; libvirt options; config.ssh.forward_agent; a reboot provisioner after bootstrap.sh", nil, map[string]string{
				"vagrant-vm-name-virtualbox-only": "when the vm block sets a name",
				"vagrant-vm-gui-virtualbox-only":  "when the vm block sets gui: libvirt opens no window",
			}},
		},
	}
})

// descriptionLabel is ir.DescriptionLabel (package emitters does not
// import the IR for it).
const descriptionLabel = "org.opencontainers.image.description"

// mappingOrder ranks mappings from best to worst.
var mappingOrder = map[string]int{Native: 0, Emulated: 1, DeclaredOnly: 2, Unsupported: 3}

// WorseMapping returns the worse of two mappings.
func WorseMapping(a, b string) string {
	if mappingOrder[b] > mappingOrder[a] {
		return b
	}
	return a
}

// Capabilities returns the whole matrix, constructs in Constructs order,
// targets in Targets order. It fails when the hand-written cells and the
// rule catalogue disagree (a rule outside the matrix, rules that always
// fire with different mappings, a conditional rule that does not exist).
func Capabilities() ([]*Capability, error) {
	byCell := map[[2]string][]*Rule{}
	for _, r := range Rules() {
		k := [2]string{r.Construct, r.Target}
		if _, ok := cells()[r.Construct][r.Target]; !ok {
			return nil, fmt.Errorf("rule %s: no matrix cell for construct %q on target %q", r.Name, r.Construct, r.Target)
		}
		byCell[k] = append(byCell[k], r)
	}
	var out []*Capability
	for _, con := range Constructs {
		for _, t := range Targets {
			c, ok := cells()[con][t]
			if !ok {
				return nil, fmt.Errorf("no matrix cell for construct %q on target %q", con, t)
			}
			capa := &Capability{Construct: con, Target: t, How: c.how, Rules: byCell[[2]string{con, t}], When: c.when}
			for _, name := range c.via {
				r, ok := catalogue[name]
				if !ok || r.Target != t {
					return nil, fmt.Errorf("%s on %s: unknown rule %s", con, t, name)
				}
				capa.Rules = append(capa.Rules, r)
			}
			sort.Slice(capa.Rules, func(i, j int) bool { return capa.Rules[i].Name < capa.Rules[j].Name })
			for name := range c.when {
				found := false
				for _, r := range capa.Rules {
					found = found || r.Name == name
				}
				if !found {
					return nil, fmt.Errorf("%s on %s: conditional rule %s is not a rule of the cell", con, t, name)
				}
			}
			if c.mapping != Native && c.mapping != Emulated {
				return nil, fmt.Errorf("%s on %s: a cell is written native or emulated, not %s", con, t, c.mapping)
			}
			capa.Mapping = c.mapping
			var always []string
			for _, r := range capa.Always() {
				always = append(always, r.Mapping)
			}
			sort.Strings(always)
			if len(always) > 0 {
				if always[0] != always[len(always)-1] {
					return nil, fmt.Errorf("%s on %s: rules that always fire disagree (%s)", con, t, strings.Join(always, ", "))
				}
				capa.Mapping = always[0]
			}
			out = append(out, capa)
		}
	}
	return out, nil
}

// MustCapabilities is Capabilities for callers that rely on its test.
func MustCapabilities() []*Capability {
	caps, err := Capabilities()
	if err != nil {
		panic("emitters: " + err.Error())
	}
	return caps
}

// LookupCapability returns the cell for construct on target, or nil.
func LookupCapability(construct, target string) *Capability {
	for _, c := range MustCapabilities() {
		if c.Construct == construct && c.Target == target {
			return c
		}
	}
	return nil
}

// MarkdownTable renders the matrix as a Markdown table: one row per
// construct, one column per target (headed by headers[target], or the
// target's name), each cell saying how the construct lands, its mapping
// when not native, and the rules it raises (conditional ones with when
// they fire).
func MarkdownTable(headers map[string]string) string {
	var b strings.Builder
	b.WriteString("| construct |")
	for _, t := range Targets {
		h := headers[t]
		if h == "" {
			h = t
		}
		b.WriteString(" " + h + " |")
	}
	b.WriteString("\n| --- |" + strings.Repeat(" --- |", len(Targets)) + "\n")
	caps := MustCapabilities()
	for _, con := range Constructs {
		b.WriteString("| " + con + " |")
		for _, c := range caps {
			if c.Construct != con {
				continue
			}
			cellText := c.How
			if c.Mapping != Native {
				cellText = "**" + c.Mapping + "**: " + cellText
			}
			var notes []string
			for _, r := range c.Rules {
				note := "`" + r.Name + "`"
				if when, cond := c.When[r.Name]; cond {
					note += " (" + r.Mapping + ") " + when
				}
				if r.Off {
					note += " (off by default)"
				}
				notes = append(notes, note)
			}
			if len(notes) > 0 {
				cellText += "; warns " + strings.Join(notes, "; ")
			}
			b.WriteString(" " + markdownEscaper.Replace(cellText) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// markdownEscaper keeps a cell's text literal in a Markdown table.
var markdownEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;")
