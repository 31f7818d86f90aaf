package vagrant

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/google/go-cmp/cmp"
)

var hostileStrings = []string{
	"", "plain", "it's", `"double"`, `back\slash`, `\'`, `\\'`, "'", "''", "`touch CANARY`", "#{`touch CANARY`}",
	`#{File.write("CANARY", "")}`, "\"#{`touch CANARY`}\"", "%q{x}", "#@x #$y", "line\nbreak", "cr\rlf", "crlf\r\nx\r",
	"tab\there", "\x01\x04\x1a\x7f", "ü € 日本", "\u2028sep\u2029", "\u202eevil\u202c", "\ufeffbom", "=begin", "__END__",
	"\n__END__\n", "end", "'; system('touch CANARY'); '", strings.Repeat("long'value ", 300),
}

func TestRubyStringForm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"plain", "'plain'"},
		{"it's", `'it\'s'`},
		{`a\b`, `'a\\b'`},
		{`"#{x}"`, `'"#{x}"'`},
		{"a\rb", `'a' "\u{D}" 'b'`},
		{"\n", `"\u{A}"`},
		{"\u202e", `"\u{202E}"`},
	}
	for _, tt := range tests {
		got, err := rubyString(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("rubyString(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"nul\x00", "bad \xff utf8"} {
		if _, err := rubyString(bad); err == nil {
			t.Errorf("rubyString(%q) succeeded", bad)
		}
	}
}

// TestRubyStringRuby has real Ruby evaluate each literal: it must give the
// value back exactly and never run anything.
func TestRubyStringRuby(t *testing.T) {
	ruby := needTool(t, "ruby", "apt-get install ruby")
	dir := t.TempDir()
	var prog strings.Builder
	prog.WriteString("require 'json'\nvalues = []\n")
	for _, s := range hostileStrings {
		lit, err := rubyString(s)
		if err != nil {
			t.Fatal(err)
		}
		prog.WriteString("values << " + lit + "\n")
	}
	prog.WriteString("print JSON.generate(values)\n")
	file := filepath.Join(dir, "prog.rb")
	if err := os.WriteFile(file, []byte(prog.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ruby, file)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ruby: %v\n%s", err, out)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if diff := cmp.Diff(hostileStrings, got); diff != "" {
		t.Errorf("Ruby read the literals differently (-want +got):\n%s", diff)
	}
	noCanary(t, dir)
}

func TestRubySyntax(t *testing.T) {
	ruby := needTool(t, "ruby", "apt-get install ruby")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeOutput(t, tc.env())
			cmd := exec.Command(ruby, "-wc", VagrantfileName)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "Syntax OK" {
				t.Errorf("ruby -wc: %v\n%s", err, out)
			}
		})
	}
}

