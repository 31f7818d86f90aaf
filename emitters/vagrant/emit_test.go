package vagrant

import (
	"bytes"
	"strings"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestEmitDeterministic(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, diags := emitters.EmitFor(New(), tc.env(), emitters.Options{})
			b, _ := emitters.EmitFor(New(), tc.env(), emitters.Options{Platform: "linux/arm64"})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("two emissions differ (-first +second):\n%s", diff)
			}
			var got []string
			for _, f := range a.Files {
				got = append(got, f.Path+" "+f.Mode.String())
				if !bytes.HasSuffix(f.Data, []byte("\n")) {
					t.Errorf("%s does not end with a newline", f.Path)
				}
				first := strings.SplitN(string(f.Data), "\n", 3)
				header := first[0]
				if f.Path == BootstrapName {
					if first[0] != "#!/bin/sh" {
						t.Errorf("%s starts with %q", f.Path, first[0])
					}
					header = first[1]
				}
				if !strings.HasPrefix(header, "# "+emitters.HeaderMarker) {
					t.Errorf("%s: header line is %q", f.Path, header)
				}
				if bytes.ContainsRune(f.Data, '\r') {
					t.Errorf("%s holds a raw carriage return", f.Path)
				}
			}
			if diff := cmp.Diff([]string{"Vagrantfile -rw-r--r--", "bootstrap.sh -rwxr-xr-x"}, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	privileged := irtest.Minimal()
	privileged.Ports = []ir.Port{{Guest: 80, Host: 80, Protocol: "tcp", Range: irtest.Full().Ports[0].Range}, {Guest: 8080, Host: 8080, Protocol: "tcp"}}
	derived := irtest.Minimal()
	derived.Base = ir.Image{Ref: "quay.io/fenicsproject/stable:current", Canonical: "quay.io/fenicsproject/stable:current", Range: irtest.Full().Base.Range}
	homeRef := irtest.Minimal()
	data := ir.EnvVar{Name: "DATA", Value: ir.Word{{Ref: "HOME"}, {Lit: "/data"}}, Range: irtest.Full().Ports[0].Range}
	homeRef.Steps = append(homeRef.Steps, &ir.EnvStep{Vars: []ir.EnvVar{data}})
	tests := []struct {
		name string
		env  *ir.Env
		want []string
	}{
		{"full", irtest.Full(), []string{"vagrant-labels-recorded", "vagrant-user-uid-box", "vagrant-vm-name-virtualbox-only"}},
		{"reference to an unknown variable", homeRef, []string{"vagrant-env-ref-run-time"}},
		{"base not the distribution's image", derived, []string{"vagrant-base-not-image"}},
		{"minimal", irtest.Minimal(), nil},
		{"hostile", hostile(), []string{"vagrant-gpu-unsupported", "vagrant-healthcheck-ignored", "vagrant-hpc-ignored", "vagrant-labels-recorded", "vagrant-user-uid-box", "vagrant-vm-name-virtualbox-only"}},
		{"privileged port", privileged, []string{"vagrant-port-privileged"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := emitters.EmitFor(New(), tt.env, emitters.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(tt.want, ruleNames(diags)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Filename == "" {
					t.Errorf("warning %q has no range", d.Summary)
				}
			}
		})
	}
}

func TestEmitErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*ir.Env)
		want   string
	}{
		{"no box", func(e *ir.Env) { e.Distro = nil }, "No Vagrant box"},
		{"no distro box", func(e *ir.Env) { e.Distro.Box = "" }, "No Vagrant box"},
		{"hostile mount target", func(e *ir.Env) { e.Mounts = irtest.Hostile().Mounts }, "Mount target cannot be carried"},
		{"mount target with a space", func(e *ir.Env) { e.Mounts = []ir.Mount{{Source: ".", Target: "/a b"}} }, "Mount target cannot be carried"},
		{"relative mount target", func(e *ir.Env) { e.Mounts = []ir.Mount{{Source: ".", Target: "data"}} }, "Mount target cannot be carried"},
		{"mount source with a double quote", func(e *ir.Env) { e.Mounts = []ir.Mount{{Source: `a"b`, Target: "/data"}} }, "Mount source cannot be carried"},
		{"mount source with a line break", func(e *ir.Env) { e.Mounts = []ir.Mount{{Source: "a\nb", Target: "/data"}} }, "Mount source cannot be carried"},
		{"NUL in a box", func(e *ir.Env) { e.VM.Box = "a\x00b" }, "Value cannot be written"},
		{"NUL in an env value", func(e *ir.Env) {
			eVars := []ir.EnvVar{{Name: "X", Value: ir.Word{{Lit: "a\x00"}}}}
			e.Steps = []ir.Step{&ir.EnvStep{Vars: eVars}}
		}, "Value cannot be written"},
		{"NUL in the run command", func(e *ir.Env) { e.Run = []string{"a\x00"} }, "Value cannot be written"},
		{"copy from outside the folder", func(e *ir.Env) { e.Steps = []ir.Step{&ir.CopyStep{Source: "../x", Target: "/x", Mode: 0o644}} }, "Context path cannot be carried"},
		{"magic comment in the spec file name", func(e *ir.Env) { e.SpecFile = "coding: x.hcl" }, "Spec file name cannot be written"},
		{"bad environment name", func(e *ir.Env) { e.Name = "a b" }, "Invalid environment name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := irtest.Minimal()
			tt.modify(env)
			out, diags := emitters.EmitFor(New(), env, emitters.Options{})
			var errs []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs = append(errs, d.Summary)
				}
			}
			if diff := cmp.Diff([]string{tt.want}, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if out != nil {
				t.Errorf("Emit returned files along with errors")
			}
		})
	}
}

// TestVagrantfileText pins the parts of the Vagrantfile that the
// read-back cannot see: comments and layout.
func TestVagrantfileText(t *testing.T) {
	vf, _, _ := emitFiles(t, hostile())
	text := string(vf)
	for _, want := range []string{
		"Vagrant.configure('2') do |config|\n  # Description: \"a'b\\\"c\\\\d`touch CANARY`$(touch CANARY)${X}%{y}#z\\t\\r€ ; touch CANARY\"\n",
		"  # Label: \"x'\\\"=`y`\" = ",
		"  config.vm.synced_folder 'da\\'ta #{x}', '/data', mount_options: ['ro']\n",
		"    vb.name = 'n\\'\"#{`id`}'\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Vagrantfile lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "lv.name") {
		t.Errorf("the libvirt block names the machine:\n%s", text)
	}
}
