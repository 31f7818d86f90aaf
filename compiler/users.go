package compiler

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// userState is what the step blocks know of the users (see lowerSteps).
type userState struct {
	// declared holds the step creating each user of a valid user block.
	declared map[string]*ir.UserStep
	// made holds the users that exist: those the environment built on
	// creates, and those created by a step so far.
	made map[string]bool
	// created holds the users this environment's steps create.
	created map[string]bool
	// run is the name of the run user; "" for none or root, and for a run
	// user given by ids that no user block has.
	run string
	// homes are the homes of the users the spec creates, sorted by name.
	homes []userHome
}

// newUserState lowers the user blocks and returns what the step blocks
// start from.
func (el *envLowerer) newUserState() userState {
	u := userState{declared: el.lowerUsers(), made: map[string]bool{}, created: map[string]bool{}}
	if el.parent != nil {
		u.made = madeUsers(el.parent.Steps)
	}
	u.run = el.runUserName(u.declared)
	u.homes = homesOf(u.run, u.declared)
	return u
}

// runUserName returns the name of the run user: the user attribute's
// name, or for ids the name of the user block with that uid. A uid that
// neither a user block, an earlier environment nor the base image gives
// an account is warned about.
func (el *envLowerer) runUserName(declared map[string]*ir.UserStep) string {
	user := el.env.User
	uid, _, _, numeric := ir.NumericUser(user)
	switch {
	case user == "root" || (numeric && uid == 0):
		return ""
	case !numeric:
		return user
	}
	for _, b := range el.e.Users {
		if d := declared[b.Name]; d != nil && d.UID == uid {
			return b.Name
		}
	}
	for _, k := range el.knownUsers() {
		if k.UID == uid {
			return ""
		}
	}
	el.warn(LintRunUserNoAccount, el.env.UserRange,
		"No user block has uid %d, and envc knows of no such user in %s: the run command then runs without an account "+
			"(no name, and HOME is /), and the VM's sudo refuses an id it does not know. Add a user block with uid = %d.", uid, strconv.Quote(el.env.Base.Ref), uid)
	return ""
}

// knownUsers returns the users with ids that the environment starts with:
// those its base image is known to ship (less those a step took the id
// of), and those the environment it builds on creates with a uid.
func (el *envLowerer) knownUsers() []schema.BaseUser {
	var users []schema.BaseUser
	if ref, ok := schema.ParseImageRef(el.env.Base.Ref); ok {
		users = schema.ImageUsers(ref)
	}
	if el.parent == nil {
		return users
	}
	for _, s := range el.parent.Steps {
		u, ok := s.(*ir.UserStep)
		if !ok || u.UID == 0 {
			continue
		}
		if u.TakeOver {
			users = slices.DeleteFunc(users, func(k schema.BaseUser) bool { return k.UID == u.UID })
		}
		users = append(users, schema.BaseUser{Name: u.Name, UID: u.UID, GID: u.GID})
	}
	return users
}

// checkImageUser reports a user block for a user the base image is known
// to ship that asks for what the image's account does not have: the
// container targets keep the image's account as it is (creating it
// creates nothing), while a machine, booting a box, would create it as
// the block says.
func (el *envLowerer) checkImageUser(b *schema.User, u *ir.UserStep) bool {
	k, ok := el.imageUser(u.Name)
	if !ok || el.parent != nil {
		return true
	}
	var asked []string
	var at hcl.Range
	add := func(a *hcl.Attribute, what string) {
		if len(asked) == 0 {
			at = a.Expr.Range()
		}
		asked = append(asked, what)
	}
	if u.UID != 0 && u.UID != k.UID {
		add(b.UID, "uid = "+strconv.Itoa(u.UID))
	}
	if u.GID != 0 && u.GID != k.GID {
		add(b.GID, "gid = "+strconv.Itoa(u.GID))
	}
	for _, a := range []struct {
		attr *hcl.Attribute
		name string
	}{{b.Home, "home"}, {b.Shell, "shell"}, {b.Groups, "groups"}} {
		if a.attr != nil {
			add(a.attr, a.name)
		}
	}
	if len(asked) == 0 {
		return true
	}
	list, them := ir.Series(asked), "it"
	if len(asked) > 1 {
		them = "them"
	}
	el.errorf(at, "User of the base image",
		"The base image %q ships the user %q with uid %d and gid %d, and the container targets keep that account as it is, "+
			"so this block's %s would hold on a machine alone. Leave %s out (uid = %d and gid = %d may stay), "+
			"or name a user of your own.", el.env.Base.Ref, u.Name, k.UID, k.GID, list, them, k.UID, k.GID)
	return false
}

