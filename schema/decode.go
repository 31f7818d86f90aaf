package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Parse parses src as an HCL native-syntax spec file. A file that nests
// more deeply than MaxNesting is refused before HCL parses it.
func Parse(filename string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if d := checkNesting(filename, src); d != nil {
		return &hcl.File{Bytes: src, Body: hcl.EmptyBody()}, hcl.Diagnostics{d}
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	for _, d := range diags {
		if d.Summary == "Invalid template control keyword" {
			// A shell or rpm %{...} written in a string.
			d.Detail += " HCL reads %{ as the start of a template directive: to write a literal %{...} (an rpm macro, a shell word), double the percent sign: %%{...}."
		}
	}
	return f, diags
}

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "environment", LabelNames: []string{"name"}},
		{Type: "envc"}, // settings.go
	},
}

// ValidEnvironmentName reports whether name may name an environment: a
// lowercase letter or digit, then lowercase letters, digits, '.', '_' and
// '-', 63 bytes at most (the pattern ^[a-z0-9][a-z0-9._-]{0,62}$). It
// names a folder, files in it and in the image (a machine's run wrapper),
// and a compose service, whose name is a host name (63 bytes at most).
// It is written out rather than a regular expression, whose bounded
// repetition costs more to compile than a small compile spends on
// everything else of the schema.
func ValidEnvironmentName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// moduleBlock matches HCL's detail for a block of a module file where a
// spec's top level has none.
var moduleBlock = lazyre.New(`^Blocks of type "(step|pip|conda|pipx|julia|module|output)" are not expected here`)

var identPattern = lazyre.New(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// checkIdentLabel reports the name label of a block of type kind
// ("variable") that does not match identPattern; more, when not "", ends
// the detail with why it must.
func checkIdentLabel(b *hcl.Block, kind, more string) hcl.Diagnostics {
	if identPattern().MatchString(b.Labels[0]) {
		return nil
	}
	article := "A"
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		article = "An"
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail:   article + " " + kind + " name must start with a letter or underscore and contain only letters, digits, underscores and dashes" + more + ".",
		Subject:  b.LabelRanges[0].Ptr(),
	}}
}

// Decode decodes a parsed spec file. It reports every problem it finds and
// returns whatever it could decode.
func Decode(f *hcl.File) (*Spec, hcl.Diagnostics) {
	spec := &Spec{Bytes: f.Bytes, File: f, Filename: fileName(f)}
	content, diags := f.Body.Content(fileSchema)
	for _, d := range diags {
		if d.Summary == "Unsupported block type" && moduleBlock().MatchString(d.Detail) {
			d.Detail += " A file of step, pip, conda, pipx, julia, module and output blocks is a module: a module block of a spec calls it (module \"NAME\" { source = \"./FILE.hcl\" }), and envc reads it from there; validate or compile that spec."
		}
	}
	envDecl := map[string]hcl.Range{}
	decl := newDeclared()
	for _, block := range content.Blocks {
		switch block.Type {
		case "variable", "locals":
			diags = append(diags, decl.decode(block, &spec.Variables, &spec.Locals)...)
		case "environment":
			env, moreDiags := decodeEnvironmentBlock(block)
			diags = append(diags, moreDiags...)
			if prev, dup := envDecl[env.Name]; dup {
				diags = append(diags, duplicate("environment", env.Name, prev, block.DefRange))
				continue
			}
			envDecl[env.Name] = block.DefRange
			spec.Environments = append(spec.Environments, env)
		case "envc":
			diags = append(diags, decodeSettings(block, spec)...)
		}
	}
	if len(content.Blocks.OfType("environment")) == 0 && !diags.HasErrors() {
		rng := f.Body.MissingItemRange()
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No environment",
			Detail:   "A spec file must declare at least one environment block, such as:\n  environment \"demo\" {\n    base = \"debian:bookworm\"\n  }",
			Subject:  &rng,
		})
	}
	return spec, diags
}

