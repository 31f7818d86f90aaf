package emitters

// The lossy-mapping rules of the Singularity/Apptainer target (package
// emitters/singularity): what a definition file, and the way Apptainer runs
// an image, cannot say.
var (
	// RuleSingularityPortDeclared is raised at every port: Apptainer has no
	// network isolation, so the program listens on the host's own port.
	RuleSingularityPortDeclared = newRule(Rule{
		Name:      "singularity-port-declared",
		Target:    "singularity",
		Construct: "port",
		Mapping:   DeclaredOnly,
		Summary:   "Port only recorded",
		Detail: "Apptainer shares the host's network: nothing is published, and the program listens directly on the host's port %s. " +
			"The host port and host address of the spec cannot be expressed; the port is recorded in %%help only. " +
			"Make sure the port is free on the host, or configure the program to listen where the spec's host port says.",
	})

	// RuleSingularityMountRuntime is raised at every mount: a definition
	// file cannot bind host directories; the bind is given at run time.
	RuleSingularityMountRuntime = newRule(Rule{
		Name:      "singularity-mount-runtime",
		Target:    "singularity",
		Construct: "mount",
		Mapping:   DeclaredOnly,
		Summary:   "Mount needs a run-time bind",
		Detail: "A definition file cannot bind a host directory: the image only creates the target directory, and %%help records the bind. " +
			"Pass it when running the image, from the folder that holds Singularity.def: %s.",
	})

	// RuleSingularityUserIgnored is raised at the environment's user:
	// Apptainer always runs the image as the calling user.
	RuleSingularityUserIgnored = newRule(Rule{
		Name:      "singularity-user-ignored",
		Target:    "singularity",
		Construct: "user",
		Mapping:   Unsupported,
		Summary:   "Run-time user ignored",
		Detail: "Apptainer runs an image as the user who calls it, never as a user named by the image. " +
			"The user %s is created during the build (and owns the files and directories the spec gives it), " +
			"but the run command runs as the caller.",
	})

	// RuleSingularityVMIgnored is raised when the environment has VM
	// settings, which only the Vagrant target uses.
	RuleSingularityVMIgnored = newRule(Rule{
		Name:      "singularity-vm-ignored",
		Target:    "singularity",
		Construct: "vm",
		Mapping:   Unsupported,
		Summary:   "VM settings ignored",
		Detail: "The vm block configures a virtual machine (box, CPUs, memory, name); " +
			"an Apptainer image has no such settings, so they are ignored. " +
			"Limit resources when running the image instead (e.g. apptainer run --cpus, --memory).",
		Off: true,
	})

	// RuleSingularityEnvRefRunTime is raised at an env var whose value
	// refers to a variable that neither an earlier env var nor the base
	// image is known to set (emitters.UnknownRefs).
	RuleSingularityEnvRefRunTime = newRule(Rule{
		Name:      "singularity-env-ref-run-time",
		Target:    "singularity",
		Construct: "env",
		Mapping:   Emulated,
		Summary:   "Reference expanded at run time",
		Detail: "%s, which no earlier env var sets and the base image is not known to set. " +
			"%%environment expands it when the container starts, to the caller's value, " +
			"while Docker and LLB expand it when building (to an empty string unless the base image sets it). " +
			"Write the value out (e.g. a literal home directory), or set the variable earlier in env.",
	})

	// RuleSingularityInitIgnored is raised at init = true: an Apptainer
	// container has no init of its own.
	RuleSingularityInitIgnored = newRule(Rule{
		Name:      "singularity-init-ignored",
		Target:    "singularity",
		Construct: "init",
		Mapping:   Unsupported,
		Summary:   "Init ignored",
		Detail: "Apptainer runs the run command as a process of the caller, in the host's PID namespace unless --pid is given, " +
			"and adds no init. Children the command leaves are reaped by the host's init.",
	})

	// RuleSingularityPlatformsIgnored is raised at platforms: Apptainer
	// builds an image for the architecture of the host that builds it.
	RuleSingularityPlatformsIgnored = newRule(Rule{
		Name:      "singularity-platforms-ignored",
		Target:    "singularity",
		Construct: "platforms",
		Mapping:   Unsupported,
		Summary:   "Platforms ignored",
		Detail: "A definition file has no platform: Apptainer builds the image for the architecture of the host that runs apptainer build, " +
			"so of the platforms %s only the host's is built. Build the .def on a host of each architecture you need.",
	})
)