// checkIDClash reports a user block whose uid a user the environment
// starts with already holds (useradd then fails in every target), unless
// the block takes the id over; and a uid two blocks give.
func (el *envLowerer) checkIDClash(b *schema.User, u *ir.UserStep, uids map[int]*schema.User) bool {
	if u.UID == 0 {
		return true
	}
	if prev := uids[u.UID]; prev != nil {
		el.errorf(b.UID.Expr.Range(), "Duplicate uid",
			"The uid %d is already given to %q at %s. Give each user its own uid.", u.UID, prev.Name, prev.NameRange)
		return false
	}
	uids[u.UID] = b
	if u.TakeOver {
		return true
	}
	for _, k := range el.knownUsers() {
		if k.UID != u.UID || k.Name == u.Name {
			continue
		}
		where := "The base image " + strconv.Quote(el.env.Base.Ref)
		if el.parent != nil {
			where = "The environment this one builds on"
		}
		el.errorf(b.UID.Expr.Range(), "Uid already taken",
			"%s has the user %q with uid %d, so creating %q with it fails in the container targets. "+
				"Add take_over_id = true to this user block to remove %q (and its home) first, or choose another uid.",
			where, k.Name, k.UID, u.Name, k.Name)
		return false
	}
	return true
}

// madeUsers returns the users the steps create.
func madeUsers(steps []ir.Step) map[string]bool {
	made := map[string]bool{}
	for _, s := range steps {
		if u, ok := s.(*ir.UserStep); ok {
			made[u.Name] = true
		}
	}
	return made
}

// createUser appends the step creating the user name: its user block's,
// or a plain one for the run user.
func (el *envLowerer) createUser(name string) {
	el.createUserAt(name, el.env.UserRange)
}

// createUserAt is createUser, with rng the range of a plain user's step.
// A user the base image ships keeps its ids there (ImageUID, ImageGID).
func (el *envLowerer) createUserAt(name string, rng hcl.Range) {
	el.users.made[name], el.users.created[name] = true, true
	step := &ir.UserStep{Name: name, Range: rng}
	if d, ok := el.users.declared[name]; ok {
		step = d
	}
	if k, ok := el.imageUser(name); ok {
		step.ImageUID, step.ImageGID = k.UID, k.GID
	}
	el.env.Steps = append(el.env.Steps, step)
}

// ensureUser makes sure user exists before the step that needs it (at
// rng): it creates a user the spec declares or the base image is known
// to ship (which the container targets keep, and a machine booting a box
// lacks), and warns about any other.
func (el *envLowerer) ensureUser(user string, rng hcl.Range) {
	u := el.users
	switch {
	case user == "" || user == "root" || u.made[user]:
	case user == u.run || u.declared[user] != nil:
		el.createUser(user)
	case el.imageShips(user):
		el.createUserAt(user, rng)
	default:
		el.warn(LintStepUserNotCreated, rng,
			"envc creates only the run user (the environment's user attribute) and the users of user blocks, so %q must come with the base image or "+
				"from an earlier step; otherwise every target fails at this step. Add a user block for %q, or create it in an earlier step.", user, user)
	}
}

// imageShips reports whether the base image is known to ship the user
// name (schema.ImageUsers).
func (el *envLowerer) imageShips(name string) bool {
	_, ok := el.imageUser(name)
	return ok
}

