package vagrant

import (
	"fmt"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
)

// The files the emitter writes, relative to the environment's folder.
const (
	VagrantfileName = "Vagrantfile"
	BootstrapName   = "bootstrap.sh"
)

// New returns the Vagrant emitter.
func New() emitters.Emitter { return emitter{} }

type emitter struct{}

func (emitter) Name() string      { return "vagrant" }
func (emitter) Aliases() []string { return nil }
func (emitter) Summary() string {
	return "Vagrant machine (" + VagrantfileName + " + " + BootstrapName + ") for VirtualBox or libvirt"
}

// Paths are where bootstrap.sh puts things in the machine. Emit derives
// them from the environment's name with GuestPaths; tests point them
// elsewhere to run the generated scripts outside a machine.
type Paths struct {
	// Stage is the folder the file provisioners upload the build context
	// to (as the ssh user), removed by bootstrap.sh after the steps.
	Stage string
	// Profile is the login-shell script that exports the environment's
	// variables.
	Profile string
	// Labels is the JSON file that records the labels.
	Labels string
	// Wrapper is the run wrapper, `<env>-run`.
	Wrapper string
}

// GuestPaths returns the paths used in the machine for the environment
// called name.
func GuestPaths(name string) Paths {
	return Paths{
		Stage:   "/tmp/envc-" + name,
		Profile: "/etc/profile.d/envc-" + name + ".sh",
		Labels:  "/etc/envc/" + name + "/labels.json",
		Wrapper: "/usr/local/bin/" + name + "-run",
	}
}

// WrapperName returns the command name of the run wrapper installed for
// the environment called name: `vagrant ssh -c NAME-run`.
func WrapperName(name string) string { return name + "-run" }

// envName is the form of an environment name (ir.Env.Name). The name ends
// up unquoted in paths Vagrant hands to a guest shell (the file
// provisioner's destination), so it is checked again here.
var envName = lazyre.New(`^[a-z0-9][a-z0-9._-]*$`)

// emission holds the state of one Emit call.
type emission struct {
	env   *ir.Env
	paths Paths
	diags hcl.Diagnostics
	// staged maps each copy step to the path its file is uploaded to;
	// stageStaged does for each stage's copies, by stage name.
	staged      map[*ir.CopyStep]string
	stageStaged map[string]map[*ir.CopyStep]string
	// badVars holds the env vars already reported as unwritable.
	badVars map[string]bool
}

// Emit writes the Vagrantfile and bootstrap.sh for env.
func (emitter) Emit(env *ir.Env, opts emitters.Options) (*emitters.Output, hcl.Diagnostics) {
	return emit(env, GuestPaths(env.Name), opts.BaseEnv)
}

func emit(env *ir.Env, paths Paths, baseEnv []string) (*emitters.Output, hcl.Diagnostics) {
	e := &emission{env: env, paths: paths, staged: map[*ir.CopyStep]string{}, stageStaged: map[string]map[*ir.CopyStep]string{}, badVars: map[string]bool{}}
	if !envName().MatchString(env.Name) {
		e.diags = append(e.diags, emitters.Errorf(env.DeclRange, "Invalid environment name", "The environment name %q cannot be used in a Vagrant machine's paths: it must match [a-z0-9][a-z0-9._-]*.", env.Name))
		return nil, e.diags
	}
	e.diags = append(e.diags, emitters.InsideFolder(env, paths.Stage, "in which the machine's provisioning stages the files it copies, and which it removes when done")...)
	vagrantfile := e.vagrantfile()
	bootstrap := e.bootstrap()
	var stages []string
	for _, st := range env.Stages {
		stages = append(stages, e.stageScript(st))
		e.diags = append(e.diags, emitters.RuleVagrantStageFlattened.Warn(st.DeclRange, fmt.Sprintf("%q", st.Name)))
	}
	e.warnings(baseEnv)
	if e.diags.HasErrors() {
		return nil, e.diags
	}
	out := &emitters.Output{}
	out.Add(VagrantfileName, []byte(vagrantfile), 0o644)
	out.Add(BootstrapName, []byte(bootstrap), 0o755)
	for i, st := range env.Stages {
		out.Add(StageScriptName(st.Name), []byte(stages[i]), 0o755)
	}
	return out, e.diags
}

