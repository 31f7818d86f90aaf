package compiler

import (
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

// lowerBase lowers the base image and the distribution (os) of an
// environment that is not built on another.
func (el *envLowerer) lowerBase() {
	var imageDistro *ir.Distro // the distribution the image's name tells
	if el.e.Base != nil && el.parent == nil {
		imageDistro = el.lowerImage()
	}
	if el.e.OS != nil {
		el.lowerOS(imageDistro)
	}
}

// lowerImage lowers the base attribute and returns the distribution the
// image's name tells, if envc knows it.
func (el *envLowerer) lowerImage() *ir.Distro {
	a := el.e.Base
	s, ok := el.str(a, "base image")
	if !ok {
		return nil
	}
	// As strict as what BuildKit and Docker parse the reference with.
	ref, ok := schema.ParseImageRef(s)
	if !ok {
		el.errorf(a.Expr.Range(), "Invalid image reference",
			"%q is not a valid image reference. Write it as name:tag, e.g. \"ubuntu:22.04\" or \"quay.io/org/image:1.0\".", s)
		return nil
	}
	el.env.Base = ir.Image{Ref: s, Canonical: ref.Canonical(), Range: a.Expr.Range()}
	d, ok := schema.LookupImage(ref)
	if !ok {
		return nil
	}
	imageDistro := irDistro(d.Distro)
	el.env.Base.DistroFromName = d.Own
	if el.e.OS == nil {
		el.env.Distro = imageDistro
		if d.Moving {
			el.warn(LintBaseTagMoves, a.Expr.Range(),
				"The tag of %q names no release but follows them; envc takes it as %s %s, the release it named on %s. Write a tag that names the release (or add os = \"<distro>:<version>\") so that every target keeps building on the same system.",
				s, d.ID, d.Version, schema.CatalogueDate)
		}
	}
	if !d.Own {
		return nil
	}
	return imageDistro
}

// lowerOS lowers the os attribute, which names the distribution even when
// the image's name tells another (imageDistro).
func (el *envLowerer) lowerOS(imageDistro *ir.Distro) {
	a := el.e.OS
	s, ok := el.str(a, "os")
	if !ok {
		return
	}
	d, ok := schema.LookupOS(s)
	if !ok {
		el.errorf(a.Expr.Range(), "Unknown distribution",
			"envc does not know the distribution %q. Use one of: %s.", s, strings.Join(schema.KnownOS(), ", "))
		return
	}
	el.env.Base.DistroFromName = imageDistro != nil && imageDistro.ID == d.ID && imageDistro.Version == d.Version
	el.env.Distro = irDistro(d)
}

func irDistro(d schema.Distro) *ir.Distro {
	return &ir.Distro{ID: d.ID, Version: d.Version, Codename: d.Codename, Family: d.Family, Manager: ir.PackageManager(d.Manager), Box: d.Box, BoxURL: d.BoxURL}
}

// lowerPackages lowers the environment's recommends and packages: the
// step installing the packages, nil when there is none.
func (el *envLowerer) lowerPackages() *ir.InstallStep {
	if a := el.e.Recommends; a != nil {
		el.recommends, _ = el.boolean(a, "recommends")
	}
	if el.e.Packages == nil {
		return nil
	}
	return el.lowerInstall(el.e.Packages, el.recommends)
}

// lowerInstall lowers a packages attribute (the environment's or a
// step's) to the step installing them; nil when there is nothing to
// install or no way to.
func (el *envLowerer) lowerInstall(a *hcl.Attribute, recommends bool) *ir.InstallStep {
	items, _ := el.strList(a, "packages")
	install := el.installStep(items, a.Expr.Range())
	if install != nil {
		install.Recommends = recommends
	}
	return install
}

// installStep validates package names and returns the step installing
// them with the environment's package manager; nil when there is nothing
// to install or no way to.
func (el *envLowerer) installStep(items []item, rng hcl.Range) *ir.InstallStep {
	env := el.env
	var pkgs []string
	seen := map[string]bool{}
	for _, it := range items {
		if !isPackageWord(it.Value) || len(it.Value) > 256 {
			el.errorf(it.Range, "Invalid package name",
				"%q is not a package name: a name starts with a letter or digit and holds no spaces or shell characters (a version constraint such as \"pkg=1.2.*\" is fine).", it.Value)
			continue
		}
		if env.Distro != nil {
			if why := packageProblem(env.Distro.Manager, it.Value); why != "" {
				el.errorf(it.Range, "Invalid package name", "%q %s.", it.Value, why)
				continue
			}
		}
		if seen[it.Value] {
			continue
		}
		seen[it.Value] = true
		pkgs = append(pkgs, it.Value)
	}
	if len(pkgs) == 0 {
		return nil
	}
	if env.Distro == nil {
		if el.e.OS == nil && env.Base.Ref != "" {
			el.errorf(env.Base.Range, "Unknown distribution",
				"envc cannot tell which distribution the image %q is based on, so it does not know how to install packages. Add os = \"<distro>:<version>\" to the environment, using one of: %s.",
				env.Base.Ref, strings.Join(schema.KnownOS(), ", "))
		}
		return nil
	}
	return &ir.InstallStep{Manager: env.Distro.Manager, Packages: pkgs, Range: rng}
}