// imageUser returns the user name as the base image ships it, when envc
// knows it does.
func (el *envLowerer) imageUser(name string) (schema.BaseUser, bool) {
	ref, ok := schema.ParseImageRef(el.env.Base.Ref)
	if !ok {
		return schema.BaseUser{}, false
	}
	for _, k := range schema.ImageUsers(ref) {
		if k.Name == name {
			return k, true
		}
	}
	return schema.BaseUser{}, false
}

// createRemainingUsers creates the users no step needed, in declaration
// order, the run user last, and reports a user block for a user that the
// environment built on already creates.
func (el *envLowerer) createRemainingUsers() {
	u := el.users
	for _, b := range el.e.Users {
		d := u.declared[b.Name]
		if d != nil && u.made[b.Name] && !u.created[b.Name] {
			el.errorf(b.NameRange, "User already created",
				"The user %q is created by %s, which this %s builds on; a user's attributes cannot change afterwards. Remove this user block, or change the user there.", b.Name, exprText(el.e.From), kindOf(el.e))
			continue
		}
		if d != nil && !u.made[b.Name] && b.Name != u.run {
			el.createUser(b.Name)
		}
	}
	if u.run != "" && !u.made[u.run] {
		el.createUser(u.run)
	}
}

// lowerUsers evaluates the user blocks into the steps that create them.
func (el *envLowerer) lowerUsers() map[string]*ir.UserStep {
	users := map[string]*ir.UserStep{}
	seen := map[string]hcl.Range{}
	uids := map[int]*schema.User{}
	for _, b := range el.e.Users {
		if prev, dup := seen[b.Name]; dup {
			el.errorf(b.NameRange, "Duplicate user block", "The user %q is already declared at %s. Merge the two blocks.", b.Name, prev)
			continue
		}
		seen[b.Name] = b.NameRange
		if !validUserName(b.Name) || b.Name == "root" {
			el.errorf(b.NameRange, "Invalid user name",
				"%q is not a user envc can create: use up to 32 lowercase letters, digits, '_', '.' and '-', starting with a letter or '_' (and not root).", b.Name)
			continue
		}
		if u := el.lowerUser(b); u != nil && el.checkImageUser(b, u) && el.checkIDClash(b, u, uids) {
			users[b.Name] = u
		}
	}
	return users
}

// lowerUser lowers a user block's attributes; nil when one has errors.
func (el *envLowerer) lowerUser(b *schema.User) *ir.UserStep {
	u := &ir.UserStep{Name: b.Name, Range: b.DeclRange}
	var uidOK, gidOK, homeOK, shellOK, groupsOK bool
	u.UID, uidOK = el.userID(b.UID, "uid")
	u.GID, gidOK = el.userID(b.GID, "gid")
	u.Home, homeOK = el.userPath(b.Home, "home")
	u.Shell, shellOK = el.userPath(b.Shell, "shell")
	u.Groups, groupsOK = el.userGroups(b.Groups)
	takeOK := true
	if a := b.TakeOverID; a != nil {
		u.TakeOver, takeOK = el.boolean(a, "take_over_id")
		if takeOK && u.TakeOver && b.UID == nil {
			el.errorf(a.Expr.Range(), "Nothing to take over",
				"take_over_id removes the user that holds this user's uid, and %q has none. Add a uid, or remove take_over_id.", b.Name)
			takeOK = false
		}
	}
	if !uidOK || !gidOK || !homeOK || !shellOK || !groupsOK || !takeOK {
		return nil
	}
	return u
}

// userID evaluates a user's uid or gid (a == nil: none, 0).
func (el *envLowerer) userID(a *hcl.Attribute, what string) (int, bool) {
	if a == nil {
		return 0, true
	}
	n, ok := el.integer(a, what)
	if !ok {
		return 0, false
	}
	if n < 1 || n > ir.MaxID {
		el.errorf(a.Expr.Range(), "Invalid "+what,
			"The %s must be between 1 and %d (0 is root's); leave it out to let the system choose.", what, ir.MaxID)
		return n, false
	}
	return n, true
}

