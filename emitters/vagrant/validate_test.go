package vagrant

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVagrantValidate runs `vagrant validate` on every output. A stub
// VBoxManage first on PATH makes Vagrant validate the VirtualBox block
// too (it reports settings that do not exist); libvirt's block is only
// checked when the vagrant-libvirt plugin is installed.
func TestVagrantValidate(t *testing.T) {
	vagrant := needTool(t, "vagrant", "apt-get install --no-install-recommends vagrant")
	if testing.Short() {
		t.Skip("vagrant validate takes about a second per file")
	}
	bin := t.TempDir()
	stub := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 7.0.14r161095; fi\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "VBoxManage"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env()
			dir := writeOutput(t, env)
			for _, m := range env.Mounts {
				// Vagrant demands that a synced folder's host path exists.
				if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(m.Source)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(vagrant, "validate")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "VAGRANT_HOME="+home, "VAGRANT_CHECKPOINT_DISABLE=1")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "validated successfully") {
				t.Errorf("vagrant validate: %v\n%s", err, out)
			}
			noCanary(t, dir)
		})
	}
}
