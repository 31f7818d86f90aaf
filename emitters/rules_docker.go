package emitters

// The lossy-mapping rules of the Docker target (package emitters/docker):
// what a Dockerfile plus a compose.yaml cannot say. Ports (with host address
// and protocol), bind mounts (read-only included), the run-time user and
// workdir, labels and the description are all native there; only the
// virtual machine settings have no counterpart.
var (
	// RuleDockerVMIgnored is raised when the environment has VM settings,
	// which only the Vagrant target uses.
	RuleDockerVMIgnored = newRule(Rule{
		Name:      "docker-vm-ignored",
		Target:    "docker",
		Construct: "vm",
		Mapping:   Unsupported,
		Summary:   "VM settings ignored",
		Detail: "The vm block configures a virtual machine (box, CPUs, memory, name); " +
			"a Docker container has no such settings, so they are ignored. " +
			"Limit resources when running the container instead (e.g. docker run --cpus, --memory, " +
			"or cpus and mem_limit in compose.yaml).",
		Off: true,
	})
)
