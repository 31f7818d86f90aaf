package ir

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Env is one environment, fully lowered. Every value is a plain Go value;
// every list is in author order. Emitters read an Env and never modify it.
type Env struct {
	// Name is the environment's name, matching [a-z0-9][a-z0-9._-]*.
	Name string
	// SpecFile is the base name of the spec file the environment came from
	// (never a path), used in generated headers.
	SpecFile string
	// Description is free text; empty when not given.
	Description string

	// Base is the image the environment starts from.
	Base Image
	// Distro is the distribution inside Base. It is nil when the compiler
	// could not identify it; then the environment has no InstallSteps.
	Distro *Distro

	// From names the environment this one is built on (from =
	// environment.NAME), "" for none. The compiler flattens it: Base,
	// Distro and the leading FromSteps steps are that environment's, so
	// every target builds the whole environment from Base, and the
	// builders that cache by instruction share those steps with the
	// other environment's build.
	From      string
	FromSteps int
	FromRange hcl.Range

	// Stages are the throwaway builds (stage blocks) this environment
	// copies files from, in declaration order, each an Env with no
	// run-time contract. Only what a CopyStep with Stage copies out of a
	// stage reaches the environment.
	Stages []*Env

	// Modules are the module calls (module blocks) whose steps are among
	// Steps, in the order they were called, an inner call after its
	// outer one. The targets do not see them: a module's steps are steps
	// like any other; explain shows where they came from.
	Modules []Module

	// Platforms are the OS/architecture pairs to build for ("linux/amd64"),
	// in author order; nil means the builder's own.
	Platforms      []string
	PlatformsRange hcl.Range

	// Steps is the ordered build: every target performs them in this order,
	// as root unless a step says otherwise. The environment variables are
	// set by its EnvSteps (RunEnv derives what the run command sees), the
	// package sources are added by RunSteps with a Repository
	// (Repositories), a step whose StepTargets is not nil is for those
	// targets alone (ForTarget), and one whose StepPlatforms is not nil
	// for those platforms alone (ForPlatform).
	Steps []Step

	// Overrides are the run-time values some targets give instead of
	// the environment's (target blocks), at most one per target, sorted
	// by target; ForTarget applies its target's. A target's own
	// variables are an EnvStep of that target alone after the build's
	// steps, and its run directory a WorkdirStep of that target alone,
	// so that they are steps like any other.
	Overrides []Override

	// User is the user the run command runs as: a name, or ids as
	// NumericUser reads them ("1000", "1000:100"); "" means the image
	// default (root). UserRange locates it in the spec.
	User      string
	UserRange hcl.Range
	// Workdir is the absolute directory the run command starts in; "" means
	// the image default.
	Workdir      string
	WorkdirRange hcl.Range
	// Run is the run command as an argv (never nil-with-elements-empty); nil
	// means no run command. With an Entrypoint, Run is its default
	// arguments.
	Run      []string
	RunRange hcl.Range
	// Entrypoint is the program every start runs (Docker's ENTRYPOINT):
	// the process is Entrypoint followed by the caller's arguments, or by
	// Run when the caller gives none. nil means none: the caller's
	// arguments replace Run.
	Entrypoint      []string
	EntrypointRange hcl.Range
	// Source lists the scripts the run command and interactive shells
	// source (where present), in order: the environment's source
	// attribute after those of the environment it is built on. Each
	// RunStep says what it sources itself; the compiler has written the
	// wrapper that sources them before the entrypoint as a step.
	Source      []string
	SourceRange hcl.Range
	// Shell is the shell of the environment's run-time scripts: "bash"
	// when the source wrapper, Apptainer's %environment and the machine's
	// profile and run wrapper are to source Source in bash, "sh" (or "")
	// for /bin/sh. Each RunStep says its own shell (the environment's
	// unless the step names one); the compiler wrote the wrapper's
	// interpreter line from Shell and installs bash where the base lacks
	// it. ShellRange locates it ("" ranges: the default).
	Shell      string
	ShellRange hcl.Range
	// Init asks for a minimal init process as PID 1 (reaping zombies,
	// forwarding signals) where the target has one. InitRange locates it.
	Init      bool
	InitRange hcl.Range

	// RunVars are the variables for the run command alone (run_env), in
	// author order: each one's Value is a default the caller may override
	// at start, or, with Required, there is none and the caller supplies
	// it. Their names are set by no EnvStep.
	RunVars []RunVar

	// Ports, Mounts and Labels are in author order. Labels holds the user's
	// labels followed by DescriptionLabel when Description is set.
	Ports  []Port
	Mounts []Mount
	Labels []KeyValue

	// VM holds the virtual machine settings (Vagrant target).
	VM VM

	// GPU is the GPUs the run command needs, Healthcheck how to tell the
	// running environment is healthy, HPC how a cluster runs it; each
	// nil when the spec says nothing (contract.go).
	GPU         *GPU
	Healthcheck *Healthcheck
	HPC         *HPC

	// ContextFiles lists the files the build context must contain: each
	// CopyStep's Source is the ContextPath of one of them. The caller (not
	// an emitter) copies them beside the outputs.
	ContextFiles []ContextFile

	// DeclRange is the range of the environment block's header.
	DeclRange hcl.Range
}

