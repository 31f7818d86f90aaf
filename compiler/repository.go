package compiler

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

var (
	repoURLPattern       = regexp.MustCompile(`^(https?|file)://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+$`)
	repoSuitePattern     = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	repoComponentPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	repoNamePattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// lowerRepositories lowers e's repository blocks, in order, to the run
// steps that add them: each fetches the signing key and writes the
// package source where the distribution's package manager reads it, so
// that every later packages step can install from it. With apt the key
// is fetched with curl (installed with ca-certificates when missing, and
// kept) and stored as an armoured (.asc) or binary (.gpg) keyring, as its
// content says, which the source's signed-by names; dnf and zypper read
// the key from the .repo file (zypper after rpm --import); apk stores it
// under /etc/apk/keys with the key's own file name, which its signatures
// name.
func lowerRepositories(ev *evaluator, e *schema.Environment, env *ir.Env, diags *hcl.Diagnostics) []ir.Step {
	var steps []ir.Step
	seen := map[string]hcl.Range{}
	for _, r := range e.Repositories {
		if prev, dup := seen[r.Name]; dup {
			*diags = append(*diags, errorAt(r.NameRange, "Duplicate repository", "A repository named %q is already declared at %s. Give each one a unique name.", r.Name, prev))
			continue
		}
		seen[r.Name] = r.NameRange
		if step, url := lowerRepository(ev, r, env, diags); step != nil {
			step.Repository = &ir.Repository{Name: r.Name, URL: url, Range: r.DeclRange}
			steps = append(steps, step)
		}
	}
	return steps
}

// lowerRepository returns the step adding r and r's URL; nil when r has
// errors.
func lowerRepository(ev *evaluator, r *schema.Repository, env *ir.Env, diags *hcl.Diagnostics) (*ir.RunStep, string) {
	ok := true
	if !repoNamePattern.MatchString(r.Name) {
		*diags = append(*diags, errorAt(r.NameRange, "Invalid repository name",
			"%q cannot name the repository's files: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit.", r.Name))
		ok = false
	}
	url := func(a *hcl.Attribute, what string) string {
		if a == nil {
			return ""
		}
		s, moreDiags := ev.str(a.Expr, what)
		*diags = append(*diags, moreDiags...)
		if moreDiags.HasErrors() {
			ok = false
			return ""
		}
		if !repoURLPattern.MatchString(s) || len(s) > 2048 {
			*diags = append(*diags, errorAt(a.Expr.Range(), "Invalid "+what,
				"%q is not a URL envc can carry: write an http://, https:// or file:// URL without spaces, quotes or backslashes.", s))
			ok = false
		}
		return s
	}
	repoURL, keyURL := url(r.URL, "repository url"), url(r.Key, "repository key")
	var suite string
	if r.Suite != nil {
		s, moreDiags := ev.str(r.Suite.Expr, "suite")
		*diags = append(*diags, moreDiags...)
		if !moreDiags.HasErrors() && (!repoSuitePattern.MatchString(s) || strings.HasPrefix(s, "/")) {
			*diags = append(*diags, errorAt(r.Suite.Expr.Range(), "Invalid suite",
				"%q is not a suite: use letters, digits, '.', '_', '-' and '/' (e.g. \"bookworm\", or \"./\" for a flat repository).", s))
			ok = false
		}
		suite = s
	}
	var components []string
	if r.Components != nil {
		items, moreDiags := ev.strList(r.Components.Expr, "components")
		*diags = append(*diags, moreDiags...)
		for _, it := range items {
			if !repoComponentPattern.MatchString(it.Value) {
				*diags = append(*diags, errorAt(it.Range, "Invalid component", "%q is not a component name: use letters, digits, '.', '_' and '-'.", it.Value))
				ok = false
			}
			components = append(components, it.Value)
		}
	}
	if !ok {
		return nil, ""
	}
	if env.Distro == nil {
		*diags = append(*diags, errorAt(r.DeclRange, "Unknown distribution",
			"envc cannot tell which package manager the base image %q uses, so it cannot add a repository. Add os = \"<distro>:<version>\", using one of: %s.",
			env.Base.Ref, strings.Join(schema.KnownOS(), ", ")))
		return nil, ""
	}
	aptOnly := func(a *hcl.Attribute) bool {
		if a != nil && env.Distro.Manager != ir.Apt {
			*diags = append(*diags, errorAt(a.NameRange, "Attribute of an apt repository",
				"%s applies to apt sources; %s reads a repository from its url alone. Remove it.", a.Name, env.Distro.Manager))
			return false
		}
		return true
	}
	if !aptOnly(r.Suite) || !aptOnly(r.Components) {
		return nil, ""
	}
	var cmd string
	switch env.Distro.Manager {
	case ir.Apt:
		if suite == "" {
			if env.Distro.Codename == "" {
				*diags = append(*diags, errorAt(r.DeclRange, "Missing suite",
					"%s %s has no release name envc knows to use as the suite. Add suite = \"...\".", env.Distro.ID, env.Distro.Version))
				return nil, ""
			}
			suite = env.Distro.Codename
		}
		flat := strings.HasSuffix(suite, "/")
		switch {
		case flat && len(components) > 0:
			*diags = append(*diags, errorAt(r.Components.NameRange, "Components of a flat repository",
				"The suite %q ends in '/', so the repository is flat and has no components. Remove components, or name the suite without '/'.", suite))
			return nil, ""
		case !flat && len(components) == 0:
			components = []string{"main"}
		}
		cmd = aptRepository(r.Name, repoURL, keyURL, suite, components)
	case ir.Dnf:
		cmd = rpmRepository("/etc/yum.repos.d/"+r.Name+".repo", r.Name, repoURL, keyURL, "")
	case ir.Zypper:
		cmd = "rpm --import " + shQuote(keyURL) + " && " + rpmRepository("/etc/zypp/repos.d/"+r.Name+".repo", r.Name, repoURL, keyURL, "type=rpm-md")
	case ir.Apk:
		base := path.Base(keyURL)
		if !strings.HasSuffix(base, ".rsa.pub") || !repoComponentPattern.MatchString(base) {
			*diags = append(*diags, errorAt(r.Key.Expr.Range(), "Invalid apk key",
				"apk names a signing key by its file name, so the key URL must end in the key's own name, ending in .rsa.pub (e.g. \"https://example.org/keys/builder-5e69ca50.rsa.pub\")."))
			return nil, ""
		}
		cmd = "mkdir -p /etc/apk/keys && wget -q -O " + shQuote("/etc/apk/keys/"+base) + " " + shQuote(keyURL) +
			" && printf '%s\\n' " + shQuote(repoURL) + " >> /etc/apk/repositories"
	default:
		*diags = append(*diags, errorAt(r.DeclRange, "Repository not supported", "envc cannot add a repository for %s.", env.Distro.Manager))
		return nil, ""
	}
	return &ir.RunStep{Command: cmd, Shell: "sh", Range: r.DeclRange}, repoURL
}

// aptRepository returns the command adding an apt source.
func aptRepository(name, repoURL, keyURL, suite string, components []string) string {
	keyring := "/etc/apt/keyrings/" + name
	list := "/etc/apt/sources.list.d/" + name + ".list"
	line := append([]string{repoURL, suite}, components...)
	return strings.Join([]string{
		"if ! command -v curl >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get update && " +
			"DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*; fi",
		"mkdir -p /etc/apt/keyrings",
		"curl -fsSL -o " + shQuote(keyring+".key") + " " + shQuote(keyURL),
		"k=" + shQuote(keyring+".gpg"),
		"if grep -q 'BEGIN PGP PUBLIC KEY BLOCK' " + shQuote(keyring+".key") + "; then k=" + shQuote(keyring+".asc") + "; fi",
		"mv " + shQuote(keyring+".key") + ` "$k"`,
		"chmod 0644 \"$k\"",
		fmt.Sprintf(`printf 'deb [signed-by=%%s] %%s\n' "$k" %s > %s`, shQuote(strings.Join(line, " ")), shQuote(list)),
	}, " && ")
}

// rpmRepository returns the command writing a .repo file.
func rpmRepository(file, name, repoURL, keyURL, extra string) string {
	lines := []string{"[" + name + "]", "name=" + name, "baseurl=" + repoURL, "enabled=1", "gpgcheck=1", "gpgkey=" + keyURL}
	if extra != "" {
		lines = append(lines, extra)
	}
	quoted := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = shQuote(l)
	}
	return "printf '%s\\n' " + strings.Join(quoted, " ") + " > " + shQuote(file)
}
