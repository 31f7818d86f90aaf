package sifimage

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/envc-dev/envc/emitters/singularity"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Config is what the metadata of one image is laid from.
type Config struct {
	// Deffile is the definition file the image is built from (the
	// singularity target's Singularity.def): its last build stage gives
	// %environment, %runscript, %labels, %help, %test and %startscript,
	// and the file from its first "Bootstrap:" line on is stored as
	// /.singularity.d/Singularity and as the SIF's deffile object.
	Deffile []byte
	// Base is the config of the base image the environment was built on:
	// its env becomes /.singularity.d/env/10-docker2singularity.sh and
	// its labels start labels.json, as Apptainer's docker bootstrap does.
	Base ocispecs.ImageConfig
	// Image is the config of the built image (the base's with the
	// spec's on top), stored as the SIF's oci-config.json object.
	Image ocispecs.ImageConfig
	// Arch is the image's architecture in Go's spelling (amd64, arm64,
	// ...): the SIF partition's and the build-arch label's.
	Arch string
}

// Kind is the type of a laid entry.
type Kind int

// The kinds of entries.
const (
	Dir Kind = iota
	File
	Symlink
)

// Entry is one file system entry laid into the image, owned by root.
type Entry struct {
	// Path is absolute and clean.
	Path string
	Kind Kind
	// Mode holds the permission bits.
	Mode fs.FileMode
	// Data is a file's content or a symlink's target.
	Data []byte
	// IfMissing lays the entry only where the root file system has
	// nothing at Path (the folders and links Apptainer adds when absent);
	// otherwise the entry replaces what is there.
	IfMissing bool
}

// Layout is the metadata laid into one image.
type Layout struct {
	// Entries are in the order they are laid: every folder before what
	// it holds.
	Entries []Entry
	// Labels are the labels of labels.json.
	Labels map[string]string
	// Deffile is the definition file as stored: Config.Deffile from its
	// first "Bootstrap:" line on.
	Deffile []byte
	// Objects are the SIF's JSON objects by name (inspect-metadata.json,
	// oci-config.json).
	Objects map[string][]byte
	// Arch is Config.Arch.
	Arch string
}

// The names of the SIF's JSON objects, as Apptainer names them.
const (
	InspectObject   = "inspect-metadata.json"
	OCIConfigObject = "oci-config.json"
)

// The folder of Apptainer's metadata in the image.
const metaDir = "/.singularity.d"

// varName is the form of an env var name Apptainer writes to
// 10-docker2singularity.sh; others are left out, as Apptainer does.
var varName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// Lay computes what `apptainer build` lays into an image bootstrapped
// from the base image with cfg.Deffile: Apptainer's base folders, env
// scripts and action scripts, the docker base's environment, and the
// metadata of the definition file's last stage.
func Lay(cfg Config) (*Layout, error) {
	defs, err := singularity.ParseAll(cfg.Deffile)
	if err != nil {
		return nil, fmt.Errorf("reading the definition file: %w", err)
	}
	def := defs[len(defs)-1]
	if len(def.Apps) > 0 {
		return nil, fmt.Errorf("the definition file has SCIF apps (%%app* sections), which envc does not lay into a SIF")
	}
	l := &Layout{Deffile: stored(cfg.Deffile), Arch: cfg.Arch, Objects: map[string][]byte{}}
	l.layBase()
	env := l.layEnv(cfg, def)
	sc := l.layScripts(cfg, def)
	l.Labels = labels(cfg, def)
	labelsJSON, err := json.MarshalIndent(l.Labels, "", "\t")
	if err != nil {
		return nil, err
	}
	l.file(metaDir+"/labels.json", 0o644, string(labelsJSON))
	l.file(metaDir+"/Singularity", 0o644, string(l.Deffile))
	l.layLinks()
	if l.Objects[InspectObject], err = l.inspect(env, sc); err != nil {
		return nil, err
	}
	if l.Objects[OCIConfigObject], err = json.Marshal(cfg.Image); err != nil {
		return nil, err
	}
	return l, nil
}

// dir adds the folder p, made only where nothing is if ifMissing.
func (l *Layout) dir(p string, ifMissing bool) {
	l.Entries = append(l.Entries, Entry{Path: p, Kind: Dir, Mode: 0o755, IfMissing: ifMissing})
}

// file adds the file p.
func (l *Layout) file(p string, mode fs.FileMode, data string) {
	l.Entries = append(l.Entries, Entry{Path: p, Kind: File, Mode: mode, Data: []byte(data)})
}

