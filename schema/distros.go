package schema

import (
	"strings"

	"github.com/envc-dev/envc/internal/imageref"
)

// Distro is one entry of the distro catalogue.
type Distro struct {
	// ID and Version are os-release style ("ubuntu", "22.04").
	ID      string
	Version string
	// Codename is the release's name where the distro has one ("jammy").
	Codename string
	// Family is "debian", "rhel", "fedora", "alpine" or "suse".
	Family string
	// Manager is "apt", "dnf", "apk" or "zypper".
	Manager string
	// Box is the default Vagrant box; "" when no maintained box is known.
	Box string
	// BoxURL is where Vagrant downloads Box from, when the box needs one.
	BoxURL string
}

// CatalogueDate is the day of the registries' tag lists the catalogue was
// made from: what a moving tag ("latest", "python:3.12") named that day.
const CatalogueDate = "2026-08-21"

// catalogue lists the supported releases. Boxes follow the distro catalogue
// reference (official boxes first, bento where the distro publishes none).
//
// Sources, as of CatalogueDate: the Docker official images' tag lists
// (library/ubuntu, debian, fedora, alpine, almalinux, rockylinux), the
// openSUSE publisher (opensuse/leap:latest is 16.0 since 2026-06-11),
// quay.io/rockylinux/rockylinux:10 as public Dockerfiles use it, and
// bento's list of current boxes (ubuntu-26.04, almalinux-10,
// rockylinux-10, opensuse-leap-16).
//
// Not listed, for want of a source showing them as released images:
// Ubuntu 26.10 (tagged "devel" on CatalogueDate), Fedora 45 ("rawhide"),
// Alpine 3.25. Debian 14 (forky) is Debian testing until its release; it
// is listed because debian:testing and the r-base image are built on it.
// Its packages move, and it has no box.
var catalogue = []Distro{
	{ID: "ubuntu", Version: "18.04", Codename: "bionic", Family: "debian", Manager: "apt", Box: "ubuntu/bionic64"},
	{ID: "ubuntu", Version: "20.04", Codename: "focal", Family: "debian", Manager: "apt", Box: "ubuntu/focal64"},
	{ID: "ubuntu", Version: "22.04", Codename: "jammy", Family: "debian", Manager: "apt", Box: "ubuntu/jammy64"},
	{ID: "ubuntu", Version: "24.04", Codename: "noble", Family: "debian", Manager: "apt", Box: "bento/ubuntu-24.04"},
	{ID: "ubuntu", Version: "26.04", Codename: "resolute", Family: "debian", Manager: "apt", Box: "bento/ubuntu-26.04"},
	{ID: "debian", Version: "11", Codename: "bullseye", Family: "debian", Manager: "apt", Box: "debian/bullseye64"},
	{ID: "debian", Version: "12", Codename: "bookworm", Family: "debian", Manager: "apt", Box: "debian/bookworm64"},
	{ID: "debian", Version: "13", Codename: "trixie", Family: "debian", Manager: "apt", Box: "bento/debian-13"},
	{ID: "debian", Version: "14", Codename: "forky", Family: "debian", Manager: "apt"},
	{ID: "rocky", Version: "8", Family: "rhel", Manager: "dnf", Box: "rockylinux/8"},
	{ID: "rocky", Version: "9", Family: "rhel", Manager: "dnf", Box: "rockylinux/9"},
	{ID: "rocky", Version: "10", Family: "rhel", Manager: "dnf", Box: "bento/rockylinux-10"},
	{ID: "almalinux", Version: "8", Family: "rhel", Manager: "dnf", Box: "almalinux/8"},
	{ID: "almalinux", Version: "9", Family: "rhel", Manager: "dnf", Box: "almalinux/9"},
	{ID: "almalinux", Version: "10", Family: "rhel", Manager: "dnf", Box: "bento/almalinux-10"},
	{ID: "fedora", Version: "40", Family: "fedora", Manager: "dnf", Box: "fedora/40-cloud-base"},
	{ID: "fedora", Version: "41", Family: "fedora", Manager: "dnf", Box: "fedora/41-cloud-base"},
	{ID: "fedora", Version: "42", Family: "fedora", Manager: "dnf", Box: "fedora/42-cloud-base"},
	{ID: "fedora", Version: "43", Family: "fedora", Manager: "dnf", Box: "bento/fedora-43"},
	{ID: "fedora", Version: "44", Family: "fedora", Manager: "dnf", Box: "bento/fedora-44"},
	{ID: "alpine", Version: "3.18", Family: "alpine", Manager: "apk", Box: "generic/alpine318"},
	{ID: "alpine", Version: "3.19", Family: "alpine", Manager: "apk", Box: "generic/alpine319"},
	{ID: "alpine", Version: "3.20", Family: "alpine", Manager: "apk", Box: "cloud-image/alpine-3.20"},
	{ID: "alpine", Version: "3.21", Family: "alpine", Manager: "apk"},
	{ID: "alpine", Version: "3.22", Family: "alpine", Manager: "apk"},
	{ID: "alpine", Version: "3.23", Family: "alpine", Manager: "apk"},
	{ID: "alpine", Version: "3.24", Family: "alpine", Manager: "apk"},
	{ID: "opensuse-leap", Version: "15.5", Family: "suse", Manager: "zypper", Box: "opensuse/Leap-15.5.x86_64"},
	{ID: "opensuse-leap", Version: "15.6", Family: "suse", Manager: "zypper", Box: "opensuse/Leap-15.6.x86_64"},
	{ID: "opensuse-leap", Version: "16.0", Family: "suse", Manager: "zypper", Box: "bento/opensuse-leap-16"},
}

