package compiler

import (
	"fmt"
	"path"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
)

var (
	repoURLPattern       = lazyre.New(`^(https?|file)://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+$`)
	repoSuitePattern     = lazyre.New(`^[A-Za-z0-9._/-]+$`)
	repoComponentPattern = lazyre.New(`^[A-Za-z0-9._-]+$`)
	repoNamePattern      = lazyre.New(`^[a-z0-9][a-z0-9._-]{0,62}$`)
)

// lowerRepositories lowers the repository blocks, in order, to the run
// steps that add them: each fetches the signing key and writes the
// package source where the distribution's package manager reads it, so
// that every later packages step can install from it. With apt the key
// is fetched with curl (installed with ca-certificates when missing, and
// kept) and stored as an armoured (.asc) or binary (.gpg) keyring, as its
// content says, which the source's signed-by names; dnf and zypper read
// the key from the .repo file (zypper after rpm --import); apk stores it
// under /etc/apk/keys with the key's own file name, which its signatures
// name.
func (el *envLowerer) lowerRepositories() []ir.Step {
	var steps []ir.Step
	seen := map[string]hcl.Range{}
	for _, r := range el.e.Repositories {
		if prev, dup := seen[r.Name]; dup {
			el.errorf(r.NameRange, "Duplicate repository", "A repository named %q is already declared at %s. Give each one a unique name.", r.Name, prev)
			continue
		}
		seen[r.Name] = r.NameRange
		if step := el.lowerRepository(r); step != nil {
			steps = append(steps, step)
		}
	}
	return steps
}

// repoSource is a repository block's evaluated attributes.
type repoSource struct {
	url, key, suite string
	components      []string
}

// lowerRepository returns the step adding r; nil when r has errors.
func (el *envLowerer) lowerRepository(r *schema.Repository) *ir.RunStep {
	src, ok := el.evalRepository(r)
	if !ok {
		return nil
	}
	cmd, ok := el.repositoryCommand(r, src)
	if !ok {
		return nil
	}
	return &ir.RunStep{
		Command:    cmd,
		Shell:      el.shell,
		Range:      r.DeclRange,
		Repository: &ir.Repository{Name: r.Name, URL: src.url, Range: r.DeclRange},
	}
}

// evalRepository checks r's name and evaluates its attributes.
func (el *envLowerer) evalRepository(r *schema.Repository) (repoSource, bool) {
	ok := true
	if !repoNamePattern().MatchString(r.Name) {
		el.errorf(r.NameRange, "Invalid repository name",
			"%q cannot name the repository's files: use up to 63 lowercase letters, digits, '.', '_' and '-', starting with a letter or digit.", r.Name)
		ok = false
	}
	var src repoSource
	var urlOK, keyOK bool
	src.url, urlOK = el.repoURL(r.URL, "repository url")
	src.key, keyOK = el.repoURL(r.Key, "repository key")
	ok = ok && urlOK && keyOK
	if a := r.Suite; a != nil {
		s, evaluated := el.str(a, "suite")
		if evaluated && (!repoSuitePattern().MatchString(s) || strings.HasPrefix(s, "/")) {
			el.errorf(a.Expr.Range(), "Invalid suite",
				"%q is not a suite: use letters, digits, '.', '_', '-' and '/' (e.g. \"bookworm\", or \"./\" for a flat repository).", s)
			ok = false
		}
		src.suite = s
	}
	if a := r.Components; a != nil {
		items, _ := el.strList(a, "components")
		for _, it := range items {
			if !repoComponentPattern().MatchString(it.Value) {
				el.errorf(it.Range, "Invalid component", "%q is not a component name: use letters, digits, '.', '_' and '-'.", it.Value)
				ok = false
			}
			src.components = append(src.components, it.Value)
		}
	}
	return src, ok
}

// repoURL evaluates a repository's url or key (a == nil: none).
func (el *envLowerer) repoURL(a *hcl.Attribute, what string) (string, bool) {
	if a == nil {
		return "", true
	}
	s, ok := el.str(a, what)
	if !ok {
		return "", false
	}
	if !repoURLPattern().MatchString(s) || len(s) > 2048 {
		el.errorf(a.Expr.Range(), "Invalid "+what,
			"%q is not a URL envc can carry: write an http://, https:// or file:// URL without spaces, quotes or backslashes.", s)
		return s, false
	}
	return s, true
}

