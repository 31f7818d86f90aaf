package effective

import (
	"fmt"
	"slices"
	"sort"

	"github.com/envc-dev/envc/compiler/ir"
)

// Env is an environment as built: what every target must agree on.
type Env struct {
	// Name is the environment's name (not compared).
	Name string
	// Base is the canonical reference of the base image
	// (docker.io/library/debian:bookworm), "" when a target has none.
	Base string
	// Steps is the build, in order.
	Steps []Step
	// Stages are the throwaway builds copies take files from, sorted by
	// name (SortStages: a target that builds by need, as BuildKit does,
	// has no declaration order): each has Name, Base and Steps only.
	Stages []Env
	// Platforms are the platforms built for, sorted; nil for the
	// builder's own.
	Platforms []string
	// RunEnv is the variables the spec sets, as the run command sees
	// them, sorted by name.
	RunEnv []Var
	// User is the run-time user ("" = the default, root).
	User string
	// Workdir is the run command's directory ("" = the default, "/").
	Workdir string
	// Run is the run command's argv (the entrypoint's default arguments
	// when there is one); nil for none.
	Run []string
	// Entrypoint is the program every start runs; nil for none.
	Entrypoint []string
	// Init is set when a minimal init runs as PID 1.
	Init bool
	// Ports and Mounts are the IR's, with zero ranges: a view has no
	// positions in the spec.
	Ports  []ir.Port
	Mounts []ir.Mount
	// Labels are sorted by key (a later label with the same key wins).
	Labels []Label
	VM     VM
	// GPU, Healthcheck and HPC are the run-time contract's, with zero
	// ranges; nil for none.
	GPU         *ir.GPU
	Healthcheck *ir.Healthcheck
	HPC         *ir.HPC
}

// Step is one build step of a view. The set is closed, one kind per kind
// of ir.Step: InstallStep, CopyStep, EnvStep, RunStep, UserStep and
// WorkdirStep. Steps are values, so that two views compare field by field.
type Step interface {
	// Construct is the spec construct the step comes from: "packages",
	// "file", "env", "setup", "user" or "workdir".
	Construct() string
	viewStep()
}

// InstallStep installs distribution packages; Recommends their weak
// dependencies too.
type InstallStep struct {
	Manager    ir.PackageManager
	Packages   []string
	Recommends bool
	// Platforms are the platforms the step is for alone, sorted; nil for
	// every platform.
	Platforms []string
}

// CopyStep copies a build context file (Source is its path in the
// context) or, with Stage, a file or folder of that stage (Source is the
// absolute path in it) to Target, with Mode (0 with Stage keeps the
// stage's modes) and Owner ("" = root; with Stage, "" keeps the stage's
// owners). Folder says Source is a folder of the build context, whose
// files keep their modes (Mode is 0).
type CopyStep struct {
	Stage  string
	Source string
	Target string
	Mode   Mode
	Owner  string
	Folder bool
}

// EnvStep sets Vars, in order, for every later step.
type EnvStep struct {
	Vars []Var
}

// RunStep runs Command with Shell ("sh" or "bash") as User ("" = root) in
// Workdir ("" = "/"). Env is the variables set so far, sorted; Scoped are
// the step's own variables, exported in order before Command (their
// values expand when the step runs); Sourced are the scripts it sources
// first, where they exist.
type RunStep struct {
	Command string
	Shell   string
	User    string
	Workdir string
	Env     []Var
	Scoped  []Var
	Sourced []string
	// Platforms are the platforms the step is for alone, sorted; nil for
	// every platform.
	Platforms []string
}

// UserStep makes sure the user Name exists, with its attributes (0 and ""
// for the system's choice).
type UserStep struct {
	Name       string
	UID, GID   int
	Home       string
	LoginShell string
	Groups     []string
	// TakeOver removes the user holding UID first.
	TakeOver bool
}

