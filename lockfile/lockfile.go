package lockfile

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Version is the format version Write writes and Read reads.
const Version = 1

// Path returns the lock file of the spec at spec: beside it, its name
// with ".hcl" replaced by ".lock.hcl" (spec.hcl -> spec.lock.hcl).
func Path(spec string) string {
	return strings.TrimSuffix(spec, ".hcl") + ".lock.hcl"
}

// File is a whole lock file.
type File struct {
	// Spec is the base name of the spec the lock was made from, for the
	// header comment.
	Spec string
	// Envs are the locked environments, in name order once Sorted.
	Envs []*Env
}

// Env is one environment's (or, in Env.Stages, one stage's) lock.
type Env struct {
	Name string
	// Base is the base image as the spec wrote it; Digest is the digest
	// the registry gave for it (of the image index, when the image has
	// one: it holds for every platform).
	Base   string
	Digest string
	// Box and BoxVersion are the Vagrant box the environment boots and
	// its version; BoxVersion is "" when neither the spec nor the build
	// could tell it. Stages have neither.
	Box        string
	BoxVersion string
	// Platforms hold the packages installed, per platform.
	Platforms []*Platform
	// Stages are the lock of each stage the environment copies from.
	Stages []*Env

	DeclRange hcl.Range
}

// Platform is what one platform's build installed.
type Platform struct {
	// Name is "os/arch[/variant]".
	Name string
	// Manager is the package manager: apt, dnf, apk or zypper.
	Manager string
	// Packages are the packages the spec asks for, by name, with the
	// version installed; Dependencies are the packages they (or the
	// steps) pulled in: every package installed or changed after the
	// base image, that the spec does not name.
	Packages     map[string]string
	Dependencies map[string]string
	// Pip are the pip installations, one per location.
	Pip []*Pip

	DeclRange hcl.Range
}

// Pip is what pip installed in one location: "system" (the system's
// Python), "user:NAME" (pip --user as NAME) or "venv:/PATH" (a virtual
// environment). Names are normalised as PEP 503 says (lowercase, runs of
// "-", "_" and "." as "-").
type Pip struct {
	Location     string
	Packages     map[string]string
	Dependencies map[string]string

	DeclRange hcl.Range
}

// Lookup returns the environment named name, or nil.
func (f *File) Lookup(name string) *Env {
	if f == nil {
		return nil
	}
	for _, e := range f.Envs {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Stage returns the stage named name, or nil.
func (e *Env) Stage(name string) *Env {
	if e == nil {
		return nil
	}
	for _, s := range e.Stages {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Platform returns the platform named name, or nil.
func (e *Env) Platform(name string) *Platform {
	if e == nil {
		return nil
	}
	for _, p := range e.Platforms {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Pip returns the pip installation at location, or nil.
func (p *Platform) PipAt(location string) *Pip {
	for _, x := range p.Pip {
		if x.Location == location {
			return x
		}
	}
	return nil
}

// Put adds e to f, replacing the environment of the same name.
func (f *File) Put(e *Env) {
	for i, old := range f.Envs {
		if old.Name == e.Name {
			f.Envs[i] = e
			return
		}
	}
	f.Envs = append(f.Envs, e)
}

// Sort puts every list of f in name order.
func (f *File) Sort() {
	sort.Slice(f.Envs, func(i, j int) bool { return f.Envs[i].Name < f.Envs[j].Name })
	for _, e := range f.Envs {
		e.sort()
	}
}

func (e *Env) sort() {
	sort.Slice(e.Platforms, func(i, j int) bool { return e.Platforms[i].Name < e.Platforms[j].Name })
	for _, p := range e.Platforms {
		sort.Slice(p.Pip, func(i, j int) bool { return p.Pip[i].Location < p.Pip[j].Location })
	}
	sort.Slice(e.Stages, func(i, j int) bool { return e.Stages[i].Name < e.Stages[j].Name })
	for _, s := range e.Stages {
		s.sort()
	}
}

var (
	digestPattern   = lazyre.New(`^sha256:[0-9a-f]{64}$|^sha384:[0-9a-f]{96}$|^sha512:[0-9a-f]{128}$`)
	namePattern     = lazyre.New(`^[a-z0-9][a-z0-9._-]*$`)
	platformPattern = lazyre.New(`^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$`)
	// A package name and a version as the managers print them: no white
	// space, quotes or shell characters.
	pkgNamePattern  = lazyre.New(`^[A-Za-z0-9_+][A-Za-z0-9_+.:@-]*$`)
	versionPattern  = lazyre.New(`^[A-Za-z0-9_+.:~!*-]+$`)
	locationPattern = lazyre.New(`^(system|user:[a-z_][a-z0-9_.-]*|venv:/[A-Za-z0-9._+@/-]*)$`)
	managers        = []string{"apt", "dnf", "apk", "zypper"}
)

// Read parses a lock file. Every problem is reported at its position;
// the File is complete only when the diagnostics hold no error.
func Read(filename string, src []byte) (*File, *hcl.File, hcl.Diagnostics) {
	hf, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, hf, diags
	}
	r := &reader{}
	f := r.file(hf.Body)
	return f, hf, append(diags, r.diags...)
}

type reader struct{ diags hcl.Diagnostics }

func (r *reader) errorf(rng hcl.Range, summary, detail string, args ...any) {
	r.diags = append(r.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  rng.Ptr(),
	})
}

var fileSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "version", Required: true}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "environment", LabelNames: []string{"name"}}},
}