// Repositories returns the package sources the environment adds, in step
// order (those of the environment it is built on first): the Repository
// of each RunStep that adds one.
func (e *Env) Repositories() []Repository {
	var out []Repository
	for _, s := range e.Steps {
		if r, ok := s.(*RunStep); ok && r.Repository != nil {
			out = append(out, *r.Repository)
		}
	}
	return out
}

// Family returns the distro family of the base image ("debian",
// "alpine", ...), which selects the tools a step's commands use; "" when
// envc does not know the distro.
func (e *Env) Family() string {
	if e.Distro == nil {
		return ""
	}
	return e.Distro.Family
}

// Repository is a third-party package source an environment adds.
type Repository struct {
	Name  string
	URL   string
	Range hcl.Range
}

// DescriptionLabel is the label key that carries an environment's description.
const DescriptionLabel = "org.opencontainers.image.description"

// Image is a container image reference.
type Image struct {
	// Ref is the reference as written in the spec, e.g. "ubuntu:20.04".
	Ref string
	// Canonical is the fully qualified form, e.g.
	// "docker.io/library/ubuntu:20.04" (a missing tag becomes "latest").
	Canonical string
	// DistroFromName is set when the image is the distribution's own
	// (its name tells the distribution, and any os attribute agrees), so
	// that a machine booted from the distribution's box starts from the
	// same system. It is false for an image that merely builds on a
	// distribution (os = "..." naming what its name does not say).
	DistroFromName bool
	Range          hcl.Range
}

// PackageManager names a distribution's package manager.
type PackageManager string

// The package managers envc knows how to drive.
const (
	Apt    PackageManager = "apt"
	Dnf    PackageManager = "dnf"
	Apk    PackageManager = "apk"
	Zypper PackageManager = "zypper"
)

// Distro describes the distribution inside the base image.
type Distro struct {
	// ID and Version are os-release style, e.g. "ubuntu" and "20.04".
	ID      string
	Version string
	// Codename is the release's name where it has one ("bookworm").
	Codename string
	// Family is "debian", "rhel", "fedora", "alpine" or "suse".
	Family  string
	Manager PackageManager
	// Box is the default Vagrant box for this distro; BoxURL, when set, is
	// where Vagrant downloads it from (Fedora).
	Box    string
	BoxURL string
}

// Step is one build step. The set of steps is closed: *InstallStep,
// *CopyStep, *EnvStep, *RunStep, *UserStep and *WorkdirStep.
type Step interface {
	// StepRange is where the step came from in the spec.
	StepRange() hcl.Range
	// StepTargets is nil for a step of every target, else the canonical
	// names (sorted, at least one) of the targets the step is for alone
	// (a step block's only or except).
	StepTargets() []string
	// StepPlatforms is nil for a step of every platform, else the
	// platforms (of Env.Platforms, in its order, at least one) the step
	// is for alone (a step block's platforms).
	StepPlatforms() []string
	step()
}

// InstallStep installs distribution packages with Manager, following the
// manager's non-interactive, no-recommends, clean-cache idiom.
type InstallStep struct {
	Manager  PackageManager
	Packages []string // non-empty, in author order
	// Recommends installs the packages' recommended (weak) dependencies
	// too; by default they are left out.
	Recommends bool
	Range      hcl.Range
	// Targets limits the step to some targets (see Step.StepTargets).
	Targets []string
	// Platforms limits the step to some platforms (see
	// Step.StepPlatforms).
	Platforms []string
}

