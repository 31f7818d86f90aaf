package irtest

import (
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/hashicorp/hcl/v2"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "spec.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: line * 10}, End: hcl.Pos{Line: line, Column: 20, Byte: line*10 + 17}}
}

// Full returns an environment that uses every v1 construct, on Ubuntu 20.04.
func Full() *ir.Env {
	env := []ir.EnvVar{
		{Name: "OMP_NUM_THREADS", Value: ir.ParseWord("1"), Range: rng(20)},
		{Name: "PATH", Value: ir.ParseWord("/home/fenics/.local/bin:$PATH"), Range: rng(21)},
	}
	return &ir.Env{
		Name:        "fenics",
		SpecFile:    "fenics.hcl",
		Description: "FEniCS with a notebook server",
		Base:        ir.Image{Ref: "ubuntu:20.04", Canonical: "docker.io/library/ubuntu:20.04", DistroFromName: true, Range: rng(12)},
		Distro:      &ir.Distro{ID: "ubuntu", Version: "20.04", Family: "debian", Manager: ir.Apt, Box: "ubuntu/focal64"},
		Steps: []ir.Step{
			&ir.InstallStep{Manager: ir.Apt, Packages: []string{"git", "vim", "python3-pip"}, Range: rng(15)},
			&ir.CopyStep{Source: "files/intro.ipynb", Target: "/home/fenics/intro.ipynb", Mode: 0o644, Range: rng(25)},
			&ir.EnvStep{Vars: env, Range: rng(19)},
			&ir.RunStep{Command: "pip3 install --no-cache-dir meshio", Shell: "sh", Range: rng(31)},
			&ir.RunStep{Command: "echo 'it''s' \"$HOME\" > /tmp/x\nif true; then\n  echo multi-line\nfi", Shell: "sh", Range: rng(32)},
			&ir.UserStep{Name: "fenics", Range: rng(36)},
			&ir.WorkdirStep{Path: "/home/fenics/shared", Owner: "fenics", Range: rng(35)},
		},
		User:         "fenics",
		UserRange:    rng(36),
		Workdir:      "/home/fenics/shared",
		WorkdirRange: rng(35),
		Run:          []string{"jupyter", "notebook", "--ip=0.0.0.0", "--port=8000"},
		RunRange:     rng(52),
		Ports:        []ir.Port{{Guest: 8000, Host: 8000, HostIP: "127.0.0.1", Protocol: "tcp", Range: rng(44)}},
		Mounts:       []ir.Mount{{Source: "../..", Target: "/home/fenics/shared", ReadOnly: false, Range: rng(38)}},
		Labels: []ir.KeyValue{
			{Key: "maintainer", Value: "sim-group", Range: rng(53)},
			{Key: ir.DescriptionLabel, Value: "FEniCS with a notebook server", Range: rng(11)},
		},
		VM:           ir.VM{Box: "ubuntu/focal64", CPUs: 2, Memory: 2048, Name: "fenics", Range: rng(55)},
		ContextFiles: []ir.ContextFile{{HostPath: "notebooks/intro.ipynb", ContextPath: "files/intro.ipynb"}},
		DeclRange:    rng(10),
	}
}

// Minimal returns an environment with only a base image (Debian 12) and no
// run command.
func Minimal() *ir.Env {
	return &ir.Env{
		Name:      "minimal",
		SpecFile:  "minimal.hcl",
		Base:      ir.Image{Ref: "debian:bookworm", Canonical: "docker.io/library/debian:bookworm", DistroFromName: true, Range: rng(2)},
		Distro:    &ir.Distro{ID: "debian", Version: "12", Family: "debian", Manager: ir.Apt, Box: "debian/bookworm64"},
		DeclRange: rng(1),
	}
}

