package schema

import "github.com/hashicorp/hcl/v2"

// The package manager blocks (pip, conda, pipx, julia) are steps of their
// own, beside step blocks, in an environment, a stage or a module file.

var pipBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "packages", Required: true},
	{Name: "user"},
	{Name: "venv"},
	{Name: "index_url"},
	{Name: "extra_index_urls"},
	{Name: "trusted_hosts"},
	{Name: "no_binary"},
	{Name: "constraints"},
	{Name: "env"},
	{Name: "for_each"},
}}

var condaBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "packages"},
	{Name: "channels"},
	{Name: "file"},
	{Name: "name"},
	{Name: "installer"},
	{Name: "user"},
	{Name: "for_each"},
}}

var pipxBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "packages", Required: true},
	{Name: "index_url"},
	{Name: "trusted_hosts"},
	{Name: "for_each"},
}}

var juliaBlockSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "packages", Required: true},
	{Name: "for_each"},
}}

// decodeManagerBlock decodes a pip, conda, pipx or julia block into the
// step it stands for.
func decodeManagerBlock(b *hcl.Block) (*Step, hcl.Diagnostics) {
	st := &Step{DeclRange: b.DefRange}
	var sch *hcl.BodySchema
	switch b.Type {
	case "pip":
		sch = pipBlockSchema
	case "conda":
		sch = condaBlockSchema
	case "pipx":
		sch = pipxBlockSchema
	default:
		sch = juliaBlockSchema
	}
	c, diags := b.Body.Content(sch)
	at := c.Attributes
	st.ForEach = at["for_each"]
	switch b.Type {
	case "pip":
		st.Pip = &Pip{Packages: at["packages"], User: at["user"], Venv: at["venv"], IndexURL: at["index_url"],
			ExtraIndexURLs: at["extra_index_urls"], TrustedHosts: at["trusted_hosts"], NoBinary: at["no_binary"], Constraints: at["constraints"], Env: at["env"]}
	case "conda":
		st.Conda = &Conda{Packages: at["packages"], Channels: at["channels"], File: at["file"], Name: at["name"], Installer: at["installer"], User: at["user"]}
	case "pipx":
		st.Pipx = &Pipx{Packages: at["packages"], IndexURL: at["index_url"], TrustedHosts: at["trusted_hosts"]}
	default:
		st.Julia = &Julia{Packages: at["packages"]}
	}
	return st, diags
}
