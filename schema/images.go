package schema

import (
	"strconv"
	"strings"
	"sync"
)

// Images built on a distribution, recognised by name and tag: the
// language, conda, CUDA, R and Jupyter images research recipes start from.
// Each table maps tags to the release the image was built on, read from
// the image's own build files and tag lists as of CatalogueDate (sources
// in each table's comment). A tag whose release cannot be told (a base
// outside the catalogue, a version built on two releases, a tag that
// names no version and is no moving tag) is not recognised, and the spec
// needs an `os`.

// A derivedImage tells the release inside an image from its tag.
type derivedImage func(tag string) (os string, moving bool)

// derivedImages maps "registry/path" to the image's table. It is built
// when first used, not when envc starts: most commands never look an
// image up.
var derivedImages = sync.OnceValue(func() map[string]derivedImage {
	images := map[string]derivedImage{
		// docker-library/python, as listed in the official images' library/python
		// and its history: the tag of a version (and its -slim tag) is the
		// image of the version built on the Debian release that was the
		// default when the version was last built.
		"docker.io/python": officialImage(versionSteps{
			"3.6":  {{"3.6.14", "debian:11"}},
			"3.7":  {{"3.7.11", "debian:11"}, {"3.7.17", "debian:12"}},
			"3.8":  {{"3.8.11", "debian:11"}, {"3.8.17", "debian:12"}},
			"3.9":  {{"3.9.6", "debian:11"}, {"3.9.17", "debian:12"}, {"3.9.23", "debian:13"}},
			"3.10": {{"3.10.0", "debian:11"}, {"3.10.12", "debian:12"}, {"3.10.18", "debian:13"}},
			"3.11": {{"3.11.0", "debian:11"}, {"3.11.4", "debian:12"}, {"3.11.13", "debian:13"}},
			"3.12": {{"3.12.0", "debian:12"}, {"3.12.11", "debian:13"}},
			"3.13": {{"3.13.0", "debian:12"}, {"3.13.6", "debian:13"}},
			"3.14": {{"3.14.0", "debian:13"}},
			"3":    {{"3", "debian:13"}},
		}, "debian:13", "alpine:3.24", "slim"),
		// docker-library/julia, from library/julia and its history, as python.
		"docker.io/julia": officialImage(versionSteps{
			"1.0":  {{"1.0.5", "debian:11"}},
			"1.6":  {{"1.6.4", "debian:11"}, {"1.6.7", "debian:12"}},
			"1.7":  {{"1.7.0", "debian:11"}},
			"1.8":  {{"1.8.0", "debian:11"}},
			"1.9":  {{"1.9.0", "debian:11"}, {"1.9.1", "debian:12"}},
			"1.10": {{"1.10.0", "debian:12"}, {"1.10.10", "debian:13"}},
			"1.11": {{"1.11.0", "debian:12"}, {"1.11.6", "debian:13"}},
			"1.12": {{"1.12.0", "debian:13"}},
			"1":    {{"1", "debian:13"}},
		}, "debian:13", "", ""),
		// docker-library/buildpack-deps: tags name the release ("bookworm",
		// "noble-scm"); "latest" was trixie.
		"docker.io/buildpack-deps": officialImage(nil, "debian:13", "", "curl", "scm"),
		// r-base (rocker-org/rocker r-base/*/Dockerfile) is FROM debian:testing:
		// an R version's image was last rebuilt while it was the current one,
		// on the Debian testing of that time (bullseye until 2021-08-14,
		// bookworm until 2023-06-10, trixie until 2025-08-09, then forky).
		"docker.io/r-base": steppedImage(versionSteps{"": {
			{"3.6.1", "debian:11"}, {"4.1.1", "debian:12"}, {"4.3.0", "debian:13"}, {"4.5.1", "debian:14"},
		}}, "", "debian:14", nil),
		// conda: mamba-org/micromamba-docker's push workflow and changelog.
		// Tags name the base ("2.6.1-debian13-slim", "ubuntu24.04",
		// "cuda12.4.1-ubuntu22.04", before 2024-09 "1.5.8-bookworm-slim");
		// a version alone was built on debian:bullseye-slim before 1.5.0,
		// bookworm-slim before 2.3.2, then debian:13-slim.
		"docker.io/mambaorg/micromamba": micromamba,
		"ghcr.io/mamba-org/micromamba":  micromamba,
		// anaconda/docker-images (formerly ContinuumIO) miniconda3/debian: a tag
		// is the Miniconda version pushed once from its git tag; 24.3.0 and
		// 25.3.1 were built on two releases.
		"docker.io/continuumio/miniconda3": steppedImage(versionSteps{"": {
			{"4.11.0", "debian:11"}, {"24.3.0", ""}, {"24.4.0", "debian:12"}, {"25.3.1", ""}, {"25.4.0", "debian:13"},
		}}, "", "debian:13", nil),
		"docker.io/continuumio/anaconda3": steppedImage(versionSteps{"": {
			{"2024.02", "debian:11"}, {"2024.06", "debian:12"}, {"2024.10", ""},
		}}, "", "", nil),
		// nvidia/cuda: the tag ends in the base ("12.4.1-runtime-ubuntu22.04",
		// "12.6.3-devel-rockylinux9"); ubi, centos and oraclelinux bases are
		// outside the catalogue. There is no "latest" tag.
		"docker.io/nvidia/cuda": cudaImage,
		"nvcr.io/nvidia/cuda":   cudaImage,
	}
	// rocker-org/rocker-versioned2: every image of the stack is FROM
	// rocker/r-ver, FROM the Ubuntu LTS current at 90 days when the R
	// version came out (dockerfiles/r-ver_*.Dockerfile and their history,
	// up to R 4.6.1); "devel" is FROM ubuntu:latest. Later R versions are
	// not recognised.
	rocker := steppedImage(versionSteps{"": {
		{"4.0.0", "ubuntu:20.04"}, {"4.2.2", "ubuntu:22.04"}, {"4.4.2", "ubuntu:24.04"},
	}}, "4.6.1", "ubuntu:24.04", map[string]string{"devel": "ubuntu:26.04"})
	for _, name := range []string{"r-ver", "rstudio", "tidyverse", "verse", "geospatial", "shiny", "shiny-verse", "binder"} {
		images["docker.io/rocker/"+name] = rocker
		images["ghcr.io/rocker-org/"+name] = rocker
	}
	// jupyter/docker-stacks: images on quay.io since 2023-10-20 (Docker
	// Hub's jupyter/* stopped then, on Ubuntu 22.04). Tags: "ubuntu-24.04",
	// a build date (Ubuntu 20.04 from 2020-05-28, 22.04 from 2022-05-01,
	// 24.04 from 2024-08-30; the days of a switch are not recognised),
	// optionally after "x86_64-", "aarch64-" or "cudaN-".
	for _, name := range jupyterStacks {
		images["quay.io/jupyter/"+name] = jupyterImage("ubuntu:24.04")
		images["docker.io/jupyter/"+name] = jupyterImage("ubuntu:22.04")
	}
	return images
})

