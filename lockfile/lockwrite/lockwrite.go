package lockwrite

import (
	"strings"

	"github.com/envc-dev/envc/lockfile"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Write returns f as lock file text: deterministic, in name order.
func Write(f *lockfile.File) []byte {
	f.Sort()
	out := hclwrite.NewEmptyFile()
	b := out.Body()
	b.SetAttributeValue("version", cty.NumberIntVal(lockfile.Version))
	for _, e := range f.Envs {
		b.AppendNewline()
		writeEnv(b.AppendNewBlock("environment", []string{e.Name}).Body(), e)
	}
	spec := f.Spec
	if spec == "" {
		spec = "the spec"
	}
	head := "# envc lock file of " + oneLine(spec) + ", written by envc lock: the base images, packages\n" +
		"# and boxes its environments got. envc compile pins every target to it.\n" +
		"# Commit it beside the spec; refresh it on purpose with envc lock --update.\n\n"
	return append([]byte(head), hclwrite.Format(out.Bytes())...)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func writeEnv(b *hclwrite.Body, e *lockfile.Env) {
	b.SetAttributeValue("base", cty.StringVal(e.Base))
	if e.Digest != "" {
		b.SetAttributeValue("digest", cty.StringVal(e.Digest))
	}
	if e.Box != "" {
		b.SetAttributeValue("box", cty.StringVal(e.Box))
	}
	if e.BoxVersion != "" {
		b.SetAttributeValue("box_version", cty.StringVal(e.BoxVersion))
	}
	for _, p := range e.Platforms {
		b.AppendNewline()
		pb := b.AppendNewBlock("platform", []string{p.Name}).Body()
		if p.Manager != "" {
			pb.SetAttributeValue("manager", cty.StringVal(p.Manager))
		}
		setMap(pb, "packages", p.Packages)
		setMap(pb, "dependencies", p.Dependencies)
		for _, x := range p.Pip {
			pb.AppendNewline()
			xb := pb.AppendNewBlock("pip", []string{x.Location}).Body()
			setMap(xb, "packages", x.Packages)
			setMap(xb, "dependencies", x.Dependencies)
		}
	}
	for _, s := range e.Stages {
		b.AppendNewline()
		writeEnv(b.AppendNewBlock("stage", []string{s.Name}).Body(), s)
	}
}

func setMap(b *hclwrite.Body, name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	b.SetAttributeValue(name, cty.ObjectVal(vals))
}