func TestReadVagrantfileFull(t *testing.T) {
	needTool(t, "ruby", "apt-get install ruby")
	got, err := ReadVagrantfile(filepath.Join(writeOutput(t, irtest.Full()), VagrantfileName))
	if err != nil {
		t.Fatal(err)
	}
	want := &Vagrantfile{
		Version:  "2",
		Box:      "ubuntu/focal64",
		Networks: []Network{{Type: "forwarded_port", Options: NetworkOptions{Guest: 8000, Host: 8000, HostIP: "127.0.0.1", Protocol: "tcp"}}},
		SyncedFolders: []SyncedFolder{
			{Source: ".", Target: "/vagrant", Options: FolderOptions{Disabled: true}},
			{Source: "../..", Target: "/home/fenics/shared"},
		},
		Provisioners: []Provisioner{
			{Type: "file", Options: ProvisionOptions{Source: "files/intro.ipynb", Destination: "/tmp/envc-fenics/files/2"}},
			{Type: "shell", Options: ProvisionOptions{Path: "bootstrap.sh"}},
		},
		Providers: []Provider{
			{Name: "virtualbox", Settings: []Setting{{"name", "fenics"}, {"cpus", 2.0}, {"memory", 2048.0}}},
			{Name: "libvirt", Settings: []Setting{{"cpus", 2.0}, {"memory", 2048.0}}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// TestReadVagrantfileHostile checks that every hostile string reaches
// Ruby as itself and that none runs.
func TestReadVagrantfileHostile(t *testing.T) {
	needTool(t, "ruby", "apt-get install ruby")
	h := irtest.Hostile()
	env := hostile()
	env.VM.Box = h.Description
	env.VM.BoxVersion = "#{`touch CANARY`}"
	env.VM.BoxURL = "\"; `touch CANARY`; \"\n\r"
	env.Ports[0].HostIP = "#{File.write('CANARY', '')}"
	env.Mounts = append(env.Mounts, ir.Mount{Source: "~x/#{`touch CANARY`} ü'", Target: "/ü/x"})
	// The compiler allows only known words here; the emitter quotes
	// whatever it is given.
	env.VM.GUI, env.VM.Reboot, env.VM.ForwardAgent = true, true, true
	env.VM.VirtualBox = ir.VirtualBox{LinkedClone: true, DefaultNICType: "#{`touch CANARY`}'\\"}
	env.VM.Libvirt = ir.Libvirt{Driver: "\"; `touch CANARY`; \"", CPUMode: "'\n\u202e", Nested: true}
	dir := writeOutput(t, env)
	got, err := ReadVagrantfile(filepath.Join(dir, VagrantfileName))
	if err != nil {
		t.Fatal(err)
	}
	want := &Vagrantfile{
		Version:      "2",
		Box:          env.VM.Box,
		BoxVersion:   env.VM.BoxVersion,
		BoxURL:       env.VM.BoxURL,
		ForwardAgent: true,
		Networks:     []Network{{Type: "forwarded_port", Options: NetworkOptions{Guest: 80, Host: 8080, HostIP: env.Ports[0].HostIP, Protocol: "udp"}}},
		SyncedFolders: []SyncedFolder{
			{Source: ".", Target: "/vagrant", Options: FolderOptions{Disabled: true}},
			{Source: h.Mounts[0].Source, Target: "/data", Options: FolderOptions{MountOptions: []string{"ro"}}},
			{Source: "./~x/#{`touch CANARY`} ü'", Target: "/ü/x"},
		},
		Provisioners: []Provisioner{
			{Type: "file", Options: ProvisionOptions{Source: "files/we ird'$(x).txt", Destination: "/tmp/envc-hostile/files/1"}},
			{Type: "shell", Options: ProvisionOptions{Path: "bootstrap.sh"}},
			{Type: "shell", Options: ProvisionOptions{Reboot: true}},
		},
		Providers: []Provider{
			{Name: "virtualbox", Settings: []Setting{{"name", h.VM.Name}, {"gui", true}, {"cpus", 1.0}, {"memory", 512.0},
				{"linked_clone", true}, {"default_nic_type", env.VM.VirtualBox.DefaultNICType}}},
			{Name: "libvirt", Settings: []Setting{{"cpus", 1.0}, {"memory", 512.0},
				{"driver", env.VM.Libvirt.Driver}, {"cpu_mode", env.VM.Libvirt.CPUMode}, {"nested", true}}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	noCanary(t, dir)
}

// TestReadVagrantfileUnknown shows the read-back reports what it does not
// record, instead of dropping it.
func TestReadVagrantfileUnknown(t *testing.T) {
	needTool(t, "ruby", "apt-get install ruby")
	dir := t.TempDir()
	src := "Vagrant.configure('2') do |config|\n  config.vm.define 'x'\n  config.ssh.username = 'u'\n  config.vm.provider 'virtualbox' do |vb|\n    vb.customize ['x']\n  end\n  puts 'noise'\nend\n"
	if err := os.WriteFile(filepath.Join(dir, VagrantfileName), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadVagrantfile(filepath.Join(dir, VagrantfileName))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"vm.define", "ssh.username=", "provider virtualbox: customize"}, got.Unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
}