// declared holds where the variables and local values of one file (a
// spec or a module) are declared, so that a second declaration of a name
// is an error naming the first.
type declared struct {
	vars, locs map[string]hcl.Range
}

func newDeclared() *declared {
	return &declared{vars: map[string]hcl.Range{}, locs: map[string]hcl.Range{}}
}

// fileName returns the name f was parsed under.
func fileName(f *hcl.File) string {
	if f.Body != nil {
		if rng := f.Body.MissingItemRange(); rng.Filename != "" {
			return rng.Filename
		}
	}
	return ""
}

// decode decodes a variable or locals block of a spec or module into
// its variables or its local values.
func (d *declared) decode(block *hcl.Block, vars *[]*Variable, locals *[]*hcl.Attribute) hcl.Diagnostics {
	if block.Type == "locals" {
		attrs, diags := d.locals(block)
		*locals = append(*locals, attrs...)
		return diags
	}
	v, diags := d.variable(block)
	if v != nil {
		*vars = append(*vars, v)
	}
	return diags
}

// variable decodes a variable block; it returns nil for a second
// declaration of a name.
func (d *declared) variable(block *hcl.Block) (*Variable, hcl.Diagnostics) {
	v, diags := decodeVariableBlock(block)
	if prev, dup := d.vars[v.Name]; dup {
		return nil, append(diags, duplicate("variable", v.Name, prev, block.DefRange))
	}
	d.vars[v.Name] = block.DefRange
	return v, diags
}

// locals returns the attributes of a locals block in source order, less
// the names declared before.
func (d *declared) locals(block *hcl.Block) ([]*hcl.Attribute, hcl.Diagnostics) {
	attrs, diags := block.Body.JustAttributes()
	var out []*hcl.Attribute
	for _, a := range sortedAttributes(attrs) {
		if prev, dup := d.locs[a.Name]; dup {
			diags = append(diags, duplicate("local value", a.Name, prev, a.NameRange))
			continue
		}
		d.locs[a.Name] = a.NameRange
		out = append(out, a)
	}
	return out, diags
}

func duplicate(what, name string, prev, rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + what,
		Detail:   fmt.Sprintf("A %s named %q was already declared at %s. Give each one a unique name.", what, name, prev),
		Subject:  rng.Ptr(),
	}
}

var variableBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

func decodeVariableBlock(block *hcl.Block) (*Variable, hcl.Diagnostics) {
	v := &Variable{Name: block.Labels[0], Type: cty.DynamicPseudoType, DeclRange: block.DefRange}
	diags := checkIdentLabel(block, "variable", "")
	content, moreDiags := block.Body.Content(variableBlockSchema)
	diags = append(diags, moreDiags...)
	if a, ok := content.Attributes["type"]; ok {
		ty, moreDiags := typeexpr.TypeConstraint(a.Expr)
		diags = append(diags, moreDiags...)
		if !moreDiags.HasErrors() {
			v.Type = ty
		}
	}
	if a, ok := content.Attributes["default"]; ok {
		v.Default = a
	}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, decodeString(a.Expr, &v.Description)...)
	}
	for _, vb := range content.Blocks {
		vc, moreDiags := vb.Body.Content(validationBlockSchema)
		diags = append(diags, moreDiags...)
		val := &Validation{DeclRange: vb.DefRange}
		if a, ok := vc.Attributes["condition"]; ok {
			val.Condition = a.Expr
		}
		if a, ok := vc.Attributes["error_message"]; ok {
			val.ErrorMessage = a.Expr
		}
		if val.Condition != nil && val.ErrorMessage != nil {
			v.Validations = append(v.Validations, val)
		}
	}
	return v, diags
}

var environmentBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"},
		{Name: "base"},
		{Name: "from"},
		{Name: "os"},
		{Name: "packages"},
		{Name: "env"},
		{Name: "build_env"},
		{Name: "run_env"},
		{Name: "setup"},
		{Name: "workdir"},
		{Name: "user"},
		{Name: "run"},
		{Name: "entrypoint"},
		{Name: "recommends"},
		{Name: "init"},
		{Name: "source"},
		{Name: "shell"},
		{Name: "labels"},
		{Name: "platforms"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "file"},
		{Type: "mount"},
		{Type: "port"},
		{Type: "vm"},
		{Type: "gpu"},
		{Type: "healthcheck"},
		{Type: "hpc"},
		{Type: "step"},
		{Type: "user", LabelNames: []string{"name"}},
		{Type: "pip"},
		{Type: "conda"},
		{Type: "pipx"},
		{Type: "julia"},
		{Type: "repository", LabelNames: []string{"name"}},
		{Type: "stage", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "target", LabelNames: []string{"name"}},
	},
}

// stageBlockSchema is what a stage block may hold: what builds its file
// system, none of the run-time contract (a stage is never run).
var stageBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "base"},
		{Name: "from"},
		{Name: "os"},
		{Name: "packages"},
		{Name: "env"},
		{Name: "build_env"},
		{Name: "setup"},
		{Name: "recommends"},
		{Name: "source"},
		{Name: "shell"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "file"},
		{Type: "step"},
		{Type: "user", LabelNames: []string{"name"}},
		{Type: "pip"},
		{Type: "conda"},
		{Type: "pipx"},
		{Type: "julia"},
		{Type: "repository", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
	},
}

var repositoryBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "url", Required: true},
	{Name: "key", Required: true},
	{Name: "suite"},
	{Name: "components"},
}}

var userBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "uid"},
	{Name: "gid"},
	{Name: "home"},
	{Name: "shell"},
	{Name: "groups"},
	{Name: "take_over_id"},
}}

var stepBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "run"},
		{Name: "shell"},
		{Name: "user"},
		{Name: "workdir"},
		{Name: "env"},
		{Name: "build_env"},
		{Name: "packages"},
		{Name: "recommends"},
		{Name: "only"},
		{Name: "except"},
		{Name: "platforms"},
		{Name: "for_each"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "copy"}},
}

var copyBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "from"},
	{Name: "source", Required: true},
	{Name: "target", Required: true},
	{Name: "owner"},
	{Name: "mode"},
	{Name: "include"},
	{Name: "exclude"},
	{Name: "overwrite"},
}}

var fileBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "source", Required: true},
	{Name: "target", Required: true},
	{Name: "mode"},
	{Name: "include"},
	{Name: "exclude"},
	{Name: "overwrite"},
	{Name: "for_each"},
}}

var mountBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "source", Required: true},
	{Name: "target", Required: true},
	{Name: "read_only"},
}}

var portBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "guest", Required: true},
	{Name: "host"},
	{Name: "host_ip"},
	{Name: "protocol"},
}}

var vmBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "box"},
		{Name: "box_version"},
		{Name: "box_url"},
		{Name: "cpus"},
		{Name: "memory"},
		{Name: "name"},
		{Name: "gui"},
		{Name: "reboot"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "ssh"}, {Type: "virtualbox"}, {Type: "libvirt"}},
}

var vmSSHBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "forward_agent"},
}}

var vmVirtualBoxBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "linked_clone"},
	{Name: "default_nic_type"},
}}

var vmLibvirtBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "driver"},
	{Name: "cpu_mode"},
	{Name: "nested"},
}}