// jupyterStacks are the images of jupyter/docker-stacks.
var jupyterStacks = []string{"docker-stacks-foundation", "base-notebook", "minimal-notebook", "scipy-notebook", "r-notebook", "julia-notebook", "tensorflow-notebook", "pytorch-notebook", "datascience-notebook", "pyspark-notebook", "all-spark-notebook"}

// lookupDerived returns the distribution of an image built on one.
func lookupDerived(domain, path, tag string) (ImageDistro, bool) {
	img, ok := derivedImages()[domain+"/"+path]
	if !ok {
		return ImageDistro{}, false
	}
	os, moving := img(tag)
	if os == "" {
		return ImageDistro{}, false
	}
	d, ok := LookupOS(os)
	return ImageDistro{Distro: d, Moving: moving}, ok
}

// A versionStep says that versions from From on (up to the next step)
// were built on OS ("" for a release outside the catalogue or unknown).
type versionStep struct {
	From string
	OS   string
}

// versionSteps holds, for each version line ("3.12"; "" for one list of
// all versions), its steps in ascending order.
type versionSteps map[string][]versionStep

// find returns the OS of version v in line. A shorter version ("3.12"
// against steps of "3.12.x") stands for the newest of its line.
func (s versionSteps) find(line, v string) string {
	want, ok := parseVersion(v)
	if !ok {
		return ""
	}
	os := ""
	for _, st := range s[line] {
		from, _ := parseVersion(st.From)
		if compareVersions(want, from) < 0 {
			break
		}
		os = st.OS
	}
	return os
}