func (r *reader) file(body hcl.Body) *File {
	content, diags := body.Content(fileSchema)
	r.diags = append(r.diags, diags...)
	f := &File{}
	if a := content.Attributes["version"]; a != nil {
		v, d := a.Expr.Value(nil)
		r.diags = append(r.diags, d...)
		if !d.HasErrors() && (v.Type() != cty.Number || !v.RawEquals(cty.NumberIntVal(Version))) {
			r.errorf(a.Expr.Range(), "Unsupported lock file version",
				"This envc reads lock files of version %d. Write the lock anew with envc lock --update.", Version)
		}
	}
	seen := map[string]hcl.Range{}
	for _, b := range content.Blocks {
		r.checkName(b, seen, namePattern(), "environment name")
		f.Envs = append(f.Envs, r.env(b, true))
	}
	return f
}

// checkName checks a block's label against pattern and its uniqueness.
func (r *reader) checkName(b *hcl.Block, seen map[string]hcl.Range, pattern *regexp.Regexp, what string) {
	name := b.Labels[0]
	if !pattern.MatchString(name) {
		r.errorf(b.LabelRanges[0], "Invalid "+what, "%q is not a valid %s.", name, what)
	}
	if prev, dup := seen[name]; dup {
		r.errorf(b.LabelRanges[0], "Duplicate "+what, "%q is locked twice; the first is at %s. Remove one, or write the lock anew with envc lock --update.", name, prev)
	}
	seen[name] = b.DefRange
}

func envSchema(top bool) *hcl.BodySchema {
	s := &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "base", Required: true}, {Name: "digest"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "platform", LabelNames: []string{"name"}}},
	}
	if top {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: "box"}, hcl.AttributeSchema{Name: "box_version"})
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: "stage", LabelNames: []string{"name"}})
	}
	return s
}

func (r *reader) env(b *hcl.Block, top bool) *Env {
	e := &Env{Name: b.Labels[0], DeclRange: b.DefRange}
	content, diags := b.Body.Content(envSchema(top))
	r.diags = append(r.diags, diags...)
	e.Base = r.str(content.Attributes["base"])
	if a := content.Attributes["digest"]; a != nil {
		e.Digest = r.str(a)
		if !digestPattern().MatchString(e.Digest) {
			r.errorf(a.Expr.Range(), "Invalid digest", "%q is not an image digest: write \"sha256:\" and 64 lowercase hexadecimal digits.", e.Digest)
		}
	}
	e.Box = r.str(content.Attributes["box"])
	e.BoxVersion = r.str(content.Attributes["box_version"])
	platforms := map[string]hcl.Range{}
	stages := map[string]hcl.Range{}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "platform":
			r.checkName(blk, platforms, platformPattern(), "platform")
			e.Platforms = append(e.Platforms, r.platform(blk))
		case "stage":
			r.checkName(blk, stages, namePattern(), "stage name")
			e.Stages = append(e.Stages, r.env(blk, false))
		}
	}
	return e
}

var platformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "manager"}, {Name: "packages"}, {Name: "dependencies"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "pip", LabelNames: []string{"location"}}},
}

var pipSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "packages"}, {Name: "dependencies"}},
}

func (r *reader) platform(b *hcl.Block) *Platform {
	p := &Platform{Name: b.Labels[0], DeclRange: b.DefRange}
	content, diags := b.Body.Content(platformSchema)
	r.diags = append(r.diags, diags...)
	if a := content.Attributes["manager"]; a != nil {
		p.Manager = r.str(a)
		if !slices.Contains(managers, p.Manager) {
			r.errorf(a.Expr.Range(), "Unknown package manager", "%q is not a package manager envc drives: use one of %s.", p.Manager, strings.Join(managers, ", "))
		}
	}
	p.Packages = r.strMap(content.Attributes["packages"])
	p.Dependencies = r.strMap(content.Attributes["dependencies"])
	seen := map[string]hcl.Range{}
	for _, blk := range content.Blocks {
		r.checkName(blk, seen, locationPattern(), "pip location")
		x := &Pip{Location: blk.Labels[0], DeclRange: blk.DefRange}
		c, diags := blk.Body.Content(pipSchema)
		r.diags = append(r.diags, diags...)
		x.Packages = r.strMap(c.Attributes["packages"])
		x.Dependencies = r.strMap(c.Attributes["dependencies"])
		p.Pip = append(p.Pip, x)
	}
	return p
}

// str evaluates a string attribute (a == nil: "").
func (r *reader) str(a *hcl.Attribute) string {
	if a == nil {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() {
		return ""
	}
	if v.Type() != cty.String || v.IsNull() {
		r.errorf(a.Expr.Range(), "String expected", "The %s is written as a quoted string.", a.Name)
		return ""
	}
	s := v.AsString()
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		r.errorf(a.Expr.Range(), "Invalid character", "The %s holds a control character.", a.Name)
		return ""
	}
	return s
}

// strMap evaluates a map of package names to versions (a == nil: nil).
func (r *reader) strMap(a *hcl.Attribute) map[string]string {
	if a == nil {
		return nil
	}
	v, diags := a.Expr.Value(nil)
	r.diags = append(r.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() || v.IsNull() {
		r.errorf(a.Expr.Range(), "Map expected", "The %s are written as a map of names to versions: { name = \"1.2-3\" }.", a.Name)
		return nil
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		name := k.AsString()
		if val.Type() != cty.String || val.IsNull() {
			r.errorf(a.Expr.Range(), "String expected", "The version of %q in %s is written as a quoted string.", name, a.Name)
			continue
		}
		version := val.AsString()
		if !pkgNamePattern().MatchString(name) || !versionPattern().MatchString(version) {
			r.errorf(a.Expr.Range(), "Invalid package", "%q = %q in %s is not a package name and version envc can pin.", name, version, a.Name)
			continue
		}
		out[name] = version
	}
	return out
}

// NormalizePip returns a Python package name as PEP 503 compares names:
// lowercase, each run of "-", "_" and "." as one "-".
func NormalizePip(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}