// decodeVMBlock decodes a vm block and the ssh, virtualbox and libvirt
// blocks inside it (at most one of each).
func decodeVMBlock(b *hcl.Block) (*VM, hcl.Diagnostics) {
	c, diags := b.Body.Content(vmBlockSchema)
	at := c.Attributes
	vm := &VM{Box: at["box"], BoxVersion: at["box_version"], BoxURL: at["box_url"], CPUs: at["cpus"], Memory: at["memory"], Name: at["name"],
		GUI: at["gui"], Reboot: at["reboot"], DeclRange: b.DefRange}
	seen := map[string]hcl.Range{}
	for _, nb := range c.Blocks {
		if first, dup := seen[nb.Type]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate " + nb.Type + " block",
				Detail:   fmt.Sprintf("A vm block has at most one %s block; the first is at %s. Merge the two.", nb.Type, first),
				Subject:  nb.DefRange.Ptr(),
			})
			continue
		}
		seen[nb.Type] = nb.DefRange
		switch nb.Type {
		case "ssh":
			nc, moreDiags := nb.Body.Content(vmSSHBlockSchema)
			diags = append(diags, moreDiags...)
			vm.ForwardAgent = nc.Attributes["forward_agent"]
		case "virtualbox":
			nc, moreDiags := nb.Body.Content(vmVirtualBoxBlockSchema)
			diags = append(diags, moreDiags...)
			vm.VirtualBox = &VMVirtualBox{LinkedClone: nc.Attributes["linked_clone"], DefaultNICType: nc.Attributes["default_nic_type"], DeclRange: nb.DefRange}
		case "libvirt":
			nc, moreDiags := nb.Body.Content(vmLibvirtBlockSchema)
			diags = append(diags, moreDiags...)
			vm.Libvirt = &VMLibvirt{Driver: nc.Attributes["driver"], CPUMode: nc.Attributes["cpu_mode"], Nested: nc.Attributes["nested"], DeclRange: nb.DefRange}
		}
	}
	return vm, diags
}

var gpuBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "count"},
	{Name: "vendor"},
	{Name: "capabilities"},
}}

var healthcheckBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "test", Required: true},
	{Name: "interval"},
	{Name: "timeout"},
	{Name: "start_period"},
	{Name: "retries"},
}}

var hpcBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "binds"},
	{Name: "mpi"},
}}

// duplicateBlock is the error for a second block of a kind an environment
// has at most one of; first is where the first one is.
func duplicateBlock(kind string, first hcl.Range, b *hcl.Block) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + kind + " block",
		Detail:   fmt.Sprintf("An environment has at most one %s block; the first is at %s. Merge the two.", kind, first),
		Subject:  b.DefRange.Ptr(),
	}
}

func decodeEnvironmentBlock(block *hcl.Block) (*Environment, hcl.Diagnostics) {
	env := &Environment{Name: block.Labels[0], NameRange: block.LabelRanges[0], DeclRange: block.DefRange, Stage: block.Type == "stage"}
	what, bodySchema := "environment", environmentBlockSchema
	if env.Stage {
		what, bodySchema = "stage", stageBlockSchema
	}
	diags := checkEnvironmentName(env, what)
	content, moreDiags := block.Body.Content(bodySchema)
	diags = append(diags, moreDiags...)
	a := content.Attributes
	if a["base"] == nil && a["from"] == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing base",
			Detail:   fmt.Sprintf("The %s %q needs a base image (base = \"debian:bookworm\") or another environment to build on (from = environment.NAME).", what, env.Name),
			Subject:  block.DefRange.Ptr(),
		})
	}
	env.setAttributes(a)
	for _, b := range content.Blocks {
		diags = append(diags, env.decodeNestedBlock(b)...)
	}
	return env, diags
}

// checkEnvironmentName checks the name of an environment or stage (what)
// with ValidEnvironmentName.
func checkEnvironmentName(env *Environment, what string) hcl.Diagnostics {
	if ValidEnvironmentName(env.Name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + what + " name",
		Detail:   fmt.Sprintf("The %s name %q is not valid: it must start with a lowercase letter or digit and contain only lowercase letters, digits, '.', '_' and '-', 63 at most.", what, env.Name),
		Subject:  env.NameRange.Ptr(),
	}}
}

