package schema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Spec is one decoded spec file. Attribute values are unevaluated.
type Spec struct {
	// Filename is the name the file was parsed under.
	Filename string
	// Bytes is the file's source, for diagnostics.
	Bytes []byte
	// File is the parsed file Decode read, so that later stages can walk
	// its syntax without parsing Bytes again; nil for a Spec built by hand.
	File *hcl.File

	Variables    []*Variable
	Locals       []*hcl.Attribute // from every locals block, in source order
	Environments []*Environment
}

// Variable is a variable block.
type Variable struct {
	Name string
	// Type is the declared type constraint; cty.DynamicPseudoType when none.
	Type        cty.Type
	Default     *hcl.Attribute // nil when absent
	Description string
	Validations []*Validation
	DeclRange   hcl.Range
}

// Validation is a validation block inside a variable block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Environment is an environment block. Each attribute field is nil when the
// attribute is absent.
type Environment struct {
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range

	Description *hcl.Attribute
	Base        *hcl.Attribute
	OS          *hcl.Attribute
	Packages    *hcl.Attribute
	Env         *hcl.Attribute
	Setup       *hcl.Attribute
	Workdir     *hcl.Attribute
	User        *hcl.Attribute
	Run         *hcl.Attribute
	Labels      *hcl.Attribute

	Files  []*File
	Mounts []*Mount
	Ports  []*Port
	VM     *VM // nil when absent
}

// File is a file block.
type File struct {
	Source    *hcl.Attribute
	Target    *hcl.Attribute
	Mode      *hcl.Attribute
	DeclRange hcl.Range
}

// Mount is a mount block.
type Mount struct {
	Source    *hcl.Attribute
	Target    *hcl.Attribute
	ReadOnly  *hcl.Attribute
	DeclRange hcl.Range
}

// Port is a port block.
type Port struct {
	Guest     *hcl.Attribute
	Host      *hcl.Attribute
	HostIP    *hcl.Attribute
	Protocol  *hcl.Attribute
	DeclRange hcl.Range
}

// VM is a vm block.
type VM struct {
	Box        *hcl.Attribute
	BoxVersion *hcl.Attribute
	BoxURL     *hcl.Attribute
	CPUs       *hcl.Attribute
	Memory     *hcl.Attribute
	Name       *hcl.Attribute
	DeclRange  hcl.Range
}
