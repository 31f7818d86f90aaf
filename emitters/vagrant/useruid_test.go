package vagrant

import (
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
)

// TestUserUIDBox checks vagrant-user-uid-box against what bootstrap.sh
// does with each user: no warning for the box's own vagrant user asked
// with its ids, a text that names the group the user gets, and for a user
// the base image ships, one that says the containers keep it.
func TestUserUIDBox(t *testing.T) {
	for _, tc := range []struct {
		name string
		user ir.UserStep
		// detail holds the warning's phrases; nil for no warning.
		detail []string
		// command is a part of the user's command in bootstrap.sh.
		command string
	}{
		{"no uid", ir.UserStep{Name: "sim"},
			[]string{`The user "sim" has no uid.`, "the next free uid (1001 for the first such user) and a group of its own", "the first free uid, 1000 on most images"},
			"id -u sim >/dev/null 2>&1 || useradd -l -m sim"},
		{"uid 1000", ir.UserStep{Name: "sim", UID: 1000},
			[]string{`The user "sim" has uid 1000.`, "and a group of its own", "gives it 1000"},
			"useradd -l -m -u 1000 sim"},
		{"uid and gid 1000", ir.UserStep{Name: "sim", UID: 1000, GID: 1000},
			[]string{"and a group of its own"},
			"grep -qx 1000; then id -u sim >/dev/null 2>&1 || useradd -l -m sim; else"},
		{"gid 100, no uid", ir.UserStep{Name: "neuro", GID: 100},
			[]string{`The user "neuro" has no uid.`, "the next free uid (1001 for the first such user) and joins the group with gid 100, as asked"},
			"useradd -l -m -g 100 neuro"},
		{"uid 1000, gid 100", ir.UserStep{Name: "sim", UID: 1000, GID: 100},
			[]string{"and joins the group with gid 100, as asked"},
			"useradd -l -m -g 100 sim"},
		{"gid 1000, no uid", ir.UserStep{Name: "sim", GID: 1000},
			[]string{"and joins the box's vagrant group, which has gid 1000 as asked"},
			"useradd -l -m -g 1000 sim"},
		{"uid 1001", ir.UserStep{Name: "sim", UID: 1001}, nil, "useradd -l -m -u 1001 sim"},
		{"the image's mambauser", ir.UserStep{Name: "mambauser", ImageUID: 57439, ImageGID: 57439},
			[]string{`The user "mambauser" is the base image's own, with uid 57439 and gid 57439.`,
				"on the machine, which boots the distribution's box and not the image, bootstrap.sh creates this user with the next free uid (1001 for the first such user) and a group of its own,",
				"where a container of the base image keeps the image's user as it is, with uid 57439 and gid 57439.",
				`Add a user block for "mambauser" with uid = 57439 and gid = 57439`},
			"id -u mambauser >/dev/null 2>&1 || useradd -l -m mambauser"},
		{"the image's jovyan", ir.UserStep{Name: "jovyan", ImageUID: 1000, ImageGID: 100},
			[]string{`The user "jovyan" is the base image's own, with uid 1000 and gid 100.`,
				"bootstrap.sh creates this user with the next free uid",
				"keeps the image's user as it is, with uid 1000 and gid 100.",
				"The machine cannot give it uid 1000, which the box's vagrant user holds"},
			"id -u jovyan >/dev/null 2>&1 || useradd -l -m jovyan"},
		{"the image's mambauser with its ids", ir.UserStep{Name: "mambauser", UID: 57439, GID: 57439, ImageUID: 57439, ImageGID: 57439}, nil,
			"useradd -l -m -g 57439 -u 57439 mambauser"},
		{"the box's vagrant, uid 1000", ir.UserStep{Name: "vagrant", UID: 1000}, nil, "id -u vagrant >/dev/null 2>&1 ||"},
		{"the box's vagrant, uid and gid 1000", ir.UserStep{Name: "vagrant", UID: 1000, GID: 1000, Shell: "/bin/bash"}, nil, "id -u vagrant >/dev/null 2>&1 ||"},
		{"the box's vagrant, with groups and a shell", ir.UserStep{Name: "vagrant", Shell: "/bin/zsh", Groups: []string{"docker"}},
			[]string{`The user "vagrant" has shell /bin/zsh.`, "keeps as it is (it joins the groups asked for): uid and gid 1000, home /home/vagrant and shell bash,",
				"gives it shell /bin/zsh.", "Leave out uid, gid, home and shell"},
			"useradd -l -m -s /bin/zsh vagrant; }; } && groupadd -f docker && usermod -aG docker vagrant"},
		{"the box's vagrant, no ids", ir.UserStep{Name: "vagrant"}, nil, "id -u vagrant >/dev/null 2>&1 || useradd -l -m vagrant"},
		{"the box's vagrant, uid 1001", ir.UserStep{Name: "vagrant", UID: 1001},
			[]string{`The user "vagrant" has uid 1001.`, "this user is the box's own, which bootstrap.sh keeps as it is (it joins the groups asked for): uid and gid 1000,", "gives it uid 1001"},
			"id -u vagrant >/dev/null 2>&1 ||"},
		{"the box's vagrant, gid 100", ir.UserStep{Name: "vagrant", UID: 1000, GID: 100},
			[]string{`The user "vagrant" has gid 100.`, "the box's own", "gives it gid 100"},
			"id -u vagrant >/dev/null 2>&1 ||"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := irtest.Minimal()
			u := tc.user
			u.Range = env.Base.Range
			env.Steps = []ir.Step{&u}
			out, diags := emitters.EmitFor(New(), env, emitters.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			var detail string
			n := 0
			for _, d := range diags {
				if x, ok := d.Extra.(emitters.RuleExtra); ok && x.Rule == emitters.RuleVagrantUserUIDBox {
					detail = d.Detail
					n++
				}
			}
			switch {
			case tc.detail == nil && n != 0:
				t.Errorf("warns %q, want no vagrant-user-uid-box", detail)
			case tc.detail != nil && n != 1:
				t.Errorf("%d vagrant-user-uid-box warnings, want one", n)
			}
			for _, p := range tc.detail {
				if !strings.Contains(detail, p) {
					t.Errorf("detail %q does not say %q", detail, p)
				}
			}
			if strings.Contains(detail, "%!") {
				t.Errorf("detail %q has a formatting error", detail)
			}
			var bootstrap string
			for _, f := range out.Files {
				if f.Path == BootstrapName {
					bootstrap = string(f.Data)
				}
			}
			if !strings.Contains(bootstrap, tc.command) {
				t.Errorf("bootstrap.sh does not hold %q:\n%s", tc.command, bootstrap)
			}
		})
	}
}