// uidBoxWarning returns vagrant-user-uid-box for user step u, saying what
// bootstrap.sh does with it (userCommand) and what a container does (keep
// the base image's own user of that name, or create it), or nil when the
// machine gives the user the ids a container of the base image gives it.
func uidBoxWarning(u *ir.UserStep) *hcl.Diagnostic {
	if u.Name == boxUser {
		// The box's own user: id -u finds it and nothing is created, so
		// it keeps the box's ids, the ones asked for or others.
		var asked []string
		if u.UID != 0 && u.UID != boxUID {
			asked = append(asked, fmt.Sprintf("uid %d", u.UID))
		}
		if u.GID != 0 && u.GID != boxUID {
			asked = append(asked, fmt.Sprintf("gid %d", u.GID))
		}
		// The account is kept as it is: its home (/home/vagrant) and
		// shell (bash, as Vagrant's box conventions have it) too; it
		// joins the groups asked for.
		if u.Home != "" && u.Home != "/home/"+boxUser {
			asked = append(asked, "home "+u.Home)
		}
		if u.Shell != "" && u.Shell != "/bin/bash" {
			asked = append(asked, "shell "+u.Shell)
		}
		if len(asked) == 0 {
			return nil
		}
		what := ir.Series(asked)
		return emitters.RuleVagrantUserUIDBox.Warn(u.Range, fmt.Sprintf("The user %q has %s", u.Name, what),
			"this user is the box's own, which bootstrap.sh keeps as it is (it joins the groups asked for): uid and gid 1000, home /home/vagrant and shell bash", "gives it "+what,
			"Leave out uid, gid, home and shell, or give the box's (1000, /home/vagrant, /bin/bash), to have the same user everywhere, or give the user another name.")
	}
	if u.UID != 0 && u.UID != boxUID {
		return nil
	}
	// The group as EnsureUserCommand and EnsureUserIfFreeCommand make it:
	// none asked, or a gid equal to a uid another account holds, gives a
	// group of the user's own; another gid is the primary group's, made
	// when missing.
	group := "a group of its own"
	switch {
	case u.GID == 0 || u.UID == boxUID && u.GID == boxUID:
	case u.GID == boxUID:
		group = "joins the box's vagrant group, which has gid 1000 as asked"
	default:
		group = fmt.Sprintf("joins the group with gid %d, as asked", u.GID)
	}
	machine := "this user gets the next free uid (1001 for the first such user) and " + group
	if u.UID == 0 && u.ImageUID != 0 {
		// A user the base image ships: creating it finds it in a
		// container, and creates it on the machine, which boots a box.
		ids := fmt.Sprintf("uid %d and gid %d", u.ImageUID, u.ImageGID)
		fix := fmt.Sprintf("Add a user block for %q with uid = %d and gid = %d to give it the image's ids on the machine too.", u.Name, u.ImageUID, u.ImageGID)
		if u.ImageUID == boxUID {
			fix = fmt.Sprintf("The machine cannot give it uid %d, which the box's vagrant user holds.", boxUID)
		}
		return emitters.RuleVagrantUserUIDBox.Warn(u.Range, fmt.Sprintf("The user %q is the base image's own, with %s", u.Name, ids),
			"which boots the distribution's box and not the image, bootstrap.sh creates this user with the next free uid (1001 for the first such user) and "+group,
			"keeps the image's user as it is, with "+ids, fix)
	}
	const fix = "Give the user a uid other than 1000 (e.g. uid = 1001) to have the same one everywhere."
	if u.UID == 0 {
		return emitters.RuleVagrantUserUIDBox.Warn(u.Range, fmt.Sprintf("The user %q has no uid", u.Name), machine, "gives it the first free uid, 1000 on most images", fix)
	}
	return emitters.RuleVagrantUserUIDBox.Warn(u.Range, fmt.Sprintf("The user %q has uid %d", u.Name, u.UID), machine, fmt.Sprintf("gives it %d", u.UID), fix)
}

