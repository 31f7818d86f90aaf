package schema

import (
	"slices"
	"strings"
	"testing"
)

func TestParseImageRef(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical; "" means invalid
	}{
		{"ubuntu:20.04", "docker.io/library/ubuntu:20.04"},
		{"ubuntu", "docker.io/library/ubuntu:latest"},
		{"docker.io/library/debian:bookworm", "docker.io/library/debian:bookworm"},
		{"index.docker.io/library/debian:12", "docker.io/library/debian:12"},
		{"opensuse/leap:15.6", "docker.io/opensuse/leap:15.6"},
		{"quay.io/fenicsproject/stable:current", "quay.io/fenicsproject/stable:current"},
		{"localhost:5000/img:1", "localhost:5000/img:1"},
		{"127.0.0.1:5000/library/debian:bookworm", "127.0.0.1:5000/library/debian:bookworm"},
		{"debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{"Ubuntu:20.04", ""},
		{"ubuntu:20.04 ", ""},
		{"ubuntu:", ""},
		{"", ""},
		{"ubuntu:-x", ""},
		{"a b", ""},
		{"ubuntu@sha256:xyz", ""},
		// As strict as Docker's parser (distribution/reference).
		{"Registry/img", "Registry/img:latest"},
		{"a_b.c/img", "a_b.c/img:latest"},
		{"[::1]:5000/img", "[::1]:5000/img:latest"},
		{"debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ""},
		{"ubuntu@md5:0123456789abcdef0123456789abcdef", ""},
		{"ubuntu@sha256:0123456789abcdef0123456789abcdef", ""},
		{"a..b/img", ""},
		{"a_b:5000/img", ""},
		{"foo:bar/img", ""},
		{"a___b", ""},
		{"a._b", ""},
		{"x/", ""},
		{strings.Repeat("a", 248), ""},
	}
	for _, tt := range tests {
		r, ok := ParseImageRef(tt.in)
		got := ""
		if ok {
			got = r.Canonical()
		}
		if got != tt.want {
			t.Errorf("ParseImageRef(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLookupImage(t *testing.T) {
	tests := []struct {
		ref    string
		want   string // "id version manager", "" when unknown
		own    bool
		moving bool
	}{
		{"ubuntu:20.04", "ubuntu 20.04 apt", true, false},
		{"ubuntu:focal", "ubuntu 20.04 apt", true, false},
		{"ubuntu:jammy-20240101", "ubuntu 22.04 apt", true, false},
		{"ubuntu:26.04", "ubuntu 26.04 apt", true, false},
		{"ubuntu:resolute-20260811.1", "ubuntu 26.04 apt", true, false},
		{"debian:bookworm-slim", "debian 12 apt", true, false},
		{"debian:12.15", "debian 12 apt", true, false},
		{"debian:trixie", "debian 13 apt", true, false},
		{"debian:13-slim", "debian 13 apt", true, false},
		{"rockylinux:9.3", "rocky 9 dnf", true, false},
		{"rockylinux/rockylinux:9", "rocky 9 dnf", true, false},
		{"quay.io/rockylinux/rockylinux:10", "rocky 10 dnf", true, false},
		{"almalinux:8", "almalinux 8 dnf", true, false},
		{"almalinux:10.2", "almalinux 10 dnf", true, false},
		{"almalinux:9-minimal", "", false, false},
		{"almalinux:10-kitten", "", false, false},
		{"fedora:43", "fedora 43 dnf", true, false},
		{"alpine:3.20", "alpine 3.20 apk", true, false},
		{"alpine:3.20.3", "alpine 3.20 apk", true, false},
		{"opensuse/leap:15.6", "opensuse-leap 15.6 zypper", true, false},
		{"opensuse/leap:16.0", "opensuse-leap 16.0 zypper", true, false},
		{"registry.opensuse.org/opensuse/leap:15.6", "opensuse-leap 15.6 zypper", true, false},
		{"quay.io/fenicsproject/stable:current", "", false, false},
		{"example.com/ubuntu:20.04", "", false, false},
		{"ubuntu:16.04", "", false, false},
		{"ubuntu:devel", "", false, false},
		{"fedora:rawhide", "", false, false},
		// Moving tags: the release they named on CatalogueDate.
		{"ubuntu:latest", "ubuntu 26.04 apt", true, true},
		{"ubuntu", "ubuntu 26.04 apt", true, true},
		{"debian", "debian 13 apt", true, true},
		{"debian:stable-slim", "debian 13 apt", true, true},
		{"debian:testing", "debian 14 apt", true, true},
		{"fedora", "fedora 44 dnf", true, true},
		{"alpine:latest", "alpine 3.24 apk", true, true},
		{"almalinux", "almalinux 10 dnf", true, true},
		{"opensuse/leap", "opensuse-leap 16.0 zypper", true, true},
		{"rockylinux", "", false, false},
		// Python: the release in the tag, else the default of the version.
		{"python:3.12-slim-bookworm", "debian 12 apt", false, false},
		{"python:3.12.7-bookworm", "debian 12 apt", false, false},
		{"python:3.11-alpine3.20", "alpine 3.20 apk", false, false},
		{"python:3.12", "debian 13 apt", false, false},
		{"python:3.12-slim", "debian 13 apt", false, false},
		{"python:3.12.7", "debian 12 apt", false, false},
		{"python:3.12.11", "debian 13 apt", false, false},
		{"python:3.10.4-slim", "debian 11 apt", false, false},
		{"python:3.8", "debian 12 apt", false, false},
		{"python:3.8.10", "", false, false}, // buster
		{"python:3", "debian 13 apt", false, false},
		{"python:3.14-alpine", "alpine 3.24 apk", false, false},
		{"python:3.8-alpine", "", false, false},
		{"python", "debian 13 apt", false, true},
		{"python:slim", "debian 13 apt", false, true},
		{"python:3.12-windowsservercore-ltsc2022", "", false, false},
		{"python:3.15-rc", "", false, false},
		{"julia:1.10", "debian 13 apt", false, false},
		{"julia:1.9.3", "debian 12 apt", false, false},
		{"julia:1.10-bookworm", "debian 12 apt", false, false},
		{"julia:latest", "debian 13 apt", false, true},
		{"buildpack-deps:bookworm", "debian 12 apt", false, false},
		{"buildpack-deps:noble-scm", "ubuntu 24.04 apt", false, false},
		// R: r-base follows Debian testing; rocker follows Ubuntu LTS.
		{"r-base:4.6.1", "debian 14 apt", false, false},
		{"r-base:4.4.2", "debian 13 apt", false, false},
		{"r-base:4.2.1", "debian 12 apt", false, false},
		{"r-base", "debian 14 apt", false, true},
		{"rocker/r-ver:4.4.1", "ubuntu 22.04 apt", false, false},
		{"rocker/r-ver:4.4.2", "ubuntu 24.04 apt", false, false},
		{"rocker/tidyverse:4.1", "ubuntu 20.04 apt", false, false},
		{"rocker/rstudio:4", "ubuntu 24.04 apt", false, false},
		{"ghcr.io/rocker-org/geospatial:4.3.2", "ubuntu 22.04 apt", false, false},
		{"rocker/verse:latest", "ubuntu 24.04 apt", false, true},
		{"rocker/r-ver:devel", "ubuntu 26.04 apt", false, true},
		{"rocker/r-ver:4.7.0", "", false, false},
		// conda
		{"mambaorg/micromamba:2.6.1", "debian 13 apt", false, false},
		{"mambaorg/micromamba:1.5.8", "debian 12 apt", false, false},
		{"mambaorg/micromamba:2.3.2-0", "debian 13 apt", false, false},
		{"mambaorg/micromamba:1.5.10-noble", "ubuntu 24.04 apt", false, false},
		{"mambaorg/micromamba:1.4.9", "debian 11 apt", false, false},
		{"mambaorg/micromamba:1.5.8-jammy", "ubuntu 22.04 apt", false, false},
		{"mambaorg/micromamba:2.0.5-debian12-slim", "debian 12 apt", false, false},
		{"mambaorg/micromamba:2.6.1-ubuntu24.04", "ubuntu 24.04 apt", false, false},
		{"mambaorg/micromamba:2.6.1-cuda12.4.1-ubuntu22.04", "ubuntu 22.04 apt", false, false},
		{"mambaorg/micromamba:2.6.1-alpine3.22", "alpine 3.22 apk", false, false},
		{"mambaorg/micromamba:2.6.1-amazon2023", "", false, false},
		{"mambaorg/micromamba", "debian 13 apt", false, true},
		{"mambaorg/micromamba:git-a815800", "", false, false},
		{"continuumio/miniconda3:24.11.1-0", "debian 12 apt", false, false},
		{"continuumio/miniconda3:26.5.3-1", "debian 13 apt", false, false},
		{"continuumio/miniconda3:23.3.1-0", "debian 11 apt", false, false},
		{"continuumio/miniconda3:25.3.1-1", "", false, false},
		{"continuumio/miniconda3", "debian 13 apt", false, true},
		{"continuumio/anaconda3:2024.06-1", "debian 12 apt", false, false},
		{"continuumio/anaconda3", "", false, false},
		// CUDA
		{"nvidia/cuda:12.4.1-runtime-ubuntu22.04", "ubuntu 22.04 apt", false, false},
		{"nvidia/cuda:11.8.0-cudnn8-devel-ubuntu20.04", "ubuntu 20.04 apt", false, false},
		{"nvcr.io/nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04", "ubuntu 24.04 apt", false, false},
		{"nvidia/cuda:12.6.3-devel-rockylinux9", "rocky 9 dnf", false, false},
		{"nvidia/cuda:12.6.3-devel-ubi9", "", false, false},
		{"nvidia/cuda", "", false, false},
		// Jupyter Docker Stacks
		{"quay.io/jupyter/scipy-notebook:ubuntu-24.04", "ubuntu 24.04 apt", false, false},
		{"quay.io/jupyter/scipy-notebook:2025-03-10", "ubuntu 24.04 apt", false, false},
		{"quay.io/jupyter/pytorch-notebook:cuda12-2024-10-07", "ubuntu 24.04 apt", false, false},
		{"jupyter/datascience-notebook:2023-10-20", "ubuntu 22.04 apt", false, false},
		{"jupyter/base-notebook:2021-11-01", "ubuntu 20.04 apt", false, false},
		{"jupyter/base-notebook:2024-08-30", "", false, false},
		{"quay.io/jupyter/minimal-notebook", "ubuntu 24.04 apt", false, true},
		{"jupyter/minimal-notebook:latest", "ubuntu 22.04 apt", false, true},
		{"quay.io/jupyter/scipy-notebook:python-3.13", "", false, false},
	}
	for _, tt := range tests {
		r, ok := ParseImageRef(tt.ref)
		if !ok {
			t.Fatalf("ParseImageRef(%q) failed", tt.ref)
		}
		d, ok := LookupImage(r)
		got := ""
		if ok {
			got = d.ID + " " + d.Version + " " + d.Manager
		}
		if got != tt.want || (ok && (d.Own != tt.own || d.Moving != tt.moving)) {
			t.Errorf("LookupImage(%q) = %q own=%v moving=%v, want %q own=%v moving=%v", tt.ref, got, d.Own, d.Moving, tt.want, tt.own, tt.moving)
		}
	}
}

// Every release a derived image's table names is in the catalogue.
func TestDerivedImagesNameCatalogueReleases(t *testing.T) {
	check := func(where, os string) {
		if os == "" {
			return
		}
		if _, ok := LookupOS(os); !ok {
			t.Errorf("%s names %q, which the catalogue lacks", where, os)
		}
	}
	for name, img := range derivedImages() {
		for _, tag := range []string{"latest", "devel", "ubuntu", "alpine", "debian", "cuda", "3", "1", "4", "2", "4.2", "3.9", "1.6", "24.4.0", "2024.02"} {
			os, _ := img(tag)
			check(name+":"+tag, os)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"3.12.7", "3.12.11", -1},
		{"3.12", "3.12.11", 1},
		{"3.12.11", "3.12.11", 0},
		{"4", "4.6.1", 1},
		{"2024.06", "2024.10", -1},
	}
	for _, tt := range tests {
		a, _ := parseVersion(tt.a)
		b, _ := parseVersion(tt.b)
		if got := compareVersions(a, b); got != tt.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLookupOS(t *testing.T) {
	for _, os := range KnownOS() {
		if _, ok := LookupOS(os); !ok {
			t.Errorf("LookupOS(%q) failed for a value KnownOS lists", os)
		}
	}
	if d, ok := LookupOS("debian:bookworm"); !ok || d.Version != "12" {
		t.Errorf("LookupOS(debian:bookworm) = %+v, %v", d, ok)
	}
	if _, ok := LookupOS("gentoo:1"); ok {
		t.Errorf("LookupOS(gentoo:1) succeeded")
	}
}

func TestCatalogueBoxes(t *testing.T) {
	for _, d := range Distros() {
		if d.Manager == "" || d.Family == "" {
			t.Errorf("%s %s: incomplete entry %+v", d.ID, d.Version, d)
		}
	}
}

func TestImageUsers(t *testing.T) {
	for ref, want := range map[string][]BaseUser{
		"ubuntu:24.04":                                {{"ubuntu", 1000, 1000}},
		"ubuntu:26.04":                                {{"ubuntu", 1000, 1000}},
		"ubuntu:noble-20240801":                       {{"ubuntu", 1000, 1000}},
		"ubuntu:22.04":                                nil,
		"debian:bookworm":                             nil,
		"nvidia/cuda:12.6.3-runtime-ubuntu24.04":      {{"ubuntu", 1000, 1000}},
		"nvidia/cuda:12.4.1-runtime-ubuntu22.04":      nil,
		"quay.io/jupyter/scipy-notebook:ubuntu-24.04": {{"jovyan", 1000, 100}},
		"r-base:4.5.1":                                {{"docker", 1000, 1000}},
		"mambaorg/micromamba:2.6.1-debian13-slim":     {{"mambauser", 57439, 57439}},
		"example.org/unknown:1":                       nil,
	} {
		r, ok := ParseImageRef(ref)
		if !ok {
			t.Fatalf("%q does not parse", ref)
		}
		if got := ImageUsers(r); !slices.Equal(got, want) {
			t.Errorf("ImageUsers(%q) = %v, want %v", ref, got, want)
		}
	}
}