// userPath evaluates a user's home or shell (a == nil: none, ""): an
// absolute path the user database can hold, returned clean.
func (el *envLowerer) userPath(a *hcl.Attribute, what string) (string, bool) {
	if a == nil {
		return "", true
	}
	s, ok := el.str(a, what)
	if !ok || !el.checkAbs(s, a.Expr.Range(), what) {
		return "", false
	}
	if why := valueProblem(s, false); why != "" || strings.ContainsAny(s, ":,") {
		if why == "" {
			why = "holds ':' or ','"
		}
		el.errorf(a.Expr.Range(), "Invalid "+what, "The %s %s, which the user database cannot hold. Change it.", what, why)
		ok = false
	}
	return path.Clean(s), ok
}

// userGroups evaluates a user's groups (a == nil: none), without
// repeats.
func (el *envLowerer) userGroups(a *hcl.Attribute) ([]string, bool) {
	if a == nil {
		return nil, true
	}
	items, _ := el.strList(a, "groups")
	var groups []string
	ok := true
	for _, it := range items {
		if !validUserName(it.Value) || strings.HasSuffix(it.Value, "$") {
			el.errorf(it.Range, "Invalid group name",
				"%q is not a portable group name: use up to 32 lowercase letters, digits, '_', '.' and '-', starting with a letter or '_'.", it.Value)
			ok = false
			continue
		}
		if !slices.Contains(groups, it.Value) {
			groups = append(groups, it.Value)
		}
	}
	return groups, ok
}

// homesOf returns the home of each user the spec creates: the run user and
// the users of user blocks.
// The names are sorted, so that warnings come in a fixed order.
func homesOf(run string, declared map[string]*ir.UserStep) []userHome {
	homes := map[string]string{}
	if run != "" {
		homes[run] = "/home/" + run
	}
	for name, u := range declared {
		homes[name] = "/home/" + name
		if u.Home != "" {
			homes[name] = u.Home
		}
	}
	out := make([]userHome, 0, len(homes))
	for _, name := range slices.Sorted(maps.Keys(homes)) {
		out = append(out, userHome{name, homes[name]})
	}
	return out
}

// userHome is a user and its home directory.
type userHome struct{ name, home string }

// warnCopyIntoLaterHome warns when c copies into the home of a user the
// spec creates later: the copy makes the home (as root's), and creating
// the user then leaves it as it is, so the user cannot write its own home.
// fileBlock says c comes from a file block, which has no owner.
func (el *envLowerer) warnCopyIntoLaterHome(c *ir.CopyStep, fileBlock bool) {
	for _, h := range el.users.homes {
		name, home := h.name, h.home
		if el.users.made[name] || !strings.HasPrefix(c.Target, home+"/") {
			continue
		}
		fix := fmt.Sprintf("Copy the file in a step after one that runs as %q, or give the copy owner = %q.", name, name)
		if fileBlock {
			fix = fmt.Sprintf("Copy it with a copy block in a step instead, with owner = %q (the user is then created first), or after a step that runs as %q.", name, name)
		}
		el.warn(LintCopyIntoLaterHome, c.Range,
			"%s is in the home of %q, which is created after this step: the copy creates %s as root's, and creating the user leaves it so, "+
				"so %q cannot write its own home. %s", c.Target, name, home, name, fix)
	}
}

// warnCopyIntoLaterFolder warns at each copy into a folder that a later
// step creates for a user (a workdir owned by the run user or a step's
// user): the copy creates the folder as root's, and the later step,
// finding it, leaves it so, so the user cannot write it.
func (el *envLowerer) warnCopyIntoLaterFolder() {
	steps := el.env.Steps
	var inherited []ir.Step
	if el.parent != nil {
		inherited = el.parent.Steps
	}
	for i, s := range steps {
		c, ok := s.(*ir.CopyStep)
		if !ok {
			continue
		}
		w := laterFolder(steps, i, inherited)
		if w == nil {
			continue
		}
		el.warn(LintCopyIntoLaterDir, c.Range,
			"%s is in %s, which a later step creates for %q (%s): the copy creates %s as root's first, and the later step leaves it so, "+
				"so %q cannot write it (a copy's owner owns the file, not the folders it creates). Create the folder first, with a step that runs as %q with workdir = %q.", c.Target, w.Path, w.Owner, w.Range, w.Path, w.Owner, w.Owner, w.Path)
	}
}