// warnings raises the rules for what Vagrant cannot express.
func (e *emission) warnings(baseEnv []string) {
	for _, r := range emitters.UnknownRefs(e.env, baseEnv) {
		e.diags = append(e.diags, emitters.RuleVagrantEnvRefRunTime.Warn(r.Var.Range, fmt.Sprintf("%s refers to ${%s}", r.Var.Name, r.Ref)))
	}
	if e.env.VM.GUI {
		e.diags = append(e.diags, emitters.RuleVagrantVMGUIVirtualBoxOnly.Warn(e.env.VM.Range))
	}
	if e.env.VM.Name != "" {
		e.diags = append(e.diags, emitters.RuleVagrantVMNameVirtualBoxOnly.Warn(e.env.VM.Range, fmt.Sprintf("%q", e.env.VM.Name)))
	}
	if vars := e.env.RunVars; len(vars) > 0 {
		var names []string
		for _, v := range vars {
			names = append(names, v.Name)
		}
		e.diags = append(e.diags, emitters.RuleVagrantRunEnvCaller.Warn(vars[0].Range, strings.Join(names, ", "), WrapperName(e.env.Name)))
	}
	for _, st := range e.env.Steps {
		if u, ok := st.(*ir.UserStep); ok {
			if d := uidBoxWarning(u); d != nil {
				e.diags = append(e.diags, d)
			}
		}
	}
	for _, p := range e.env.Ports {
		if p.Host < 1024 {
			e.diags = append(e.diags, emitters.RuleVagrantPortPrivileged.Warn(p.Range, fmt.Sprint(p.Host)))
		}
	}
	// The description alone is written where a reader of the Vagrantfile
	// looks for it (a comment): only labels, which tools read from an
	// image, are lost.
	for _, l := range e.env.Labels {
		if l.Key != ir.DescriptionLabel {
			e.diags = append(e.diags, emitters.RuleVagrantLabelsRecorded.Warn(l.Range, e.paths.Labels))
			break
		}
	}
	if g := e.env.GPU; g != nil {
		e.diags = append(e.diags, emitters.RuleVagrantGPUUnsupported.Warn(g.Range))
	}
	if h := e.env.Healthcheck; h != nil {
		e.diags = append(e.diags, emitters.RuleVagrantHealthcheckIgnored.Warn(h.Range, shell.Join([]string{"vagrant", "ssh", "-c", shell.Join(h.Test)})))
	}
	if h := e.env.HPC; h != nil {
		e.diags = append(e.diags, emitters.RuleVagrantHPCIgnored.Warn(h.Range))
	}
	if len(e.env.Platforms) > 0 {
		e.diags = append(e.diags, emitters.RuleVagrantPlatformsIgnored.Warn(e.env.PlatformsRange, strings.Join(e.env.Platforms, ", ")))
	}
	for _, env := range append(append([]*ir.Env(nil), e.env.Stages...), e.env) {
		for _, s := range env.Steps {
			if r, ok := s.(*ir.RunStep); ok && r.Managed != nil && r.Managed.FromImage {
				rule := emitters.RuleVagrantCondaFromImage
				if r.Managed.Manager == "julia" {
					rule = emitters.RuleVagrantJuliaFromImage
				}
				e.diags = append(e.diags, rule.Warn(r.Range, r.Managed.Tool, fmt.Sprintf("%q", env.Base.Ref)))
			}
		}
	}
	if base := e.env.Base; base.Ref != "" && !base.DistroFromName {
		box := e.env.VM.Box
		if box == "" && e.env.Distro != nil {
			box = e.env.Distro.Box
		}
		e.diags = append(e.diags, emitters.RuleVagrantBaseNotImage.Warn(base.Range, fmt.Sprintf("%q", box), fmt.Sprintf("%q", base.Ref)))
	}
}

// ruby returns s as a Ruby literal, or records an error at rng.
func (e *emission) ruby(s string, rng hcl.Range, what string) string {
	lit, err := rubyString(s)
	if err != nil {
		e.diags = append(e.diags, emitters.Errorf(rng, "Value cannot be written", "The %s %q cannot be written in a Vagrantfile: %v.", what, s, err))
		return "''"
	}
	return lit
}

// word returns s as one sh word, or records an error at rng.
func (e *emission) word(s string, rng hcl.Range, what string) string {
	q, err := shell.Quote(s)
	if err != nil {
		e.diags = append(e.diags, emitters.Errorf(rng, "Value cannot be written", "The %s %q cannot be written in bootstrap.sh: %v.", what, s, err))
		return "''"
	}
	return q
}

// shellSafe reports whether every one of vals can be quoted for sh,
// recording an error at rng for the first that cannot. Commands from
// package shell panic on such values.
func (e *emission) shellSafe(rng hcl.Range, what string, vals ...string) bool {
	for _, v := range vals {
		if _, err := shell.Quote(v); err != nil {
			e.diags = append(e.diags, emitters.Errorf(rng, "Value cannot be written", "The %s %q cannot be written in bootstrap.sh: %v.", what, v, err))
			return false
		}
	}
	return true
}