// setAttributes keeps the environment block's attributes, undecoded.
func (env *Environment) setAttributes(a hcl.Attributes) {
	env.Description = a["description"]
	env.Base = a["base"]
	env.From = a["from"]
	env.Platforms = a["platforms"]
	env.OS = a["os"]
	env.Packages = a["packages"]
	env.Env = a["env"]
	env.BuildEnv = a["build_env"]
	env.RunEnv = a["run_env"]
	env.Setup = a["setup"]
	env.Workdir = a["workdir"]
	env.User = a["user"]
	env.Run = a["run"]
	env.Entrypoint = a["entrypoint"]
	env.Recommends = a["recommends"]
	env.Init = a["init"]
	env.Source = a["source"]
	env.Shell = a["shell"]
	env.Labels = a["labels"]
}

// decodeNestedBlock decodes one block of an environment or stage body
// into env.
func (env *Environment) decodeNestedBlock(b *hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	switch b.Type {
	case "file":
		var f *File
		f, diags = decodeFileBlock(b)
		env.Files = append(env.Files, f)
	case "mount":
		var m *Mount
		m, diags = decodeMountBlock(b)
		env.Mounts = append(env.Mounts, m)
	case "port":
		var p *Port
		p, diags = decodePortBlock(b)
		env.Ports = append(env.Ports, p)
	case "vm", "gpu", "healthcheck", "hpc":
		diags = env.decodeSingleBlock(b)
	case "user":
		var u *User
		u, diags = decodeUserBlock(b)
		env.Users = append(env.Users, u)
	case "pip", "conda", "pipx", "julia", "step", "module":
		var st *Step
		st, diags = decodeStepLikeBlock(b)
		env.Steps = append(env.Steps, st)
	case "repository":
		var r *Repository
		r, diags = decodeRepositoryBlock(b)
		env.Repositories = append(env.Repositories, r)
	case "target":
		var t *Target
		t, diags = decodeTargetBlock(b)
		env.Targets = append(env.Targets, t)
	case "stage":
		var st *Environment
		st, diags = decodeEnvironmentBlock(b)
		env.Stages = append(env.Stages, st)
	}
	return diags
}

// decodeSingleBlock decodes a block an environment has at most one of
// (vm, gpu, healthcheck, hpc); a second one is an error naming the first.
func (env *Environment) decodeSingleBlock(b *hcl.Block) hcl.Diagnostics {
	switch b.Type {
	case "vm":
		vm, diags := decodeVMBlock(b)
		if env.VM != nil {
			return append(diags, duplicateBlock("vm", env.VM.DeclRange, b))
		}
		env.VM = vm
		return diags
	case "gpu":
		c, diags := b.Body.Content(gpuBlockSchema)
		if env.GPU != nil {
			return append(diags, duplicateBlock("gpu", env.GPU.DeclRange, b))
		}
		at := c.Attributes
		env.GPU = &GPU{Count: at["count"], Vendor: at["vendor"], Capabilities: at["capabilities"], DeclRange: b.DefRange}
		return diags
	case "healthcheck":
		c, diags := b.Body.Content(healthcheckBlockSchema)
		if env.Healthcheck != nil {
			return append(diags, duplicateBlock("healthcheck", env.Healthcheck.DeclRange, b))
		}
		at := c.Attributes
		env.Healthcheck = &Healthcheck{Test: at["test"], Interval: at["interval"], Timeout: at["timeout"], StartPeriod: at["start_period"],
			Retries: at["retries"], DeclRange: b.DefRange}
		return diags
	case "hpc":
		c, diags := b.Body.Content(hpcBlockSchema)
		if env.HPC != nil {
			return append(diags, duplicateBlock("hpc", env.HPC.DeclRange, b))
		}
		env.HPC = &HPC{Binds: c.Attributes["binds"], MPI: c.Attributes["mpi"], DeclRange: b.DefRange}
		return diags
	}
	return nil
}

// decodeStepLikeBlock decodes the blocks that become steps: step, the
// package managers' blocks and module.
func decodeStepLikeBlock(b *hcl.Block) (*Step, hcl.Diagnostics) {
	switch b.Type {
	case "step":
		return decodeStepBlock(b)
	case "module":
		return decodeModuleBlock(b)
	}
	return decodeManagerBlock(b)
}

