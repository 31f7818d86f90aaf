package emitters

// The lossy-mapping rules of the run-time contract's gpu, healthcheck
// and hpc blocks, for every target that cannot carry them whole.
var (
	// RuleDockerGPUComposeOnly is raised at a gpu block: compose.yaml
	// reserves the GPUs, the Dockerfile (and so the image) cannot.
	RuleDockerGPUComposeOnly = newRule(Rule{
		Name:      "docker-gpu-compose-only",
		Target:    "docker",
		Construct: "gpu",
		Mapping:   Emulated,
		Summary:   "GPU reserved by compose.yaml only",
		Detail: "A Dockerfile cannot ask for a GPU: compose.yaml reserves it (deploy.resources.reservations.devices), which docker compose up honours, " +
			"and the host needs the NVIDIA container toolkit. Running the image without Compose needs the flag: %s.",
	})

	// RuleDockerHPCIgnored is raised at an hpc block.
	RuleDockerHPCIgnored = newRule(Rule{
		Name:      "docker-hpc-ignored",
		Target:    "docker",
		Construct: "hpc",
		Mapping:   Unsupported,
		Summary:   "Cluster contract not carried",
		Detail: "The Dockerfile and compose.yaml carry neither the cluster's binds nor the MPI model: they are Apptainer's (the singularity target). " +
			"Bind a cluster path with docker run -v when you need it here, or mount a folder of the spec's checkout with a mount block.",
	})

	// RuleLLBGPURunTime is raised at a gpu block.
	RuleLLBGPURunTime = newRule(Rule{
		Name:      "llb-gpu-run-time",
		Target:    "llb",
		Construct: "gpu",
		Mapping:   Unsupported,
		Summary:   "GPU given at run time",
		Detail:    "An OCI image config cannot ask for a GPU. Request it when running the image (the host needs the NVIDIA container toolkit): %s.",
	})

	// RuleLLBHPCIgnored is raised at an hpc block.
	RuleLLBHPCIgnored = newRule(Rule{
		Name:      "llb-hpc-ignored",
		Target:    "llb",
		Construct: "hpc",
		Mapping:   Unsupported,
		Summary:   "Cluster contract not carried",
		Detail: "An OCI image config carries neither the cluster's binds nor the MPI model: they are Apptainer's (the singularity target). " +
			"Bind a cluster path when running the image (docker run -v) if you need it.",
	})

	// RuleSingularityGPUFlag is raised at a gpu block: Apptainer passes
	// GPUs with a run flag the caller gives.
	RuleSingularityGPUFlag = newRule(Rule{
		Name:      "singularity-gpu-flag",
		Target:    "singularity",
		Construct: "gpu",
		Mapping:   Emulated,
		Summary:   "GPU needs a run flag",
		Detail: "A definition file cannot ask for a GPU: %%help and %%runscript tell the caller to run with --nv " +
			"(or --nvccli, which honours NVIDIA_DRIVER_CAPABILITIES), and the image reads back the request from %%help. %s",
	})

	// RuleSingularityHealthcheckDeclared is raised at a healthcheck block.
	RuleSingularityHealthcheckDeclared = newRule(Rule{
		Name:      "singularity-healthcheck-declared",
		Target:    "singularity",
		Construct: "healthcheck",
		Mapping:   DeclaredOnly,
		Summary:   "Healthcheck only recorded",
		Detail: "Apptainer has no healthcheck: nothing runs the command while the image runs; %%help records it. " +
			"Run it yourself to check a running instance: %s.",
	})

	// RuleSingularityBindsRunTime is raised at an hpc block with binds.
	RuleSingularityBindsRunTime = newRule(Rule{
		Name:      "singularity-binds-run-time",
		Target:    "singularity",
		Construct: "hpc",
		Mapping:   DeclaredOnly,
		Summary:   "Binds given at run time",
		Detail: "A definition file cannot bind: %%help and %%runscript give the binds the cluster needs, which the caller passes: %s " +
			"(or sets APPTAINER_BIND to the same list).",
	})

	// RuleVagrantGPUUnsupported is raised at a gpu block.
	RuleVagrantGPUUnsupported = newRule(Rule{
		Name:      "vagrant-gpu-unsupported",
		Target:    "vagrant",
		Construct: "gpu",
		Mapping:   Unsupported,
		Summary:   "GPU not passed to the machine",
		Detail: "The machine gets no GPU: VirtualBox cannot pass one through, and libvirt's PCI passthrough names the host's own device address, " +
			"which a portable Vagrantfile cannot know. Use the docker or singularity target for GPU work, or add the passthrough to the Vagrantfile by hand.",
	})

	// RuleVagrantHealthcheckIgnored is raised at a healthcheck block.
	RuleVagrantHealthcheckIgnored = newRule(Rule{
		Name:      "vagrant-healthcheck-ignored",
		Target:    "vagrant",
		Construct: "healthcheck",
		Mapping:   Unsupported,
		Summary:   "Healthcheck not carried",
		Detail:    "A machine has no healthcheck: nothing runs the command. Run it yourself: %s.",
	})

	// RuleVagrantHPCIgnored is raised at an hpc block.
	RuleVagrantHPCIgnored = newRule(Rule{
		Name:      "vagrant-hpc-ignored",
		Target:    "vagrant",
		Construct: "hpc",
		Mapping:   Unsupported,
		Summary:   "Cluster contract not carried",
		Detail: "A machine carries neither the cluster's binds nor the MPI model: they are Apptainer's (the singularity target). " +
			"Share a folder of the spec's checkout with a mount block if the machine needs it.",
	})
)