// laterFolder returns the first step after the copy steps[i] that makes
// a folder the copy goes into for a user, where neither the base image
// (a folder every image has) nor an earlier step (of steps, or inherited
// from what the environment builds on) makes it; nil when there is none,
// or when a user whose home the copy goes into is created first
// (warnCopyIntoLaterHome's case).
func laterFolder(steps []ir.Step, i int, inherited []ir.Step) *ir.WorkdirStep {
	c := steps[i].(*ir.CopyStep)
	for _, s := range steps[i+1:] {
		if u, ok := s.(*ir.UserStep); ok {
			home := u.Home
			if home == "" {
				home = "/home/" + u.Name
			}
			if strings.HasPrefix(c.Target, home+"/") {
				return nil
			}
		}
		w, ok := s.(*ir.WorkdirStep)
		if ok && w.Owner != "" && strings.HasPrefix(c.Target, w.Path+"/") && !baseFolders[w.Path] &&
			!madeBefore(inherited, w.Path) && !madeBefore(steps[:i], w.Path) {
			return w
		}
	}
	return nil
}

// baseFolders are folders every base image of the catalogue has (the
// Filesystem Hierarchy Standard's, which Debian, Ubuntu, the RHEL family,
// Fedora, Alpine and openSUSE images all ship): a copy into one does not
// create it.
var baseFolders = map[string]bool{
	"/bin": true, "/etc": true, "/home": true, "/lib": true, "/media": true, "/mnt": true, "/opt": true,
	"/root": true, "/run": true, "/sbin": true, "/srv": true, "/tmp": true, "/usr": true, "/var": true,
	"/usr/bin": true, "/usr/lib": true, "/usr/local": true, "/usr/local/bin": true, "/usr/local/lib": true,
	"/usr/local/sbin": true, "/usr/local/share": true, "/usr/sbin": true, "/usr/share": true,
	"/var/cache": true, "/var/lib": true, "/var/log": true, "/var/tmp": true,
}

// madeBefore reports whether one of steps already makes the folder dir
// (or, copying into it, gets its own warning). A run step is taken to make
// dir when its command names it as a path of its own ("mkdir -p /opt/app",
// "git clone URL /opt/app").
func madeBefore(steps []ir.Step, dir string) bool {
	for _, s := range steps {
		switch s := s.(type) {
		case *ir.RunStep:
			if namesPath(s.Command, dir) {
				return true
			}
		case *ir.CopyStep:
			if strings.HasPrefix(s.Target, dir+"/") {
				return true
			}
		case *ir.WorkdirStep:
			if s.Path == dir || strings.HasPrefix(s.Path, dir+"/") {
				return true
			}
		case *ir.UserStep:
			if h := s.Home; h == dir || strings.HasPrefix(h, dir+"/") || (h == "" && "/home/"+s.Name == dir) {
				return true
			}
		}
	}
	return false
}

// namesPath reports whether the shell command cmd holds dir as a word of
// its own, or as a word's value after '=' (optionally with a trailing
// slash, or quoted).
func namesPath(cmd, dir string) bool {
	for i := 0; ; {
		j := strings.Index(cmd[i:], dir)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(dir)
		before := start == 0 || strings.ContainsRune(" \t\n'\"=;&|(", rune(cmd[start-1]))
		if end < len(cmd) && cmd[end] == '/' {
			end++
		}
		after := end == len(cmd) || strings.ContainsRune(" \t\n'\";&|)", rune(cmd[end]))
		if before && after {
			return true
		}
		i = start + 1
	}
}