// CopyStep copies one file from the build context, or a file or folder
// from a stage, into the environment.
type CopyStep struct {
	// Stage, when set, names the stage (of Env.Stages) the copy takes
	// Source from; Source is then an absolute path inside the stage, a
	// file or a folder (whose contents land in Target, as Docker's COPY
	// --from does).
	Stage string
	// Source is the file's path inside the build context, slash-separated
	// and relative (e.g. "files/intro.ipynb"), or, with Stage, the absolute
	// path in the stage.
	Source string
	// Target is the absolute destination path of the file.
	Target string
	// Mode is the permission bits of the target, e.g. 0o644. With Stage,
	// 0 keeps the modes the stage gave, and any other value applies to
	// every copied file and folder (as COPY --chmod).
	Mode uint32
	// Owner is the owning user; "" means root (with Stage: the owners the
	// stage gave are kept, as Docker's COPY --from keeps them).
	Owner string
	// Files is set for a copy of a folder of the build context: Source
	// is the folder, Files its entries (those the spec's include and
	// exclude patterns keep, with the folders that hold them), whose
	// ContextFiles are under Source. Their tree lands in Target, created
	// where missing, as a copy of a stage's folder lands (Mode is 0: each
	// file keeps its own mode; Owner, when set, owns what is copied).
	Files []FolderEntry
	Range hcl.Range
	// Targets limits the step to some targets (see Step.StepTargets).
	Targets []string
	// Platforms limits the step to some platforms (see
	// Step.StepPlatforms).
	Platforms []string
}

// EnvStep makes Vars visible to every later step and to the run command;
// with BuildOnly, to the later steps alone (Env.RunEnv leaves them out).
type EnvStep struct {
	Vars      []EnvVar
	BuildOnly bool
	Range     hcl.Range
	// Targets limits the step to some targets (see Step.StepTargets).
	Targets []string
	// Platforms limits the step to some platforms (see
	// Step.StepPlatforms).
	Platforms []string
}

// RunStep runs Command, a shell script, in the environment.
type RunStep struct {
	Command string
	// Shell is "sh" (the default) or "bash".
	Shell string
	// User runs the step; "" means root.
	User string
	// Workdir is the directory the step starts in; "" means "/".
	Workdir string
	// Env holds variables for this step alone, exported in order before
	// the command (references expand against the step's environment).
	Env []EnvVar
	// Source lists scripts the step sources first, each only when it
	// exists: the source attribute of the environment the step belongs
	// to, after those of the environments that one is built on (a step
	// inherited through from keeps the list of its own environment, so
	// that both builds share it). Env.Source is what the run command
	// sources, which a step need not.
	Source []string
	// Repository is set when the step adds this package source (a
	// repository block), for reports; the step's command does the work.
	Repository *Repository
	// Pip is set when the step installs Python packages (a pip block),
	// for the lock: the step's command does the work.
	Pip *PipInstall
	// Managed is set when the step installs packages with conda, pipx or
	// Julia (their blocks), for reports and the targets' warnings: the
	// step's command does the work.
	Managed *ManagedInstall
	Range   hcl.Range
	// Targets limits the step to some targets (see Step.StepTargets).
	Targets []string
	// Platforms limits the step to some platforms (see
	// Step.StepPlatforms).
	Platforms []string
}

// PipInstall is what a pip step installs, and where.
type PipInstall struct {
	// Location is "system" (the system's Python), "user:NAME" (pip
	// --user as NAME) or "venv:/PATH" (a virtual environment made first).
	Location string
	// Requirements are as the spec wrote them (name, extras, versions).
	Requirements []string
	// IndexURL replaces PyPI (--index-url); ExtraIndexURLs are searched
	// too (--extra-index-url), in order.
	IndexURL       string
	ExtraIndexURLs []string
	// TrustedHosts are hosts pip reads over plain HTTP
	// (--trusted-host).
	TrustedHosts []string
	// NoBinary names the projects built from source (--no-binary):
	// names, or ":all:" or ":none:".
	NoBinary []string
	// Constraints is the path in the image of the constraints file (-c),
	// copied there by an earlier step; "" for none.
	Constraints string
}

