package emitters

// The lossy-mapping rules of the Vagrant target (package emitters/vagrant):
// what a Vagrantfile and its provisioning script cannot say as the spec
// does.
var (
	// RuleVagrantVMNameVirtualBoxOnly is raised at the vm block when it sets
	// a name: only the VirtualBox provider can name the machine.
	RuleVagrantVMNameVirtualBoxOnly = newRule(Rule{
		Name:      "vagrant-vm-name-virtualbox-only",
		Target:    "vagrant",
		Construct: "vm",
		Mapping:   Unsupported,
		Summary:   "VM name only for VirtualBox",
		Detail: "The name %s is given to the VirtualBox provider (vb.name). " +
			"The libvirt provider names its domain itself, after the project folder and the machine (\"<folder>_default\"), " +
			"and has no setting that takes a free-form name, so under libvirt the name is not used.",
		Off: true,
	})

	// RuleVagrantSourceLoginShell is raised at the shell attribute of an
	// Alpine environment that sources scripts in bash: the login shell of
	// the machine's vagrant user is BusyBox ash.
	RuleVagrantSourceLoginShell = newRule(Rule{
		Name:      "vagrant-source-login-shell",
		Target:    "vagrant",
		Construct: "shell",
		Mapping:   Emulated,
		Summary:   "Bash scripts not sourced by the login shell",
		Detail: "The run wrapper sources %s in bash, but the login shell of vagrant ssh on Alpine is BusyBox ash, " +
			"so the profile script skips them there (it sources them only in bash). " +
			"Run commands through the wrapper (vagrant ssh -c '<env>-run COMMAND'), or start bash in the machine.",
	})

	// RuleVagrantVMGUIVirtualBoxOnly is raised at the vm block when it sets
	// gui: only the VirtualBox provider opens a window on the machine.
	RuleVagrantVMGUIVirtualBoxOnly = newRule(Rule{
		Name:      "vagrant-vm-gui-virtualbox-only",
		Target:    "vagrant",
		Construct: "vm",
		Mapping:   Unsupported,
		Summary:   "VM display only for VirtualBox",
		Detail: "gui = true opens the machine's display in a VirtualBox window (vb.gui). " +
			"The libvirt provider opens no window: its machines have a VNC or SPICE display that virt-manager or virt-viewer shows.",
	})

	// RuleVagrantUserUIDBox is raised at a user block whose uid is unset or
	// the one a Vagrant box gives its own vagrant user (1000): on the
	// machine the user gets another uid than in a container of the base.
	// It is raised too at a user block named vagrant that asks for other
	// ids than the box's: the machine keeps the box's user as it is. Its
	// arguments are the block's ids, what the machine does (with the
	// group the user gets), what a container does, and the fix.
	RuleVagrantUserUIDBox = newRule(Rule{
		Name:      "vagrant-user-uid-box",
		Target:    "vagrant",
		Construct: "user",
		Mapping:   Emulated,
		Summary:   "User id taken by the box's vagrant user",
		Detail: "%s. A Vagrant box has a user of its own, vagrant, with uid and gid 1000, " +
			"so on the machine, %s, where a container of the base image %s. " +
			"Files are given to the user by name, so they stay the user's. %s",
	})

	// RuleVagrantPortPrivileged is raised at a port whose host side is
	// below 1024: Vagrant's providers forward ports as the calling user.
	RuleVagrantPortPrivileged = newRule(Rule{
		Name:      "vagrant-port-privileged",
		Target:    "vagrant",
		Construct: "port",
		Mapping:   Unsupported,
		Summary:   "Privileged host port",
		Detail: "The host port %s is below 1024. VirtualBox and libvirt forward ports as the user who runs vagrant, " +
			"who cannot bind a privileged port, so `vagrant up` fails or the port is not forwarded unless vagrant runs as root. " +
			"Choose a host port of 1024 or above.",
	})

	// RuleVagrantLabelsRecorded is raised once, at the first label other
	// than the description: a Vagrant machine has no labels (the
	// description is a comment in the Vagrantfile, where its reader looks).
	RuleVagrantLabelsRecorded = newRule(Rule{
		Name:      "vagrant-labels-recorded",
		Target:    "vagrant",
		Construct: "labels",
		Mapping:   DeclaredOnly,
		Summary:   "Labels only recorded",
		Detail: "A Vagrant machine has no labels. The labels (and the description) are written as comments in the Vagrantfile " +
			"and, as a JSON object, to %s in the machine; no tool reads them from there.",
	})

	// RuleVagrantBaseNotImage is raised at the base image when it is not
	// the distribution's own image: the machine boots the distribution's
	// box, so whatever the image adds to the distribution is missing.
	RuleVagrantBaseNotImage = newRule(Rule{
		Name:      "vagrant-base-not-image",
		Target:    "vagrant",
		Construct: "base",
		Mapping:   Unsupported,
		Summary:   "Base image not used",
		Detail: "A Vagrant machine boots a box, not a container image: it starts from the box %s, " +
			"a plain installation of the distribution, while the base image %s builds on that distribution. " +
			"What the image adds (software, files, users, its environment) is missing from the machine. " +
			"Add what the environment needs from the image to packages and setup, or name a box that has it: vm { box = \"...\" }.",
	})

	// RuleVagrantEnvRefRunTime is raised at an env var whose value refers
	// to a variable that neither an earlier env var nor the base image is
	// known to set (emitters.UnknownRefs).
	RuleVagrantEnvRefRunTime = newRule(Rule{
		Name:      "vagrant-env-ref-run-time",
		Target:    "vagrant",
		Construct: "env",
		Mapping:   Emulated,
		Summary:   "Reference expanded at run time",
		Detail: "%s, which no earlier env var sets and the base image is not known to set. " +
			"bootstrap.sh expands it while provisioning (as root) and the profile.d script at each login, to the user's value, " +
			"while Docker and LLB expand it when building (to an empty string unless the base image sets it). " +
			"Write the value out (e.g. a literal home directory), or set the variable earlier in env.",
	})

	// RuleVagrantPlatformsIgnored is raised at platforms: a machine runs
	// the box built for the host's architecture.
	RuleVagrantPlatformsIgnored = newRule(Rule{
		Name:      "vagrant-platforms-ignored",
		Target:    "vagrant",
		Construct: "platforms",
		Mapping:   Unsupported,
		Summary:   "Platforms ignored",
		Detail: "A Vagrant machine boots the box built for the host's architecture (a provider does not emulate another), " +
			"so of the platforms %s only the host's is used. Run vagrant up on a host of each architecture you need.",
	})

	// RuleVagrantStageFlattened is raised at every stage: a machine has
	// one file system, so a stage's steps run in the machine itself.
	RuleVagrantStageFlattened = newRule(Rule{
		Name:      "vagrant-stage-flattened",
		Target:    "vagrant",
		Construct: "stage",
		Mapping:   Emulated,
		Summary:   "Stage built in the machine",
		Detail: "A machine has one file system: the steps of the stage %s run in the machine itself, from a script of their own (stage-<name>.sh) " +
			"that Vagrant runs before bootstrap.sh (so its variables do not leak), and the copies then take their files from the machine's paths. " +
			"What the stage installs or creates stays in the machine, and a stage whose base differs from the environment's runs on the environment's box instead.",
	})

	// RuleVagrantRunEnvCaller is raised at run_env: vagrant ssh passes
	// none of the host's environment into the machine.
	RuleVagrantRunEnvCaller = newRule(Rule{
		Name:      "vagrant-run-env-caller",
		Target:    "vagrant",
		Construct: "run_env",
		Mapping:   Emulated,
		Summary:   "Run-time variables given in the command",
		Detail: "vagrant ssh passes none of the host's environment into the machine, so the run command's variables %s " +
			"take their defaults there unless the command gives them: vagrant ssh -c 'NAME=value %s'.",
	})
)

