package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImageToolsOf(t *testing.T) {
	for _, tc := range []struct {
		ref  string
		want ImageTools
	}{
		{"mambaorg/micromamba:2.3.2-debian13-slim", ImageTools{Conda: []string{"micromamba"}}},
		{"ghcr.io/mamba-org/micromamba:latest", ImageTools{Conda: []string{"micromamba"}}},
		{"continuumio/miniconda3", ImageTools{Conda: []string{"conda"}}},
		{"docker.io/continuumio/anaconda3:2024.06-1", ImageTools{Conda: []string{"conda"}}},
		{"quay.io/jupyter/scipy-notebook:2025-08-18", ImageTools{Conda: []string{"mamba", "conda"}}},
		{"jupyter/base-notebook", ImageTools{Conda: []string{"mamba", "conda"}}},
		{"julia:1.11", ImageTools{Julia: "/usr/local/julia/bin/julia"}},
		{"docker.io/library/julia@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ImageTools{Julia: "/usr/local/julia/bin/julia"}},
		{"debian:bookworm", ImageTools{}},
		{"python:3.12", ImageTools{}},
		{"example.org/continuumio/miniconda3", ImageTools{}},
		{"quay.io/jupyterhub/k8s-hub", ImageTools{}},
		{"quay.io/jupyter/repo2docker", ImageTools{}},
	} {
		ref, ok := ParseImageRef(tc.ref)
		if !ok {
			t.Fatalf("%q does not parse", tc.ref)
		}
		if diff := cmp.Diff(tc.want, ImageToolsOf(ref)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.ref, diff)
		}
	}
	if got := CondaTool("micromamba"); got != "/bin/micromamba" {
		t.Errorf("micromamba at %q", got)
	}
	if got := CondaTool("mamba"); got != "/opt/conda/bin/mamba" {
		t.Errorf("mamba at %q", got)
	}
}