// imageDistroIDs maps a repository path (after normalisation, without the
// docker.io/library prefix) to the catalogue's distro ID.
var imageDistroIDs = map[string]string{
	"ubuntu":                 "ubuntu",
	"debian":                 "debian",
	"rockylinux":             "rocky",
	"rockylinux/rockylinux":  "rocky",
	"rocky":                  "rocky",
	"almalinux":              "almalinux",
	"fedora":                 "fedora",
	"alpine":                 "alpine",
	"opensuse/leap":          "opensuse-leap",
	"opensuse-leap":          "opensuse-leap",
	"opensuse/opensuse-leap": "opensuse-leap",
}

// movingTags are the tags of a distribution's own image that name no
// release but follow the releases, with the one each named on
// CatalogueDate ("latest" stands for no tag too). The library rockylinux
// image has no "latest" tag.
var movingTags = map[string]map[string]string{
	"ubuntu":        {"latest": "26.04", "rolling": "26.04"},
	"debian":        {"latest": "13", "stable": "13", "stable-slim": "13", "oldstable": "12", "oldstable-slim": "12", "oldoldstable": "11", "oldoldstable-slim": "11", "testing": "14", "testing-slim": "14"},
	"fedora":        {"latest": "44"},
	"alpine":        {"latest": "3.24"},
	"almalinux":     {"latest": "10"},
	"opensuse-leap": {"latest": "16.0"},
}

// Distros returns the catalogue, in a stable order.
func Distros() []Distro {
	return append([]Distro(nil), catalogue...)
}

// ImageRef is a parsed container image reference.
type ImageRef struct {
	// Domain is the registry ("docker.io" when none was given; "" when
	// the first component has a '.' but is no host name, "a_b.c/x").
	Domain string
	// Path is the repository path ("library/ubuntu" on Docker Hub).
	Path string
	// Tag is the tag ("latest" when neither tag nor digest was given).
	Tag string
	// Digest is "sha256:..." (or sha384, sha512) when given.
	Digest string
}

// Canonical returns the fully qualified reference.
func (r ImageRef) Canonical() string {
	return imageref.Ref(r).Canonical()
}

