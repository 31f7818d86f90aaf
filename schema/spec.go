package schema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Spec is one decoded spec file. Attribute values are unevaluated.
type Spec struct {
	// Filename is the name the file was parsed under.
	Filename string
	// Bytes is the file's source, for diagnostics.
	Bytes []byte
	// File is the parsed file Decode read, so that later stages can walk
	// its syntax without parsing Bytes again; nil for a Spec built by hand.
	File *hcl.File

	Variables    []*Variable
	Locals       []*hcl.Attribute // from every locals block, in source order
	Environments []*Environment
	// Settings is the envc block (settings.go); nil when absent.
	Settings *Settings
}

// Variable is a variable block.
type Variable struct {
	Name string
	// Type is the declared type constraint; cty.DynamicPseudoType when none.
	Type        cty.Type
	Default     *hcl.Attribute // nil when absent
	Description string
	Validations []*Validation
	DeclRange   hcl.Range
}

// Validation is a validation block inside a variable block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Environment is an environment block. Each attribute field is nil when the
// attribute is absent.
type Environment struct {
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range

	Description *hcl.Attribute
	Base        *hcl.Attribute
	// From names another environment (environment.NAME) or, in a stage,
	// an earlier stage (stage.NAME) to build on instead of a base image.
	From     *hcl.Attribute
	OS       *hcl.Attribute
	Packages *hcl.Attribute
	Env      *hcl.Attribute
	// BuildEnv holds variables for the build's steps alone; RunEnv
	// variables for the run command alone, their values defaults the
	// caller may override (null: none, the caller supplies it).
	BuildEnv   *hcl.Attribute
	RunEnv     *hcl.Attribute
	Setup      *hcl.Attribute
	Workdir    *hcl.Attribute
	User       *hcl.Attribute
	Run        *hcl.Attribute
	Entrypoint *hcl.Attribute
	Recommends *hcl.Attribute
	Init       *hcl.Attribute
	Source     *hcl.Attribute
	// Shell is the shell ("sh" or "bash") of the environment's run steps,
	// its source wrapper and the run-time scripts that source Source.
	Shell     *hcl.Attribute
	Labels    *hcl.Attribute
	Platforms *hcl.Attribute

	Files  []*File
	Mounts []*Mount
	Ports  []*Port
	VM     *VM // nil when absent

	// GPU, Healthcheck and HPC are the run-time contract's gpu,
	// healthcheck and hpc blocks; nil when absent.
	GPU         *GPU
	Healthcheck *Healthcheck
	HPC         *HPC

	// Users are the user blocks (language v2), in source order.
	Users []*User

	// Repositories are the repository blocks, in source order.
	Repositories []*Repository

	// Targets are the target blocks, in source order: run-time values
	// one target gives otherwise (target.go).
	Targets []*Target

	// Stages are the stage blocks, in source order: throwaway
	// environments (with Stage set) that copy blocks take files from.
	Stages []*Environment
	// Stage is set on an Environment decoded from a stage block.
	Stage bool

	// Steps are the step blocks (language v2), in source order. v1's
	// packages, file, env and setup expand, in v1's order, to steps placed
	// before them.
	Steps []*Step
}

// Step is a step block: one ordered build step. Exactly one of Run,
// Packages and Copy says what it does.
type Step struct {
	Run     *hcl.Attribute
	Shell   *hcl.Attribute
	User    *hcl.Attribute
	Workdir *hcl.Attribute
	// Env is a run step's own variables; in a step that does nothing
	// else, the variables every later step and the run command see.
	Env *hcl.Attribute
	// BuildEnv, in a step that does nothing else, holds variables every
	// later step sees but the run command does not.
	BuildEnv *hcl.Attribute
	Packages *hcl.Attribute
	// Platforms limits the step to some of the platforms the environment
	// is built for.
	Platforms *hcl.Attribute
	// Recommends overrides the environment's recommends for a packages
	// step.
	Recommends *hcl.Attribute
	Only       *hcl.Attribute
	Except     *hcl.Attribute
	// Copy holds the step's copy blocks (at most one is valid).
	Copy []*Copy
	// Pip, Conda, Pipx and Julia are set for a block of that package
	// manager, which is a step of its own (managers.go).
	Pip   *Pip
	Conda *Conda
	Pipx  *Pipx
	Julia *Julia
	// Module is set for a module block, which stands, in the step list,
	// for the steps of the module file it calls (module.go).
	Module *ModuleCall
	// ForEach repeats the block once for each element of its value, with
	// each.key and each.value set; nil when absent.
	ForEach   *hcl.Attribute
	DeclRange hcl.Range
}

// Pip is a pip block: Python packages installed with pip, as a step.
type Pip struct {
	Packages *hcl.Attribute
	User     *hcl.Attribute
	Venv     *hcl.Attribute
	// IndexURL, ExtraIndexURLs, TrustedHosts, NoBinary and Constraints
	// are pip's options (--index-url, --extra-index-url, --trusted-host,
	// --no-binary, -c); Env holds variables for the install alone
	// (CFLAGS, ...).
	IndexURL       *hcl.Attribute
	ExtraIndexURLs *hcl.Attribute
	TrustedHosts   *hcl.Attribute
	NoBinary       *hcl.Attribute
	Constraints    *hcl.Attribute
	Env            *hcl.Attribute
}

