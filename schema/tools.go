package schema

import (
	"strings"
	"sync"
)

// ImageTools are the package managers an image brings beside its
// distribution's, as its build files install them (as of CatalogueDate):
// what conda and julia blocks run.
type ImageTools struct {
	// Conda lists the conda installers the image has, the default first
	// ("conda", "mamba", "micromamba"). Their root prefix is CondaRoot.
	Conda []string
	// Julia is the path of the image's julia; "" for none.
	Julia string
}

// CondaRoot is the root prefix of the conda installation of every image
// ImageToolsOf knows to have one: the base environment, with named
// environments under envs/.
const CondaRoot = "/opt/conda"

// CondaTool returns the path of a conda installer in an image that has
// it.
func CondaTool(installer string) string {
	if installer == "micromamba" {
		// mamba-org/micromamba-docker: MAMBA_EXE.
		return "/bin/micromamba"
	}
	return CondaRoot + "/bin/" + installer
}

// imageTools maps "registry/path" to the tools of the image. It is built
// when first used.
var imageTools = sync.OnceValue(func() map[string]ImageTools {
	tools := map[string]ImageTools{
		// anaconda/docker-images: Miniconda and Anaconda in /opt/conda.
		"docker.io/continuumio/miniconda3": {Conda: []string{"conda"}},
		"docker.io/continuumio/anaconda3":  {Conda: []string{"conda"}},
		// mamba-org/micromamba-docker: MAMBA_EXE=/bin/micromamba,
		// MAMBA_ROOT_PREFIX=/opt/conda.
		"docker.io/mambaorg/micromamba": {Conda: []string{"micromamba"}},
		"ghcr.io/mamba-org/micromamba":  {Conda: []string{"micromamba"}},
		// jupyter/docker-stacks: docker-stacks-foundation installs Miniforge
		// (mamba and conda) in CONDA_DIR=/opt/conda; every image builds on it.
		"quay.io/jupyter/":   {Conda: []string{"mamba", "conda"}},
		"docker.io/jupyter/": {Conda: []string{"mamba", "conda"}},
		// docker-library/julia: JULIA_PATH=/usr/local/julia.
		"docker.io/julia": {Julia: "/usr/local/julia/bin/julia"},
	}
	// jupyter/docker-stacks: docker-stacks-foundation installs Miniforge
	// (mamba and conda) in CONDA_DIR=/opt/conda; every image builds on it.
	for _, name := range jupyterStacks {
		tools["quay.io/jupyter/"+name] = ImageTools{Conda: []string{"mamba", "conda"}}
		tools["docker.io/jupyter/"+name] = ImageTools{Conda: []string{"mamba", "conda"}}
	}
	return tools
})

// ImageToolsOf returns the tools an image brings, judged from its name
// (any tag): none for an image envc does not know.
func ImageToolsOf(ref ImageRef) ImageTools {
	path := strings.TrimPrefix(ref.Path, "library/")
	return imageTools()[ref.Domain+"/"+path]
}

// ImagesWithConda and ImagesWithJulia name the images ImageToolsOf knows
// to have them, for diagnostics.
const (
	ImagesWithConda = "mambaorg/micromamba, continuumio/miniconda3, continuumio/anaconda3 or a Jupyter docker-stacks image (quay.io/jupyter/...)"
	ImagesWithJulia = "julia (the official image, e.g. julia:1.11)"
)