// ParseImageRef parses and normalises ref the way Docker does (see
// internal/imageref): a first component that is not "localhost" and has
// no '.', ':' or uppercase letter is a Docker Hub path, and one-element
// Docker Hub names get "library/". It reports false when ref is not a
// valid reference.
func ParseImageRef(ref string) (ImageRef, bool) {
	r, err := imageref.Parse(ref)
	if err != nil {
		return ImageRef{}, false
	}
	return ImageRef(r), true
}

// ImageDistro is what an image's name and tag tell of the distribution
// inside it.
type ImageDistro struct {
	Distro
	// Own is set when the image is the distribution's own ("ubuntu:22.04"),
	// so that the distribution's box starts from the same system; it is
	// false for an image built on one ("python:3.12-slim-bookworm").
	Own bool
	// Moving is set when the tag names no release but follows them
	// ("latest", no tag, "debian:stable", "python:slim"): Distro is the
	// release the tag named on CatalogueDate.
	Moving bool
}

// LookupImage returns the distribution inside ref, judged from the
// image's name and tag: a distribution's own image, or one of the images
// research recipes build on (language, conda, CUDA, R and Jupyter
// images, see images.go). It reports false when the name and tag do not
// say it.
func LookupImage(ref ImageRef) (ImageDistro, bool) {
	path := strings.TrimPrefix(ref.Path, "library/")
	if id, ok := imageDistroIDs[path]; ok && distroRegistries[ref.Domain] {
		if v, ok := movingTags[id][ref.Tag]; ok {
			d, ok := lookupVersion(id, v)
			return ImageDistro{Distro: d, Own: true, Moving: true}, ok
		}
		d, ok := lookupVersion(id, ref.Tag)
		return ImageDistro{Distro: d, Own: true}, ok
	}
	return lookupDerived(ref.Domain, path, ref.Tag)
}

// distroRegistries are the registries whose copies of a distribution's
// image envc recognises by name.
var distroRegistries = map[string]bool{"docker.io": true, "registry.opensuse.org": true, "quay.io": true}

// LookupOS returns the catalogue entry for an `os` value such as
// "ubuntu:20.04", "debian:bookworm" or "rockylinux:9".
func LookupOS(os string) (Distro, bool) {
	name, version, ok := strings.Cut(os, ":")
	if !ok {
		return Distro{}, false
	}
	id, ok := imageDistroIDs[strings.ToLower(name)]
	if !ok {
		return Distro{}, false
	}
	return lookupVersion(id, version)
}

// lookupVersion matches a tag against the releases of id: an exact version
// or codename, a point release of a listed version ("9.3" for "9",
// "12.15" for "12"), or a tag with a suffix ("bookworm-slim",
// "jammy-20240101"; "8-minimal" is not accepted: it uses microdnf).
func lookupVersion(id, tag string) (Distro, bool) {
	if tag == "" || tag == "latest" {
		return Distro{}, false
	}
	base := tag
	if i := strings.IndexByte(base, '-'); i >= 0 {
		suffix := base[i+1:]
		// Minimal images use microdnf; AlmaLinux Kitten is a development
		// stream, not the release its number names.
		if strings.Contains(suffix, "minimal") || strings.Contains(suffix, "kitten") {
			return Distro{}, false
		}
		base = base[:i]
	}
	var best *Distro
	for i := range catalogue {
		d := &catalogue[i]
		if d.ID != id {
			continue
		}
		if base == d.Version || (d.Codename != "" && base == d.Codename) || strings.HasPrefix(base, d.Version+".") {
			if best == nil || len(d.Version) > len(best.Version) {
				best = d
			}
		}
	}
	if best == nil {
		return Distro{}, false
	}
	return *best, true
}

// KnownOS lists the `os` values the catalogue accepts, for diagnostics.
func KnownOS() []string {
	var out []string
	for _, d := range catalogue {
		name := d.ID
		switch name {
		case "rocky":
			name = "rockylinux"
		case "opensuse-leap":
			name = "opensuse/leap"
		}
		out = append(out, name+":"+d.Version)
	}
	return out
}