// Hostile returns an environment whose every literal holds characters that
// are special to some target: quotes, backslashes, backticks, $(...), ${},
// %, #, a tab, CR and unicode. (Newlines are left out: Dockerfile ENV and
// LABEL cannot carry them, and validation rejects them there.)
func Hostile() *ir.Env {
	h := "a'b\"c\\d`touch CANARY`$(touch CANARY)${X}%{y}#z\t\r€ ; touch CANARY"
	env := []ir.EnvVar{
		{Name: "HOSTILE", Value: ir.Word{{Lit: h}}, Range: rng(3)},
		{Name: "MIXED", Value: ir.Word{{Lit: "pre'\"`"}, {Ref: "HOSTILE"}, {Lit: "$post"}}, Range: rng(4)},
	}
	return &ir.Env{
		Name:        "hostile",
		SpecFile:    "hostile.hcl",
		Description: h,
		Base:        ir.Image{Ref: "debian:bookworm", Canonical: "docker.io/library/debian:bookworm", DistroFromName: true, Range: rng(2)},
		Distro:      &ir.Distro{ID: "debian", Version: "12", Family: "debian", Manager: ir.Apt, Box: "debian/bookworm64"},
		Steps: []ir.Step{
			&ir.CopyStep{Source: "files/we ird'$(x).txt", Target: "/opt/we ird'$(x)`y`.txt", Mode: 0o600, Range: rng(5)},
			&ir.EnvStep{Vars: env, Range: rng(3)},
			&ir.UserStep{Name: "sim", Range: rng(6)},
			&ir.WorkdirStep{Path: "/srv/d i r'$(x)", Owner: "sim", Range: rng(7)},
		},
		User:         "sim",
		Workdir:      "/srv/d i r'$(x)",
		Run:          []string{"printf", "%s\\n", h, "--flag", "#{`id`}", "-"},
		Ports:        []ir.Port{{Guest: 80, Host: 8080, Protocol: "udp", Range: rng(8)}},
		Mounts:       []ir.Mount{{Source: "da'ta #{x}", Target: "/data'\"", ReadOnly: true, Range: rng(9)}},
		Labels:       []ir.KeyValue{{Key: "x'\"=`y`", Value: h, Range: rng(10)}, {Key: ir.DescriptionLabel, Value: h, Range: rng(1)}},
		VM:           ir.VM{Name: "n'\"#{`id`}", CPUs: 1, Memory: 512, Range: rng(11)},
		DeclRange:    rng(1),
		ContextFiles: []ir.ContextFile{{HostPath: "we ird'$(x).txt", ContextPath: "files/we ird'$(x).txt"}},
	}
}

// Stages returns an environment (Debian 12) with stages: "build" with its
// own variable, a context file, a run step and a step for the vagrant
// target alone; "more", built on build's steps, copying from build; and
// copies out of both: a file with a mode, a folder with an owner keeping
// the stage's modes. It builds for two platforms.
func Stages() *ir.Env {
	debian := ir.Image{Ref: "debian:bookworm", Canonical: "docker.io/library/debian:bookworm", DistroFromName: true, Range: rng(2)}
	distro := &ir.Distro{ID: "debian", Version: "12", Codename: "bookworm", Family: "debian", Manager: ir.Apt, Box: "debian/bookworm64"}
	vars := []ir.EnvVar{{Name: "PREFIX", Value: ir.ParseWord("/build"), Range: rng(6)}}
	onlyVagrant := &ir.RunStep{Command: "echo machine > /build/target.txt", Shell: "sh", Range: rng(9), Targets: []string{"vagrant"}}
	buildSteps := []ir.Step{
		&ir.InstallStep{Manager: ir.Apt, Packages: []string{"file"}, Range: rng(5)},
		&ir.EnvStep{Vars: vars, Range: rng(6)},
		&ir.CopyStep{Source: "files/tool.conf", Target: "/build/etc/tool.conf", Mode: 0o644, Range: rng(7)},
		&ir.RunStep{Command: "mkdir -p \"$PREFIX/bin\" \"$PREFIX/share/doc\" && echo tool > \"$PREFIX/bin/tool\" && echo notes > \"$PREFIX/share/doc/notes.txt\"", Shell: "sh", Range: rng(8)},
		onlyVagrant,
	}
	build := &ir.Env{Name: "build", Base: debian, Distro: distro, Steps: buildSteps, DeclRange: rng(4)}
	more := &ir.Env{Name: "more", Base: debian, Distro: distro, From: "stage build", FromSteps: len(buildSteps),
		Steps: append(append([]ir.Step(nil), buildSteps...),
			&ir.CopyStep{Stage: "build", Source: "/build/share/doc/notes.txt", Target: "/more/notes.txt", Range: rng(12)},
			&ir.RunStep{Command: "echo more >> /more/notes.txt", Shell: "bash", Range: rng(13)},
		),
		DeclRange: rng(11)}
	return &ir.Env{
		Name:     "stages",
		SpecFile: "stages.hcl",
		Base:     debian,
		Distro:   distro,
		Stages:   []*ir.Env{build, more},
		Steps: []ir.Step{
			&ir.UserStep{Name: "sim", UID: 1000, Range: rng(15)},
			&ir.CopyStep{Stage: "build", Source: "/build/bin/tool", Target: "/usr/local/bin/tool", Mode: 0o755, Range: rng(16)},
			&ir.CopyStep{Stage: "more", Source: "/build/share", Target: "/opt/tool/share", Owner: "sim", Range: rng(17)},
			&ir.CopyStep{Stage: "more", Source: "/more/notes.txt", Target: "/opt/tool/notes.txt", Owner: "sim", Mode: 0o640, Range: rng(18)},
		},
		Platforms:      []string{"linux/amd64", "linux/arm64"},
		PlatformsRange: rng(20),
		Run:            []string{"/usr/local/bin/tool"},
		RunRange:       rng(21),
		ContextFiles:   []ir.ContextFile{{HostPath: "conf/tool.conf", ContextPath: "files/tool.conf"}},
		DeclRange:      rng(1),
	}
}
