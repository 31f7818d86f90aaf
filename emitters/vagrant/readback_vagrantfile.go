package vagrant

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// loaderRuby is a stand-in for Vagrant's configuration DSL that records
// every setting a Vagrantfile makes and prints it as JSON.
//
//go:embed loader.rb
var loaderRuby string

// Vagrantfile is what a Vagrantfile configures, as read by Ruby itself
// through a stand-in for Vagrant's DSL. It covers what this package
// writes; anything else the file calls is listed in Unknown.
type Vagrantfile struct {
	// Version is the argument of Vagrant.configure.
	Version string
	// Box, BoxVersion and BoxURL are config.vm.box and friends.
	Box        string
	BoxVersion string
	BoxURL     string
	Hostname   string
	// ForwardAgent is config.ssh.forward_agent.
	ForwardAgent  bool
	Networks      []Network
	SyncedFolders []SyncedFolder
	Provisioners  []Provisioner
	Providers     []Provider
	// Unknown lists calls the stand-in does not record, e.g. "vm.define".
	Unknown []string
}

// Network is one config.vm.network call.
type Network struct {
	Type    string
	Options NetworkOptions
}

// NetworkOptions are the options of a forwarded port.
type NetworkOptions struct {
	Guest    int    `json:"guest"`
	Host     int    `json:"host"`
	HostIP   string `json:"host_ip"`
	Protocol string `json:"protocol"`
	ID       string `json:"id"`
}

// SyncedFolder is one config.vm.synced_folder call.
type SyncedFolder struct {
	Source  string
	Target  string
	Options FolderOptions
}

// FolderOptions are the options of a synced folder.
type FolderOptions struct {
	Disabled     bool     `json:"disabled"`
	MountOptions []string `json:"mount_options"`
	Type         string   `json:"type"`
}

// Provisioner is one config.vm.provision call.
type Provisioner struct {
	Type    string
	Options ProvisionOptions
}

// ProvisionOptions are the options of a file or shell provisioner. A file
// provisioner's Source is relative to the Vagrantfile's folder when it
// lies inside it (the file names it as File.join(__dir__, ...)).
type ProvisionOptions struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Path        string `json:"path"`
	Inline      string `json:"inline"`
	Privileged  *bool  `json:"privileged"`
	// Reboot restarts the machine (a shell provisioner with no script).
	Reboot bool `json:"reboot"`
}

// Provider is one config.vm.provider block.
type Provider struct {
	Name     string
	Settings []Setting
}

// Setting is one assignment in a provider block, e.g. vb.cpus = 2. Value
// is as JSON decodes it (numbers are float64).
type Setting struct {
	Name  string
	Value any
}

// ReadVagrantfile evaluates the Vagrantfile at path with Ruby (the ruby
// binary must be on PATH) and a stand-in for Vagrant's DSL, and returns
// what it configures. It runs the file: use it only on files this package
// wrote, or in a sandbox.
func ReadVagrantfile(path string) (*Vagrantfile, error) {
	ruby, err := exec.LookPath("ruby")
	if err != nil {
		return nil, fmt.Errorf("reading a Vagrantfile needs ruby: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(ruby, "-", abs)
	cmd.Dir = filepath.Dir(abs)
	cmd.Stdin = strings.NewReader(loaderRuby)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ruby: %v: %s", err, stderr.String())
	}
	var raw struct {
		Version string            `json:"version"`
		VM      map[string]string `json:"vm"`
		SSH     struct {
			ForwardAgent bool `json:"forward_agent"`
		} `json:"ssh"`
		Networks []struct {
			Type    string          `json:"type"`
			Options json.RawMessage `json:"options"`
		} `json:"networks"`
		SyncedFolders []struct {
			Source  string          `json:"source"`
			Target  string          `json:"target"`
			Options json.RawMessage `json:"options"`
		} `json:"synced_folders"`
		Provisioners []struct {
			Type    string          `json:"type"`
			Options json.RawMessage `json:"options"`
		} `json:"provisioners"`
		Providers []struct {
			Name     string `json:"name"`
			Settings []struct {
				Name  string `json:"name"`
				Value any    `json:"value"`
			} `json:"settings"`
		} `json:"providers"`
		Unknown []string `json:"unknown"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, fmt.Errorf("reading the loader's record: %v", err)
	}
	v := &Vagrantfile{
		Version: raw.Version, Box: raw.VM["box"], BoxVersion: raw.VM["box_version"],
		BoxURL: raw.VM["box_url"], Hostname: raw.VM["hostname"], ForwardAgent: raw.SSH.ForwardAgent,
	}
	if len(raw.Unknown) > 0 {
		v.Unknown = raw.Unknown
	}
	for _, n := range raw.Networks {
		var o NetworkOptions
		if err := strict(n.Options, &o); err != nil {
			return nil, fmt.Errorf("network %s: %v", n.Type, err)
		}
		v.Networks = append(v.Networks, Network{Type: n.Type, Options: o})
	}
	for _, f := range raw.SyncedFolders {
		var o FolderOptions
		if err := strict(f.Options, &o); err != nil {
			return nil, fmt.Errorf("synced folder %q: %v", f.Target, err)
		}
		v.SyncedFolders = append(v.SyncedFolders, SyncedFolder{Source: f.Source, Target: f.Target, Options: o})
	}
	dir := filepath.ToSlash(filepath.Dir(abs)) + "/"
	for _, p := range raw.Provisioners {
		var o ProvisionOptions
		if err := strict(p.Options, &o); err != nil {
			return nil, fmt.Errorf("provisioner %s: %v", p.Type, err)
		}
		if p.Type == "file" {
			o.Source = strings.TrimPrefix(o.Source, dir)
		}
		v.Provisioners = append(v.Provisioners, Provisioner{Type: p.Type, Options: o})
	}
	for _, p := range raw.Providers {
		pr := Provider{Name: p.Name}
		for _, s := range p.Settings {
			pr.Settings = append(pr.Settings, Setting{Name: s.Name, Value: s.Value})
		}
		v.Providers = append(v.Providers, pr)
	}
	return v, nil
}

// strict decodes data into v, failing on an option v has no field for.
func strict(data json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