// Conda is a conda block: conda packages installed with the base
// image's conda, mamba or micromamba, into its base environment or a
// named one.
type Conda struct {
	Packages  *hcl.Attribute
	Channels  *hcl.Attribute
	File      *hcl.Attribute
	Name      *hcl.Attribute
	Installer *hcl.Attribute
	// User runs the install as this user, who then owns the conda
	// installation; nil: root.
	User *hcl.Attribute
}

// Pipx is a pipx block: Python applications, each in a virtual
// environment of its own, installed with pipx for every user.
type Pipx struct {
	Packages     *hcl.Attribute
	IndexURL     *hcl.Attribute
	TrustedHosts *hcl.Attribute
}

// Julia is a julia block: Julia packages added with Pkg into a depot
// every user reads.
type Julia struct {
	Packages *hcl.Attribute
}

// Repository is a repository block: a third-party package source, with
// the key its packages are signed with.
type Repository struct {
	Name       string
	NameRange  hcl.Range
	URL        *hcl.Attribute
	Key        *hcl.Attribute
	Suite      *hcl.Attribute
	Components *hcl.Attribute
	DeclRange  hcl.Range
}

// User is a user block: the attributes of a user envc creates.
type User struct {
	Name      string
	NameRange hcl.Range
	UID       *hcl.Attribute
	GID       *hcl.Attribute
	Home      *hcl.Attribute
	Shell     *hcl.Attribute
	Groups    *hcl.Attribute
	// TakeOverID removes a user that already holds the uid.
	TakeOverID *hcl.Attribute
	DeclRange  hcl.Range
}

// Copy is a copy block inside a step: a file from the build context (or,
// with From, from a stage) copied into the environment.
type Copy struct {
	From   *hcl.Attribute
	Source *hcl.Attribute
	Target *hcl.Attribute
	Owner  *hcl.Attribute
	Mode   *hcl.Attribute
	// Include and Exclude filter a folder of the build context by glob
	// patterns ("*.yaml", "**/*.py").
	Include *hcl.Attribute
	Exclude *hcl.Attribute
	// Overwrite allows the copy to replace a file an earlier copy wrote.
	Overwrite *hcl.Attribute
	DeclRange hcl.Range
}

// File is a file block.
type File struct {
	Source *hcl.Attribute
	Target *hcl.Attribute
	Mode   *hcl.Attribute
	// Include and Exclude filter a folder by glob patterns.
	Include   *hcl.Attribute
	Exclude   *hcl.Attribute
	Overwrite *hcl.Attribute
	// ForEach repeats the block, as a step's does.
	ForEach   *hcl.Attribute
	DeclRange hcl.Range
}

// Mount is a mount block.
type Mount struct {
	Source    *hcl.Attribute
	Target    *hcl.Attribute
	ReadOnly  *hcl.Attribute
	DeclRange hcl.Range
}

// Port is a port block.
type Port struct {
	Guest     *hcl.Attribute
	Host      *hcl.Attribute
	HostIP    *hcl.Attribute
	Protocol  *hcl.Attribute
	DeclRange hcl.Range
}

// GPU is a gpu block: the GPUs the run command needs.
type GPU struct {
	Count        *hcl.Attribute
	Vendor       *hcl.Attribute
	Capabilities *hcl.Attribute
	DeclRange    hcl.Range
}

// Healthcheck is a healthcheck block: the command that tells whether the
// running environment is healthy.
type Healthcheck struct {
	Test        *hcl.Attribute
	Interval    *hcl.Attribute
	Timeout     *hcl.Attribute
	StartPeriod *hcl.Attribute
	Retries     *hcl.Attribute
	DeclRange   hcl.Range
}

// HPC is an hpc block: how a cluster runs the environment (binds of the
// site's paths, the MPI model).
type HPC struct {
	Binds     *hcl.Attribute
	MPI       *hcl.Attribute
	DeclRange hcl.Range
}

// VM is a vm block.
type VM struct {
	Box        *hcl.Attribute
	BoxVersion *hcl.Attribute
	BoxURL     *hcl.Attribute
	CPUs       *hcl.Attribute
	Memory     *hcl.Attribute
	Name       *hcl.Attribute
	// GUI shows the machine's display (VirtualBox); Reboot restarts the
	// machine after provisioning.
	GUI    *hcl.Attribute
	Reboot *hcl.Attribute
	// ForwardAgent is the ssh block's forward_agent.
	ForwardAgent *hcl.Attribute
	// VirtualBox and Libvirt are the provider blocks; nil when absent.
	VirtualBox *VMVirtualBox
	Libvirt    *VMLibvirt
	DeclRange  hcl.Range
}

// VMVirtualBox is a vm block's virtualbox block: options of the
// VirtualBox provider alone.
type VMVirtualBox struct {
	LinkedClone    *hcl.Attribute
	DefaultNICType *hcl.Attribute
	DeclRange      hcl.Range
}

// VMLibvirt is a vm block's libvirt block: options of the libvirt
// provider alone.
type VMLibvirt struct {
	Driver    *hcl.Attribute
	CPUMode   *hcl.Attribute
	Nested    *hcl.Attribute
	DeclRange hcl.Range
}