// parseVersion parses "3.12.7" (or "2024.06") into its numbers.
func parseVersion(v string) ([]int, bool) {
	if v == "" {
		return nil, false
	}
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 9 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// compareVersions compares a and b part by part; a missing part is
// greater than any (so "3.12" sorts after every "3.12.x").
func compareVersions(a, b []int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a) && i >= len(b):
			return 0
		case i >= len(a):
			return 1
		case i >= len(b):
			return -1
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// releaseToken returns the release a tag part names: a Debian or Ubuntu
// codename ("bookworm", "jammy") or a distribution and version glued
// together ("debian13", "ubuntu22.04", "alpine3.20", "rockylinux9").
func releaseToken(tok string) (string, bool) {
	for _, d := range catalogue {
		if d.Family == "debian" && d.Codename == tok {
			return d.ID + ":" + d.Version, true
		}
	}
	for prefix, name := range map[string]string{"debian": "debian", "ubuntu": "ubuntu", "alpine": "alpine", "rockylinux": "rockylinux"} {
		if v, ok := strings.CutPrefix(tok, prefix); ok {
			if _, ok := parseVersion(v); ok {
				return name + ":" + v, true
			}
		}
	}
	return "", false
}

// officialImage reads the tags of a Docker official image built on
// Debian: "3.12.7", "3.12-slim", "3.12-slim-bookworm", "bookworm",
// "3.12-alpine3.20", "latest". steps maps a version to the default
// release; current is the release of tags without a version ("latest",
// "slim"); alpine is the release of "-alpine" for the versions steps
// build on current; words are the variant words a tag may hold.
func officialImage(steps versionSteps, current, alpine string, words ...string) derivedImage {
	return func(tag string) (string, bool) {
		var version, release string
		bareAlpine := false
		for i, tok := range strings.Split(tag, "-") {
			if r, ok := releaseToken(tok); ok {
				release = r
				continue
			}
			switch {
			case tok == "alpine":
				bareAlpine = true
			case i == 0 && tok != "" && tok[0] >= '0' && tok[0] <= '9':
				version = tok
			case i == 0 && tok == "latest":
			case contains(words, tok):
			default:
				return "", false
			}
		}
		if release != "" {
			if bareAlpine {
				return "", false
			}
			return release, false
		}
		if version == "" {
			if bareAlpine {
				return alpine, true
			}
			return current, true
		}
		line := version
		if i := strings.LastIndexByte(version, '.'); i >= 0 && strings.Count(version, ".") == 2 {
			line = version[:i]
		}
		os := steps.find(line, version)
		if bareAlpine {
			if os != current {
				return "", false
			}
			return alpine, false
		}
		return os, false
	}
}

// steppedImage reads tags that are a version ("4.4.1", "25.3.1-1",
// "2024.06-1"), "latest" (latest, moving) or one of named (moving). A
// version after newest, when set, is not recognised.
func steppedImage(steps versionSteps, newest string, latest string, named map[string]string) derivedImage {
	return func(tag string) (string, bool) {
		if tag == "latest" {
			return latest, true
		}
		if os, ok := named[tag]; ok {
			return os, true
		}
		version, build, _ := strings.Cut(tag, "-")
		if build != "" {
			if _, err := strconv.Atoi(build); err != nil {
				return "", false
			}
		}
		v, ok := parseVersion(version)
		if !ok {
			return "", false
		}
		if max, _ := parseVersion(newest); newest != "" && len(v) == len(max) && compareVersions(v, max) > 0 {
			return "", false
		}
		return steps.find("", version), false
	}
}

// micromamba reads mambaorg/micromamba's tags.
func micromamba(tag string) (string, bool) {
	switch tag {
	case "latest", "debian", "debian-slim":
		return "debian:13", true
	case "ubuntu":
		return "ubuntu:26.04", true
	case "alpine":
		return "alpine:3.22", true
	case "cuda":
		return "ubuntu:24.04", true
	}
	var version, release string
	for i, tok := range strings.Split(tag, "-") {
		if r, ok := releaseToken(tok); ok {
			release = r
			continue
		}
		switch {
		case i == 0 && tok != "" && tok[0] >= '0' && tok[0] <= '9':
			version = tok
		case i == 1 && version != "" && isDigits(tok):
			// the image's build number ("2.3.2-0")
		case tok == "slim", strings.HasPrefix(tok, "cuda"):
		default:
			return "", false
		}
	}
	if release != "" {
		return release, false
	}
	return versionSteps{"": {{"0", "debian:11"}, {"1.5.0", "debian:12"}, {"2.3.2", "debian:13"}}}.find("", version), false
}

// cudaImage reads nvidia/cuda's tags: the last part names the base.
func cudaImage(tag string) (string, bool) {
	parts := strings.Split(tag, "-")
	if r, ok := releaseToken(parts[len(parts)-1]); ok && len(parts) > 1 && !strings.HasPrefix(r, "debian:") {
		return r, false
	}
	return "", false
}

// jupyterImage reads a Jupyter Docker Stacks image's tags; latest is the
// release of its "latest" tag.
func jupyterImage(latest string) derivedImage {
	return func(tag string) (string, bool) {
		for _, p := range []string{"x86_64-", "aarch64-", "cuda-", "cuda11-", "cuda12-", "cuda13-"} {
			tag = strings.TrimPrefix(tag, p)
		}
		if tag == "latest" {
			return latest, true
		}
		if v, ok := strings.CutPrefix(tag, "ubuntu-"); ok {
			return "ubuntu:" + v, false
		}
		if len(tag) != len("2006-01-02") || tag[4] != '-' || tag[7] != '-' {
			return "", false
		}
		if _, ok := parseVersion(strings.ReplaceAll(tag, "-", ".")); !ok {
			return "", false
		}
		// Dates compare as strings.
		switch {
		case tag >= "2020-05-29" && tag < "2022-05-01":
			return "ubuntu:20.04", false
		case tag > "2022-05-01" && tag < "2024-08-30":
			return "ubuntu:22.04", false
		case tag > "2024-08-30":
			return "ubuntu:24.04", false
		}
		return "", false
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
