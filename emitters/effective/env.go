package effective

import (
	"fmt"
	"sort"
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
	Init   bool
	Ports  []Port
	Mounts []Mount
	// Labels are sorted by key (a later label with the same key wins).
	Labels []Label
	VM     VM
}

// The kinds of Step, one per kind of ir.Step.
const (
	KindInstall = "install"
	KindCopy    = "copy"
	KindEnv     = "env"
	KindRun     = "run"
	KindUser    = "user"
	KindWorkdir = "workdir"
)

// Step is one build step. Kind says which fields are used.
type Step struct {
	Kind string

	// Manager, Packages and Recommends (weak dependencies too): an
	// install step.
	Manager    string
	Packages   []string
	Recommends bool

	// Source (the build context path, or with Stage the absolute path in
	// that stage), Target, Mode (4-digit octal; "" keeps a stage's modes)
	// and Owner ("" = root): a copy step.
	Stage  string
	Source string
	Target string
	Mode   string
	// Owner is a copy's or a workdir's owner ("" = root).
	Owner string

	// Vars: an env step, what it sets, in order.
	Vars []Var

	// Command, Shell ("sh" or "bash"), User ("" = root), Workdir ("" =
	// "/") and Env (the variables set so far, sorted): a run step.
	Command string
	Shell   string
	User    string
	Workdir string
	Env     []Var
	// Scoped are the step's own variables, exported in order before
	// Command (values as words: ${NAME} expands when the step runs).
	Scoped []Var
	// Sourced are the scripts the step sources first, where they exist.
	Sourced []string

	// Name: a user step, the user it makes sure exists, with its
	// attributes (0 and "" for the system's choice).
	Name       string
	UID, GID   int
	Home       string
	LoginShell string
	Groups     []string

	// Path: a workdir step, the directory it creates (with Owner).
	Path string
}

// Var is one variable with its effective value (see the package doc).
type Var struct {
	Name  string
	Value string
}

// Port is one published port. Host is 0 and HostIP "" where a target
// only declares the guest port.
type Port struct {
	Guest    int
	Host     int
	HostIP   string
	Protocol string
}

// Mount is one bind mount; Source is relative to the environment's output
// folder (or absolute), "" where a target only declares the target.
type Mount struct {
	Source   string
	Target   string
	ReadOnly bool
}

// Label is one label.
type Label struct {
	Key   string
	Value string
}

// VM is the virtual machine: the box it boots and its resources.
type VM struct {
	Box        string
	BoxVersion string
	BoxURL     string
	CPUs       int
	Memory     int
	Name       string
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
	byName := map[string]string{}
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

// RootDir returns "" for "/", the default directory, and d otherwise.
func RootDir(d string) string {
	if d == "/" {
		return ""
	}
	return d
}

// Mode renders permission bits as 4-digit octal.
func Mode(m uint32) string { return fmt.Sprintf("%04o", m) }
