package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// ModuleCall is a module block of an environment, a stage or a module
// file: it calls the module file Source with its other attributes as the
// values of the module's variables. It stands, at its place in the step
// list, for the module's steps.
type ModuleCall struct {
	Name      string
	NameRange hcl.Range
	// Source is the module file, relative to the file of the call.
	Source *hcl.Attribute
	// Args are the other attributes (but for_each), in source order: the
	// values of the module's variables.
	Args []*hcl.Attribute
}

// Module is a decoded module file: variables it takes, local values,
// the steps it stands for (step, pip and module blocks, in source order)
// and the outputs it gives the steps after its call.
type Module struct {
	Filename string
	Bytes    []byte
	File     *hcl.File

	Variables []*Variable
	Locals    []*hcl.Attribute
	Steps     []*Step
	Outputs   []*Output
}

// Output is an output block of a module file: a value the steps after
// the call read as module.NAME.OUTPUT.
type Output struct {
	Name        string
	Value       hcl.Expression
	Description string
	DeclRange   hcl.Range
}

// MaxModuleArgs bounds the arguments of one module call.
const MaxModuleArgs = 256

var moduleFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "step"},
		{Type: "pip"},
		{Type: "conda"},
		{Type: "pipx"},
		{Type: "julia"},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
		// Not allowed, but named, for a diagnostic that says where they go.
		{Type: "environment", LabelNames: []string{"name"}},
		{Type: "envc"},
	},
}

var outputBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "value", Required: true},
	{Name: "description"},
}}

// DecodeModule decodes a parsed module file. As Decode, it reports every
// problem it finds and returns whatever it could decode.
func DecodeModule(f *hcl.File) (*Module, hcl.Diagnostics) {
	m := &Module{Bytes: f.Bytes, File: f, Filename: fileName(f)}
	content, diags := f.Body.Content(moduleFileSchema)
	decl := newDeclared()
	outDecl := map[string]hcl.Range{}
	for _, block := range content.Blocks {
		switch block.Type {
		case "variable", "locals":
			diags = append(diags, decl.decode(block, &m.Variables, &m.Locals)...)
		case "step", "pip", "conda", "pipx", "julia", "module":
			st, moreDiags := decodeStepLikeBlock(block)
			diags = append(diags, moreDiags...)
			m.Steps = append(m.Steps, st)
		case "output":
			o, moreDiags := decodeOutputBlock(block)
			diags = append(diags, moreDiags...)
			if o == nil {
				continue
			}
			if prev, dup := outDecl[o.Name]; dup {
				diags = append(diags, duplicate("output", o.Name, prev, block.DefRange))
				continue
			}
			outDecl[o.Name] = block.DefRange
			m.Outputs = append(m.Outputs, o)
		case "environment", "envc":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Block not allowed in a module",
				Detail: fmt.Sprintf("A module file holds variable, locals, step, pip, conda, pipx, julia, module and output blocks: the steps it stands for where it is called. "+
					"An %s block belongs in the spec that calls the module; move it there.", block.Type),
				Subject: block.DefRange.Ptr(),
			})
		}
	}
	return m, diags
}

func decodeOutputBlock(block *hcl.Block) (*Output, hcl.Diagnostics) {
	c, diags := block.Body.Content(outputBlockSchema)
	o := &Output{Name: block.Labels[0], DeclRange: block.DefRange}
	diags = append(diags, checkIdentLabel(block, "output", "")...)
	a, ok := c.Attributes["value"]
	if !ok {
		return nil, diags
	}
	o.Value = a.Expr
	if d, ok := c.Attributes["description"]; ok {
		diags = append(diags, decodeString(d.Expr, &o.Description)...)
	}
	return o, diags
}

// decodeModuleBlock decodes a module block: source, for_each and the
// arguments.
func decodeModuleBlock(b *hcl.Block) (*Step, hcl.Diagnostics) {
	call := &ModuleCall{Name: b.Labels[0], NameRange: b.LabelRanges[0]}
	st := &Step{Module: call, DeclRange: b.DefRange}
	diags := checkIdentLabel(b, "module", ": the steps after the call read its outputs as module.NAME")
	attrs, moreDiags := b.Body.JustAttributes()
	for _, d := range moreDiags {
		if d.Summary == "Unexpected block" || d.Summary == "Unexpected \"step\" block" {
			d.Detail += " A module block holds source, for_each and the values of the module's variables; the module file holds its steps."
		}
	}
	diags = append(diags, moreDiags...)
	for _, a := range sortedAttributes(attrs) {
		switch a.Name {
		case "source":
			call.Source = a
		case "for_each":
			st.ForEach = a
		default:
			if len(call.Args) == MaxModuleArgs {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Too many module arguments",
					Detail:   fmt.Sprintf("A module call takes at most %d arguments. Pass a map or an object in one argument instead.", MaxModuleArgs),
					Subject:  a.NameRange.Ptr(),
				})
				continue
			}
			call.Args = append(call.Args, a)
		}
	}
	if call.Source == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing module source",
			Detail:   fmt.Sprintf("The module block %q needs source = \"./modules/NAME.hcl\": the module file, relative to this file.", call.Name),
			Subject:  b.DefRange.Ptr(),
		})
	}
	return st, diags
}