func decodeFileBlock(b *hcl.Block) (*File, hcl.Diagnostics) {
	c, diags := b.Body.Content(fileBlockSchema)
	at := c.Attributes
	return &File{Source: at["source"], Target: at["target"], Mode: at["mode"],
		Include: at["include"], Exclude: at["exclude"], Overwrite: at["overwrite"], ForEach: at["for_each"], DeclRange: b.DefRange}, diags
}

func decodeMountBlock(b *hcl.Block) (*Mount, hcl.Diagnostics) {
	c, diags := b.Body.Content(mountBlockSchema)
	at := c.Attributes
	return &Mount{Source: at["source"], Target: at["target"], ReadOnly: at["read_only"], DeclRange: b.DefRange}, diags
}

func decodePortBlock(b *hcl.Block) (*Port, hcl.Diagnostics) {
	c, diags := b.Body.Content(portBlockSchema)
	at := c.Attributes
	return &Port{Guest: at["guest"], Host: at["host"], HostIP: at["host_ip"], Protocol: at["protocol"], DeclRange: b.DefRange}, diags
}

func decodeUserBlock(b *hcl.Block) (*User, hcl.Diagnostics) {
	c, diags := b.Body.Content(userBlockSchema)
	at := c.Attributes
	return &User{Name: b.Labels[0], NameRange: b.LabelRanges[0],
		UID: at["uid"], GID: at["gid"], Home: at["home"], Shell: at["shell"], Groups: at["groups"], TakeOverID: at["take_over_id"], DeclRange: b.DefRange}, diags
}

func decodeRepositoryBlock(b *hcl.Block) (*Repository, hcl.Diagnostics) {
	c, diags := b.Body.Content(repositoryBlockSchema)
	at := c.Attributes
	return &Repository{Name: b.Labels[0], NameRange: b.LabelRanges[0],
		URL: at["url"], Key: at["key"], Suite: at["suite"], Components: at["components"], DeclRange: b.DefRange}, diags
}

func decodeStepBlock(b *hcl.Block) (*Step, hcl.Diagnostics) {
	c, diags := b.Body.Content(stepBlockSchema)
	at := c.Attributes
	st := &Step{Run: at["run"], Shell: at["shell"], User: at["user"], Workdir: at["workdir"], Env: at["env"], BuildEnv: at["build_env"],
		Packages: at["packages"], Recommends: at["recommends"], Only: at["only"], Except: at["except"], Platforms: at["platforms"], ForEach: at["for_each"], DeclRange: b.DefRange}
	for _, cb := range c.Blocks {
		cc, moreDiags := cb.Body.Content(copyBlockSchema)
		diags = append(diags, moreDiags...)
		ca := cc.Attributes
		st.Copy = append(st.Copy, &Copy{From: ca["from"], Source: ca["source"], Target: ca["target"], Owner: ca["owner"], Mode: ca["mode"],
			Include: ca["include"], Exclude: ca["exclude"], Overwrite: ca["overwrite"], DeclRange: cb.DefRange})
	}
	return st, diags
}

// sortedAttributes returns attrs in source order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sortByPos(out)
	return out
}

// decodeString decodes expr, evaluated without variables, into a string,
// with gohcl.DecodeExpression's messages. (gohcl links hclwrite, and
// through it go-cmp, whose initialisers would cost every envc start.)
func decodeString(expr hcl.Expression, into *string) hcl.Diagnostics {
	v, diags := expr.Value(nil)
	v, err := convert.Convert(v, cty.String)
	if err == nil {
		switch {
		case v.IsNull():
			err = errors.New("null value is not allowed")
		case !v.IsKnown():
			err = errors.New("value must be known")
		default:
			*into = v.AsString()
			return diags
		}
	}
	return append(diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsuitable value type",
		Detail:   fmt.Sprintf("Unsuitable value: %s", err.Error()),
		Subject:  expr.StartRange().Ptr(),
		Context:  expr.Range().Ptr(),
	})
}