// ManagedInstall is what a conda, pipx or julia step installs, and with
// what.
type ManagedInstall struct {
	// Manager is "conda", "pipx" or "julia".
	Manager string
	// Tool is the program that installs: a path in the base image
	// ("/opt/conda/bin/conda", "/bin/micromamba",
	// "/usr/local/julia/bin/julia") when FromImage, else a program of the
	// distribution's package ("pipx").
	Tool string
	// FromImage says Tool comes with the base image, not with the
	// distribution: a machine that boots the distribution's box lacks it.
	FromImage bool
	// Prefix is where the packages land: the conda environment's prefix,
	// PIPX_HOME, the Julia depot.
	Prefix string
	// Packages are as the spec wrote them; Channels are conda's, in
	// order; File is the path in the image of the conda environment
	// file, copied there by an earlier step ("" for none).
	Packages []string
	Channels []string
	File     string
}

// UserStep makes sure the user Name exists, creating it (with a home
// directory, under /home unless Home says otherwise) when the image does
// not have it. An existing user is left as it is.
type UserStep struct {
	Name string
	// UID and GID are the user's and its primary group's numeric ids; 0
	// lets the system choose (a group named as the user). A GID that a
	// group already holds makes that group the primary one; otherwise a
	// group named as the user is made with it.
	UID, GID int
	// Home is the home directory; "" means /home/Name.
	Home string
	// Shell is the login shell; "" means the system's default.
	Shell string
	// Groups are supplementary groups, created when missing.
	Groups []string
	// TakeOver removes the user that holds UID (with its home and its own
	// group) before creating this one; UID is then not 0.
	TakeOver bool
	// ImageUID and ImageGID are the ids of the user of this name that the
	// base image is known to ship, which the container targets keep
	// (creating the user then creates nothing); 0 when envc knows of none.
	ImageUID, ImageGID int
	Range              hcl.Range
	// Targets limits the step to some targets (see Step.StepTargets).
	Targets []string
	// Platforms limits the step to some platforms (see
	// Step.StepPlatforms).
	Platforms []string
}

// WorkdirStep creates the directory Path (with its parents) when it does not
// exist yet, owned by Owner ("" means root).
type WorkdirStep struct {
	Path  string
	Owner string
	Range hcl.Range
	// Targets limits the step to some targets (see Step.StepTargets).
	Targets []string
	// Platforms limits the step to some platforms (see
	// Step.StepPlatforms).
	Platforms []string
}

func (s *InstallStep) StepRange() hcl.Range { return s.Range }
func (s *CopyStep) StepRange() hcl.Range    { return s.Range }
func (s *EnvStep) StepRange() hcl.Range     { return s.Range }
func (s *RunStep) StepRange() hcl.Range     { return s.Range }
func (s *UserStep) StepRange() hcl.Range    { return s.Range }
func (s *WorkdirStep) StepRange() hcl.Range { return s.Range }

func (s *InstallStep) StepTargets() []string { return s.Targets }
func (s *CopyStep) StepTargets() []string    { return s.Targets }
func (s *EnvStep) StepTargets() []string     { return s.Targets }
func (s *RunStep) StepTargets() []string     { return s.Targets }
func (s *UserStep) StepTargets() []string    { return s.Targets }
func (s *WorkdirStep) StepTargets() []string { return s.Targets }

func (s *InstallStep) StepPlatforms() []string { return s.Platforms }
func (s *CopyStep) StepPlatforms() []string    { return s.Platforms }
func (s *EnvStep) StepPlatforms() []string     { return s.Platforms }
func (s *RunStep) StepPlatforms() []string     { return s.Platforms }
func (s *UserStep) StepPlatforms() []string    { return s.Platforms }
func (s *WorkdirStep) StepPlatforms() []string { return s.Platforms }

func (*InstallStep) step() {}
func (*CopyStep) step()    {}
func (*EnvStep) step()     {}
func (*RunStep) step()     {}
func (*UserStep) step()    {}
func (*WorkdirStep) step() {}

// FolderEntry is one file or folder of a folder copy.
type FolderEntry struct {
	// Path is slash-separated and relative to the copied folder.
	Path string
	// Mode is the permission bits the entry has in the build context (a
	// folder: 0755).
	Mode uint32
	Dir  bool
}

// KeyValue is one ordered key and literal value.
type KeyValue struct {
	Key   string
	Value string
	Range hcl.Range
}

// EnvVar is one environment variable. Its value may refer to variables set
// earlier (or by the base image).
type EnvVar struct {
	Name  string
	Value Word
	Range hcl.Range
}

// RunVar is one variable of the run command alone.
type RunVar struct {
	Name     string
	Value    Word
	Required bool
	Range    hcl.Range
}