// repositoryCommand returns the command adding the repository r (with
// its evaluated attributes src) with the environment's package manager.
func (el *envLowerer) repositoryCommand(r *schema.Repository, src repoSource) (string, bool) {
	d := el.env.Distro
	if d == nil {
		el.errorf(r.DeclRange, "Unknown distribution",
			"envc cannot tell which package manager the base image %q uses, so it cannot add a repository. Add os = \"<distro>:<version>\", using one of: %s.",
			el.env.Base.Ref, strings.Join(schema.KnownOS(), ", "))
		return "", false
	}
	if !el.checkAptOnly(r.Suite) || !el.checkAptOnly(r.Components) {
		return "", false
	}
	switch d.Manager {
	case ir.Apt:
		return el.aptSource(r, src)
	case ir.Dnf:
		return rpmRepository("/etc/yum.repos.d/"+r.Name+".repo", r.Name, src, ""), true
	case ir.Zypper:
		return "rpm --import " + shQuote(src.key) + " && " + rpmRepository("/etc/zypp/repos.d/"+r.Name+".repo", r.Name, src, "type=rpm-md"), true
	case ir.Apk:
		base := path.Base(src.key)
		if !strings.HasSuffix(base, ".rsa.pub") || !repoComponentPattern().MatchString(base) {
			el.errorf(r.Key.Expr.Range(), "Invalid apk key",
				"apk names a signing key by its file name, so the key URL must end in the key's own name, ending in .rsa.pub (e.g. \"https://example.org/keys/builder-5e69ca50.rsa.pub\").")
			return "", false
		}
		return "mkdir -p /etc/apk/keys && wget -q -O " + shQuote("/etc/apk/keys/"+base) + " " + shQuote(src.key) +
			" && printf '%s\\n' " + shQuote(src.url) + " >> /etc/apk/repositories", true
	}
	el.errorf(r.DeclRange, "Repository not supported", "envc cannot add a repository for %s.", d.Manager)
	return "", false
}

// checkAptOnly reports a (suite or components), which only apt sources
// have, in a repository of another package manager.
func (el *envLowerer) checkAptOnly(a *hcl.Attribute) bool {
	if mgr := el.env.Distro.Manager; a != nil && mgr != ir.Apt {
		el.errorf(a.NameRange, "Attribute of an apt repository",
			"%s applies to apt sources; %s reads a repository from its url alone. Remove it.", a.Name, mgr)
		return false
	}
	return true
}

// aptSource returns the command adding the apt repository r: its suite
// is the distribution's release unless set, its components main unless
// set or the repository is flat (the suite ends in '/').
func (el *envLowerer) aptSource(r *schema.Repository, src repoSource) (string, bool) {
	d := el.env.Distro
	if src.suite == "" {
		if d.Codename == "" {
			el.errorf(r.DeclRange, "Missing suite",
				"%s %s has no release name envc knows to use as the suite. Add suite = \"...\".", d.ID, d.Version)
			return "", false
		}
		src.suite = d.Codename
	}
	flat := strings.HasSuffix(src.suite, "/")
	switch {
	case flat && len(src.components) > 0:
		el.errorf(r.Components.NameRange, "Components of a flat repository",
			"The suite %q ends in '/', so the repository is flat and has no components. Remove components, or name the suite without '/'.", src.suite)
		return "", false
	case !flat && len(src.components) == 0:
		src.components = []string{"main"}
	}
	return aptRepository(r.Name, src), true
}

// aptRepository returns the command adding the apt source name.
func aptRepository(name string, src repoSource) string {
	keyring := "/etc/apt/keyrings/" + name
	list := "/etc/apt/sources.list.d/" + name + ".list"
	line := append([]string{src.url, src.suite}, src.components...)
	return strings.Join([]string{
		"if ! command -v curl >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get update && " +
			"DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*; fi",
		"mkdir -p /etc/apt/keyrings",
		"curl -fsSL -o " + shQuote(keyring+".key") + " " + shQuote(src.key),
		"k=" + shQuote(keyring+".gpg"),
		"if grep -q 'BEGIN PGP PUBLIC KEY BLOCK' " + shQuote(keyring+".key") + "; then k=" + shQuote(keyring+".asc") + "; fi",
		"mv " + shQuote(keyring+".key") + ` "$k"`,
		"chmod 0644 \"$k\"",
		fmt.Sprintf(`printf 'deb [signed-by=%%s] %%s\n' "$k" %s > %s`, shQuote(strings.Join(line, " ")), shQuote(list)),
	}, " && ")
}

// rpmRepository returns the command writing the .repo file of the
// repository name, with the extra line when not empty.
func rpmRepository(file, name string, src repoSource, extra string) string {
	lines := []string{"[" + name + "]", "name=" + name, "baseurl=" + src.url, "enabled=1", "gpgcheck=1", "gpgkey=" + src.key}
	if extra != "" {
		lines = append(lines, extra)
	}
	quoted := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = shQuote(l)
	}
	return "printf '%s\\n' " + strings.Join(quoted, " ") + " > " + shQuote(file)
}
