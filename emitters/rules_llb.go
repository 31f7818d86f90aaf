package emitters

// The lossy-mapping rules of the BuildKit LLB target (package
// emitters/buildkit): what an LLB graph plus an OCI image config cannot say.
var (
	// RuleLLBBaseEnvAssumed is raised at an env var whose value refers to a
	// variable of the base image while the base image's environment is
	// unknown (Options.BaseEnv is nil).
	RuleLLBBaseEnvAssumed = newRule(Rule{
		Name:      "llb-base-env-assumed",
		Target:    "llb",
		Construct: "env",
		Mapping:   Emulated,
		Summary:   "Base image environment assumed",
		Detail: "LLB does no variable expansion, so envc expands env values when it writes the graph. " +
			"The base image's environment was not resolved: %s. " +
			"image.json and the build steps assume the base image sets only PATH=" + DefaultPath + ". " +
			"`envc build` resolves the real base image config.",
	})

	// RuleLLBEnvRefUnset is raised at an env var whose value refers to a
	// variable that neither an earlier env var nor the (resolved) base image
	// sets.
	RuleLLBEnvRefUnset = newRule(Rule{
		Name:      "llb-env-ref-unset",
		Target:    "llb",
		Construct: "env",
		Mapping:   Emulated,
		Summary:   "Reference to an unset variable",
		Detail: "%s: it is set neither by an earlier env var nor by the base image's config, " +
			"so it expands to an empty string, as in a shell. " +
			"Define it earlier in env, or drop the reference.",
	})

	// RuleLLBPortHostBinding is raised at every port: an image config can
	// only declare the guest port; publishing it happens at run time.
	RuleLLBPortHostBinding = newRule(Rule{
		Name:      "llb-port-host-binding",
		Target:    "llb",
		Construct: "port",
		Mapping:   DeclaredOnly,
		Summary:   "Port only declared",
		Detail: "An OCI image config can only declare a container port (ExposedPorts); " +
			"the host port and host address cannot be expressed and nothing is published by the image itself. " +
			"Publish it when running the image: %s.",
	})

	// RuleLLBMountDeclared is raised at every mount: an image config's
	// Volumes only declares the target; the bind happens at run time.
	RuleLLBMountDeclared = newRule(Rule{
		Name:      "llb-mount-declared",
		Target:    "llb",
		Construct: "mount",
		Mapping:   DeclaredOnly,
		Summary:   "Mount only declared",
		Detail: "An OCI image config can only declare a volume (Volumes); " +
			"it cannot say which host directory to bind, nor that the mount is read-only. " +
			"Bind it when running the image: %s.",
	})

	// RuleLLBVMIgnored is raised when the environment has VM settings, which
	// only the Vagrant target uses.
	RuleLLBVMIgnored = newRule(Rule{
		Name:      "llb-vm-ignored",
		Target:    "llb",
		Construct: "vm",
		Mapping:   Unsupported,
		Summary:   "VM settings ignored",
		Detail: "The vm block configures a virtual machine (box, CPUs, memory, name); " +
			"a container image built from LLB has no such settings, so they are ignored. " +
			"Limit resources when running the container instead (e.g. docker run --cpus, --memory).",
		Off: true,
	})

	// RuleLLBInitRunTime is raised at init = true: an image config has no
	// way to ask for an init process.
	RuleLLBInitRunTime = newRule(Rule{
		Name:      "llb-init-run-time",
		Target:    "llb",
		Construct: "init",
		Mapping:   DeclaredOnly,
		Summary:   "Init given at run time",
		Detail: "An OCI image config cannot ask for an init process, so the image runs its command as PID 1. " +
			"Run it with an init: docker run --init, or init: true in compose.yaml (as the docker target writes).",
	})

	// RuleLLBRunEnvCaller is raised at a run_env variable without a
	// default: an image config has no way to ask the caller for it.
	RuleLLBRunEnvCaller = newRule(Rule{
		Name:      "llb-run-env-caller",
		Target:    "llb",
		Construct: "run_env",
		Mapping:   DeclaredOnly,
		Summary:   "Run-time variable from the caller",
		Detail: "%s has no default, and an OCI image config cannot say that the caller must supply a variable. " +
			"Pass it when running the image: docker run -e %s.",
	})
)