// Word is a value made of literal text and variable references, in order.
// Adjacent parts are never both literals.
type Word []WordPart

// WordPart is either literal text (Ref == "") or a reference to the variable
// named Ref (Lit == "").
type WordPart struct {
	Lit string
	Ref string
}

// IsLiteral reports whether w has no references.
func (w Word) IsLiteral() bool {
	for _, p := range w {
		if p.Ref != "" {
			return false
		}
	}
	return true
}

// Expand returns w with every reference replaced by lookup's result (by ""
// when lookup is nil).
func (w Word) Expand(lookup func(name string) string) string {
	var b strings.Builder
	for _, p := range w {
		if p.Ref != "" {
			if lookup != nil {
				b.WriteString(lookup(p.Ref))
			}
		} else {
			b.WriteString(p.Lit)
		}
	}
	return b.String()
}

// String renders w in envc's own notation: references as ${NAME}, a literal
// "$" as "$$". ParseWord(w.String()) equals w.
func (w Word) String() string {
	var b strings.Builder
	for _, p := range w {
		if p.Ref != "" {
			b.WriteString("${" + p.Ref + "}")
		} else {
			b.WriteString(strings.ReplaceAll(p.Lit, "$", "$$"))
		}
	}
	return b.String()
}

// Port is one published port.
type Port struct {
	Guest int
	Host  int
	// HostIP is the host address to bind; "" means all.
	HostIP string
	// Protocol is "tcp" or "udp".
	Protocol string
	Range    hcl.Range
}

// Mount is one bind mount of a host directory.
type Mount struct {
	// Source is the host path relative to the environment's output folder,
	// slash-separated (e.g. "../.."), or absolute when the spec gave an
	// absolute path.
	Source   string
	Target   string
	ReadOnly bool
	Range    hcl.Range
}

// VM holds virtual machine settings. Zero values mean "provider default".
type VM struct {
	Box        string
	BoxVersion string
	BoxURL     string
	CPUs       int
	Memory     int // MiB
	Name       string
	// GUI shows the machine's display in a window (VirtualBox's gui).
	GUI bool
	// Reboot restarts the machine once provisioning is done (so that a
	// new kernel or group membership takes effect).
	Reboot bool
	// ForwardAgent forwards the host's ssh agent into vagrant ssh
	// sessions (config.ssh.forward_agent).
	ForwardAgent bool
	// VirtualBox and Libvirt are the options of one provider alone.
	VirtualBox VirtualBox
	Libvirt    Libvirt
	Range      hcl.Range
}

// VirtualBox holds options of the VirtualBox provider; zero values mean
// its defaults.
type VirtualBox struct {
	// LinkedClone makes the machine a linked clone of the box's disk.
	LinkedClone bool
	// DefaultNICType is the type of every network card ("virtio",
	// "82540EM", ...); "" for VirtualBox's own choice.
	DefaultNICType string
}

// Libvirt holds options of the libvirt provider; zero values mean its
// defaults.
type Libvirt struct {
	// Driver is "kvm" or "qemu" (emulation, without hardware
	// virtualisation); "" for kvm.
	Driver string
	// CPUMode is "host-model", "host-passthrough" or "custom"; "" for
	// the provider's default.
	CPUMode string
	// Nested enables nested virtualisation.
	Nested bool
}

// Declared reports whether the spec gives the settings (a vm block): a
// target without machines reports them ignored. A box version that only
// a lock file gives (with no vm block) is not declared.
func (v VM) Declared() bool {
	w := v
	w.BoxVersion = ""
	return w != (VM{}) || (v.BoxVersion != "" && v.Range != (hcl.Range{}))
}

// ContextFile is a file the build context must hold.
type ContextFile struct {
	// HostPath is where the file is on the host, as the caller can open it.
	// Emitters must never write it into an output.
	HostPath string
	// ContextPath is the slash-separated path inside the output folder.
	ContextPath string
}

// Module is one call of a module file.
type Module struct {
	// Call names the call as an expression would: module.NAME, with
	// ["KEY"] for an instance of a for_each, an inner call after its
	// outer one (module.mpi.module.hwloc).
	Call string
	// Source is the module file, slash-separated and relative to the
	// spec's folder.
	Source string
	// Steps counts the steps the call made, its inner calls' included.
	Steps int
	Range hcl.Range
}