// link adds the symbolic link p to target where nothing is.
func (l *Layout) link(p, target string) {
	l.Entries = append(l.Entries, Entry{Path: p, Kind: Symlink, Mode: 0o777, Data: []byte(target), IfMissing: true})
}

// layBase lays what every image has: Apptainer's folders, the files it
// binds the host's over, and its action scripts.
func (l *Layout) layBase() {
	// The folders Apptainer makes when they are absent.
	for _, d := range []string{metaDir, metaDir + "/libs", metaDir + "/actions", metaDir + "/env",
		"/dev", "/proc", "/root", "/var", "/var/tmp", "/tmp", "/etc", "/sys", "/home"} {
		l.dir(d, true)
	}
	// Apptainer binds the host's at run time; the image's are empty.
	l.file("/etc/hosts", 0o644, "")
	l.file("/etc/resolv.conf", 0o644, "")

	for _, a := range []struct{ name, data string }{
		{"exec", actionExec}, {"run", actionRun}, {"shell", actionShell}, {"start", actionStart}, {"test", actionTest},
	} {
		l.file(metaDir+"/actions/"+a.name, 0o755, a.data)
	}
}

// layEnv lays the env scripts and returns, by path, those inspect
// reports: the docker base's environment and the definition's.
func (l *Layout) layEnv(cfg Config, def *singularity.Definition) map[string]string {
	env := map[string]string{}
	envFile := func(name, data string) {
		l.file(metaDir+"/env/"+name, 0o755, data)
	}
	envFile("01-base.sh", env01Base)
	docker := dockerEnv(cfg.Base.Env)
	envFile("10-docker2singularity.sh", docker)
	env[metaDir+"/env/10-docker2singularity.sh"] = docker
	env90 := env90Head
	if def.Environment.Body != "" {
		env90 += "\n" + def.Environment.Body + "\n"
	}
	envFile("90-environment.sh", env90)
	env[metaDir+"/env/90-environment.sh"] = env90
	// Apptainer's app set-up of SCIF apps; empty without apps.
	envFile("94-appsbase.sh", "")
	envFile("95-apps.sh", env95Apps)
	envFile("99-base.sh", env99Base)
	envFile("99-runtimevars.sh", env99RuntimeVars)
	return env
}

// laidScripts are the scripts Lay laid, "" for one it did not.
type laidScripts struct {
	runscript, startscript, test, help string
}

// layScripts lays the runscript (the definition's, else one running the
// image config's entrypoint and command), the startscript, the test and
// the help.
func (l *Layout) layScripts(cfg Config, def *singularity.Definition) laidScripts {
	var sc laidScripts
	sc.runscript = script(def.Runscript)
	if def.Runscript.Body == "" {
		sc.runscript = configRunscript(cfg.Image)
	}
	l.file(metaDir+"/runscript", 0o755, sc.runscript)
	sc.startscript = defaultStartscript
	if def.Startscript.Body != "" {
		sc.startscript = script(def.Startscript)
	}
	l.file(metaDir+"/startscript", 0o755, sc.startscript)
	if def.Test.Body != "" {
		sc.test = script(def.Test)
		l.file(metaDir+"/test", 0o755, sc.test)
	}
	if def.Help.Body != "" {
		sc.help = def.Help.Body + "\n"
		l.file(metaDir+"/runscript.help", 0o644, sc.help)
	}
	return sc
}

// layLinks lays the links Apptainer adds where nothing is.
func (l *Layout) layLinks() {
	l.link("/singularity", ".singularity.d/runscript")
	l.link("/.run", ".singularity.d/actions/run")
	l.link("/.exec", ".singularity.d/actions/exec")
	l.link("/.test", ".singularity.d/actions/test")
	l.link("/.shell", ".singularity.d/actions/shell")
	l.link("/environment", ".singularity.d/env/90-environment.sh")
}

// inspect returns what `apptainer inspect --all` reads from the laid
// files, which `apptainer build` stores in the SIF and inspect prefers.
func (l *Layout) inspect(env map[string]string, sc laidScripts) ([]byte, error) {
	var meta inspectMetadata
	meta.Type = "container"
	a := &meta.Data.Attributes
	a.Environment = map[string]string{}
	for k, v := range env {
		a.Environment[k] = trimNL(v)
	}
	a.Labels = l.Labels
	a.Runscript = trimNL(sc.runscript)
	a.Startscript = trimNL(sc.startscript)
	a.Test = trimNL(sc.test)
	a.Helpfile = trimNL(sc.help)
	a.Deffile = trimNL(string(l.Deffile))
	return json.Marshal(meta)
}