// The package managers a base image brings (conda, julia) are not in the
// machine, which boots the distribution's box.
var (
	// RuleVagrantCondaFromImage is raised at a conda block: the machine
	// has no conda.
	RuleVagrantCondaFromImage = newRule(Rule{
		Name:      "vagrant-conda-from-image",
		Target:    "vagrant",
		Construct: "conda",
		Mapping:   Unsupported,
		Summary:   "Conda of the base image missing",
		Detail: "The conda block runs %s, which the base image %s brings; the machine boots the distribution's box, which lacks it, " +
			"so bootstrap.sh fails at this step unless an earlier step installs it there. " +
			"Build the environment as a container or an Apptainer image, or name a box that has it: vm { box = \"...\" }.",
	})

	// RuleVagrantJuliaFromImage is raised at a julia block: the machine
	// has no julia.
	RuleVagrantJuliaFromImage = newRule(Rule{
		Name:      "vagrant-julia-from-image",
		Target:    "vagrant",
		Construct: "julia",
		Mapping:   Unsupported,
		Summary:   "Julia of the base image missing",
		Detail: "The julia block runs %s, which the base image %s brings; the machine boots the distribution's box, which lacks it, " +
			"so bootstrap.sh fails at this step unless an earlier step installs it there. " +
			"Build the environment as a container or an Apptainer image, or name a box that has it: vm { box = \"...\" }.",
	})
)