// WorkdirStep creates the directory Path, owned by Owner ("" = root).
type WorkdirStep struct {
	Path  string
	Owner string
}

func (InstallStep) Construct() string { return "packages" }
func (CopyStep) Construct() string    { return "file" }
func (EnvStep) Construct() string     { return "env" }
func (RunStep) Construct() string     { return "setup" }
func (UserStep) Construct() string    { return "user" }
func (WorkdirStep) Construct() string { return "workdir" }

func (InstallStep) viewStep() {}
func (CopyStep) viewStep()    {}
func (EnvStep) viewStep()     {}
func (RunStep) viewStep()     {}
func (UserStep) viewStep()    {}
func (WorkdirStep) viewStep() {}

// Mode is a file's permission bits.
type Mode uint32

// String renders the bits as 4-digit octal.
func (m Mode) String() string { return fmt.Sprintf("%04o", uint32(m)) }

// Var is one variable with its effective value (see the package doc): a
// canonical word (adjacent literals joined, no empty part) whose
// references are the base image's variables.
type Var struct {
	Name  string
	Value ir.Word
}

// Label is one label.
type Label struct {
	Key   string
	Value string
}

// VM is the virtual machine: the box it boots, its resources, its
// display, ssh and reboot settings, and each provider's own options.
type VM struct {
	Box          string
	BoxVersion   string
	BoxURL       string
	CPUs         int
	Memory       int
	Name         string
	GUI          bool
	Reboot       bool
	ForwardAgent bool
	VirtualBox   ir.VirtualBox
	Libvirt      ir.Libvirt
}

// WithPlatforms returns s limited to platforms (sorted; nil for every
// platform): an InstallStep or a RunStep, the steps a platform limits.
func WithPlatforms(s Step, platforms []string) Step {
	if platforms != nil {
		platforms = slices.Clone(platforms)
		slices.Sort(platforms)
	}
	switch st := s.(type) {
	case InstallStep:
		st.Platforms = platforms
		return st
	case RunStep:
		st.Platforms = platforms
		return st
	}
	return s
}

// StepPlatforms returns the platforms s is for alone; nil for every
// platform.
func StepPlatforms(s Step) []string {
	switch st := s.(type) {
	case InstallStep:
		return st.Platforms
	case RunStep:
		return st.Platforms
	}
	return nil
}

// SortLabels sorts labels by key, keeping the last of equal keys.
func SortLabels(in []Label) []Label {
	byKey := map[string]string{}
	for _, l := range in {
		byKey[l.Key] = l.Value
	}
	if len(byKey) == 0 {
		return nil
	}
	out := make([]Label, 0, len(byKey))
	for k, v := range byKey {
		out = append(out, Label{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// SortStages sorts stages by name.
func SortStages(stages []Env) {
	sort.SliceStable(stages, func(i, j int) bool { return stages[i].Name < stages[j].Name })
}

// SortVars sorts vars by name, keeping the last of equal names.
func SortVars(in []Var) []Var {
	byName := map[string]ir.Word{}
	for _, v := range in {
		byName[v.Name] = v.Value
	}
	if len(byName) == 0 {
		return nil
	}
	out := make([]Var, 0, len(byName))
	for k, v := range byName {
		out = append(out, Var{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RootUser returns "" for the root user, the default, and u otherwise.
func RootUser(u string) string {
	if u == "root" || u == "0" {
		return ""
	}
	return u
}

// RootOwner returns the owner of a folder as RootUser does, with a uid
// alone written as uid:uid, the group BuildKit gives a folder made after
// USER uid.
func RootOwner(u string) string {
	if uid, _, hasGID, ok := ir.NumericUser(u); ok && !hasGID && uid != 0 {
		return u + ":" + u
	}
	return RootUser(u)
}

// RootDir returns "" for "/", the default directory, and d otherwise.
func RootDir(d string) string {
	if d == "/" {
		return ""
	}
	return d
}