// bootstrapLine is where Apptainer starts a build stage.
var bootstrapLine = regexp.MustCompile(`(?mi)^bootstrap:`)

// stored is the definition file as `apptainer build` stores it: its
// build stages, each from its "Bootstrap:" line, so without what comes
// before the first (envc's header comment).
func stored(def []byte) []byte {
	if i := bootstrapLine.FindIndex(def); i != nil {
		return def[i[0]:]
	}
	return def
}

// inspectMetadata is the JSON of `apptainer inspect --all --json`.
type inspectMetadata struct {
	Data struct {
		Attributes struct {
			Environment map[string]string `json:"environment,omitempty"`
			Labels      map[string]string `json:"labels,omitempty"`
			Runscript   string            `json:"runscript,omitempty"`
			Test        string            `json:"test,omitempty"`
			Helpfile    string            `json:"helpfile,omitempty"`
			Deffile     string            `json:"deffile,omitempty"`
			Startscript string            `json:"startscript,omitempty"`
		} `json:"attributes"`
	} `json:"data"`
	Type string `json:"type"`
}

// trimNL drops trailing line breaks, as inspect does with each file.
func trimNL(s string) string { return strings.TrimRight(s, "\n") }

// script is a script section as Apptainer writes it to a file: its own
// "#!" line if the body starts with one, else #!/bin/sh, with the
// section's arguments added to that line.
func script(s singularity.Script) string {
	shebang, body := "#!/bin/sh", s.Body
	if strings.HasPrefix(strings.TrimSpace(s.Body), "#!") {
		first, rest, _ := strings.Cut(s.Body, "\n")
		shebang, body = strings.TrimSpace(first), rest
	}
	if s.Args != "" {
		args, _, _ := strings.Cut(s.Args, "#")
		shebang += " " + args
	}
	return shebang + "\n\n" + body + "\n"
}

// configRunscript runs the image config's entrypoint and command, for a
// definition file without %runscript: Apptainer's docker bootstrap leaves
// such a runscript (envc's own definition files always have one).
func configRunscript(img ocispecs.ImageConfig) string {
	entry := quoteWords(img.Entrypoint)
	if entry != "" {
		entry += " "
	}
	s := header + "# No %runscript: run the image's entrypoint and command.\n"
	s += `if [ "$#" -gt 0 ]; then exec ` + entry + `"$@"; fi` + "\n"
	if argv := append(slices.Clone(img.Entrypoint), img.Cmd...); len(argv) > 0 {
		s += "exec " + quoteWords(argv) + "\n"
	}
	return s
}

func quoteWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'"'"'`) + "'"
	}
	return strings.Join(q, " ")
}

// dockerEnv is 10-docker2singularity.sh: the base image's env as
// defaults (a variable already set keeps its value), PATH set outright,
// as Apptainer writes it.
func dockerEnv(env []string) string {
	s := header
	for _, kv := range env {
		k, v, hasValue := strings.Cut(kv, "=")
		if !varName.MatchString(k) {
			continue
		}
		switch {
		case !hasValue:
			s += fmt.Sprintf("export %s=\"${%s:-}\"\n", k, k)
		case k == "PATH":
			s += fmt.Sprintf("export %s=%s\n", k, doubleQuote(v))
		default:
			s += fmt.Sprintf("export %s=\"${%s:-%s}\"\n", k, k, doubleQuote(v))
		}
	}
	return s
}

// doubleQuote quotes s for the shell in double quotes.
func doubleQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// labels are labels.json: the base image's labels, the build labels
// Apptainer adds that do not depend on the clock or the builder, then the
// definition file's %labels (the last value of a key wins).
func labels(cfg Config, def *singularity.Definition) map[string]string {
	out := maps.Clone(cfg.Base.Labels)
	if out == nil {
		out = map[string]string{}
	}
	out["org.label-schema.schema-version"] = "1.0"
	if def.Help.Body != "" {
		out["org.label-schema.usage"] = metaDir + "/runscript.help"
		out["org.label-schema.usage.apptainer.runscript.help"] = metaDir + "/runscript.help"
	}
	for _, h := range def.Header {
		out["org.label-schema.usage.singularity.deffile."+h.Key] = h.Value
	}
	if cfg.Arch != "" {
		out["org.label-schema.build-arch"] = cfg.Arch
	}
	for _, lb := range def.Labels {
		out[lb.Key] = lb.Value
	}
	return out
}

// parents returns the folders above p, outermost first ("/a/b/c" gives
// "/a", "/a/b").
func parents(p string) []string {
	var out []string
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		out = append(out, d)
	}
	slices.Reverse(out)
	return out
}
