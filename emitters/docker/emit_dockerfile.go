package docker

import (
	"strconv"
	"strings"
	"time"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/internal/lazyre"
	"github.com/hashicorp/hcl/v2"
)

// dfWriter writes the Dockerfile and records, for the self-check, what
// every instruction it writes must read back as.
type dfWriter struct {
	e *emission
	// env is the environment or the stage whose build the writer writes.
	env   *ir.Env
	lines []string
	want  *Dockerfile
	// user and dir are the USER and WORKDIR in effect ("" = not set yet:
	// the base image's, which envc does not know).
	user string
	dir  string
	// platformArg is set once the stage declares ARG TARGETPLATFORM,
	// which the RUNs of steps for some platforms test.
	platformArg bool
	// as names the environment's stage where values per platform end it
	// (stageNames); "" for the image's own, unnamed stage.
	as string
	// names gives the stages of values per platform their names.
	names *stageNames
	// scope is what the variables set so far hold, for the variables of
	// the build alone that a new stage declares again.
	scope varScope
}

// emitDockerfile writes the Dockerfile and returns it with what it must
// read back as (ReadDockerfile with no base environment).
func (e *emission) emitDockerfile() ([]byte, *Dockerfile) {
	env := e.env
	lines := strings.Split(strings.TrimSuffix(emitters.Header("# ", env), "\n"), "\n")
	lines = append(lines,
		"# Build and run it in this folder: docker compose up --build",
		"# (or docker build; it needs BuildKit, the default builder since Docker 23).")
	w := &dfWriter{e: e, env: env, want: &Dockerfile{}}
	if env.PlatformValues() {
		// BuildKit sets the automatic platform arguments in the global
		// scope, where a FROM line sees them: the stage a FROM below
		// selects by platform. They are not declared there: a global ARG
		// without a value empties them in Docker 20.10's builder (seen in
		// a real build), while newer ones give it BuildKit's value.
		lines = append(lines,
			"",
			"# Values per platform: the build goes on in the stage of the platform",
			"# BuildKit builds for, selected by name ("+TargetArch+" and "+TargetVariant+",",
			"# which BuildKit sets before the first FROM).")
		w.names = newStageNames(env)
		w.as = w.names.next()
	}
	// Each stage first, as a build stage of its own: only what a COPY
	// --from takes out of it reaches the image.
	var stages []*Dockerfile
	earlier := map[string]bool{}
	for _, st := range env.Stages {
		sw := &dfWriter{e: e, env: st, want: &Dockerfile{Name: st.Name}}
		sw.lines = append(sw.lines, "", "# stage "+st.Name+": a throwaway build; COPY --from="+st.Name+" takes files out of it")
		sw.emitFrom(earlier)
		earlier[st.Name] = true
		sw.emitSteps()
		lines = append(lines, sw.lines...)
		stages = append(stages, sw.want)
	}
	w.want.Stages = stages
	if len(stages) > 0 {
		w.lines = append(w.lines, "", "# the environment")
	}
	w.emitFrom(earlier)
	w.emitSteps()
	lines = append(lines, w.lines...)
	return []byte(strings.Join(lines, "\n") + "\n"), w.want
}

// imageRefPattern is what a base image reference may hold on a FROM line:
// no white space, quotes or "$" (FROM expands global build arguments).
var imageRefPattern = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$`)

// emitFrom writes the FROM line of the writer's stage, earlier being the
// names of the build stages written before it. A FROM whose reference is
// exactly an earlier stage's name builds on that stage, not on the image
// (dockerfile2llb looks the name up first), so an image named like a stage
// ("ubuntu" after a stage "ubuntu") is written in its canonical form.
func (w *dfWriter) emitFrom(earlier map[string]bool) {
	ref := w.env.Base.Ref
	if earlier[ref] && w.env.Base.Canonical != "" {
		ref = w.env.Base.Canonical
	}
	w.want.Base = ref
	if earlier[ref] {
		w.e.diags = append(w.e.diags, emitters.Errorf(w.env.Base.Range, "Invalid base image",
			"The base image reference %q names an earlier stage, and envc has no canonical form of it to write instead.", ref))
	} else if !imageRefPattern().MatchString(ref) {
		w.e.diags = append(w.e.diags, emitters.Errorf(w.env.Base.Range, "Invalid base image",
			"The base image reference %q cannot be written after FROM: it is empty or holds characters no image reference has.", ref))
	}
	if w.want.Name == "" {
		if w.as != "" {
			ref += " AS " + w.as
		}
		w.add("FROM", ref)
		return
	}
	if !ir.ValidStageName(w.want.Name) {
		w.e.diags = append(w.e.diags, emitters.Errorf(w.env.DeclRange, "Stage name cannot be carried",
			"The stage name %q cannot name a Dockerfile build stage, which starts with a letter (a name starting with a digit would read as a stage index). Rename the stage.", w.want.Name))
	}
	w.add("FROM", ref+" AS "+w.want.Name)
}

// add writes one instruction: keyword and arguments, or, with more
// entries (ENV and LABEL pairs), one entry per continuation line. Lines
// too long for the parser are folded.
func (w *dfWriter) add(keyword string, entries ...string) {
	w.e.keywords = append(w.e.keywords, keyword)
	for i, entry := range entries {
		line := "    " + entry
		if i == 0 {
			line = keyword + " " + entry
		}
		folded, ok := fold(line, maxLine-2)
		if !ok {
			w.e.diags = append(w.e.diags, emitters.Errorf(w.env.DeclRange, "Value cannot be carried",
				"A %s instruction would be longer than the Dockerfile parser accepts (64 KiB a line) and cannot be folded. Shorten the values it holds.", keyword))
			folded = line
		}
		if i < len(entries)-1 {
			folded += " \\"
		}
		w.lines = append(w.lines, folded)
	}
}

// setUser makes user ("root" for steps run as root) the USER in effect.
func (w *dfWriter) setUser(user string, rng hcl.Range) {
	if w.user == user {
		return
	}
	if !w.e.checkValue(user, rng, "user name", false) {
		return
	}
	w.add("USER", lexQuote(user))
	w.user = user
	w.want.User = user
}

// setDir makes dir the WORKDIR in effect; the builder creates it (and its
// parents) owned by the USER in effect when it is missing.
func (w *dfWriter) setDir(dir string, rng hcl.Range) {
	if w.dir == dir {
		return
	}
	if !w.e.checkValue(dir, rng, "directory", false) {
		return
	}
	w.add("WORKDIR", lexQuote(dir))
	w.dir = dir
	w.want.Workdir = dir
	if dir != "/" {
		w.op(Op{Kind: OpMkdir, Path: dir})
	}
}

// op records an operation the last instruction performs, in the USER and
// WORKDIR in effect.
func (w *dfWriter) op(o Op) {
	if w.e.full == nil {
		return
	}
	o.User, o.Dir = w.user, w.dir
	w.want.Ops = append(w.want.Ops, o)
}

// emitRuntime writes the run-time facts after the steps: the run user and
// directory, ports, volumes, labels and the run command.
func (w *dfWriter) emitRuntime() {
	env := w.e.env
	var defaults []ir.EnvVar
	for _, v := range env.RunVars {
		if !v.Required {
			defaults = append(defaults, ir.EnvVar{Name: v.Name, Value: v.Value, Range: v.Range})
		}
	}
	w.emitEnv(defaults) // the run command's own, after every step
	switch {
	case env.User != "":
		w.setUser(env.User, env.UserRange)
	case w.user != "" && w.user != "root":
		// A step switched users; the run command runs as root.
		w.setUser("root", env.UserRange)
	}
	switch {
	case env.Workdir != "":
		w.setDir(env.Workdir, env.WorkdirRange)
	case w.dir != "" && w.dir != "/":
		w.setDir("/", env.WorkdirRange)
	}
	for _, p := range env.Ports {
		w.add("EXPOSE", portSpec(p))
		w.want.Expose = append(w.want.Expose, portSpec(p))
	}
	if len(env.Mounts) > 0 {
		var words []string
		for _, m := range env.Mounts {
			if !w.e.checkValue(m.Target, m.Range, "mount target", true) {
				continue
			}
			words = append(words, jsonWord(m.Target))
			w.want.Volumes = append(w.want.Volumes, m.Target)
		}
		w.add("VOLUME", jsonArray(words))
	}
	w.emitLabels()
	w.emitHealthcheck()
	if env.Entrypoint != nil {
		for _, a := range env.Entrypoint {
			w.e.checkValue(a, env.EntrypointRange, "entrypoint", true)
		}
		w.add("ENTRYPOINT", jsonArray(env.Entrypoint))
		w.want.Entrypoint = append([]string{}, env.Entrypoint...)
	}
	if env.Run != nil {
		for _, a := range env.Run {
			w.e.checkValue(a, env.RunRange, "run command", true)
		}
		w.add("CMD", jsonArray(env.Run))
		w.want.Cmd = append([]string{}, env.Run...)
	}
}

// portSpec returns EXPOSE's form of p, e.g. "8000/tcp".
func portSpec(p ir.Port) string {
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	return strconv.Itoa(p.Guest) + "/" + strings.ToLower(proto)
}

// equalsArg is the build argument that spells "=" inside a label key: the
// parser splits a LABEL word at its first "=", quoted or not, so a key
// holding "=" gets it from a variable. It is declared right before LABEL,
// after every RUN, so no step sees it.
const equalsArg = "ENVC_EQUALS"

// EqualsArg is equalsArg, for the read-back, which leaves it out.
const EqualsArg = equalsArg

// emitLabels writes one LABEL instruction with every label, in order.
func (w *dfWriter) emitLabels() {
	env := w.e.env
	var entries []string
	needEq := false
	for _, l := range env.Labels {
		okKey := w.e.checkValue(l.Key, l.Range, "label key", false)
		okVal := w.e.checkValue(l.Value, l.Range, "label value", false)
		if !okKey || !okVal {
			continue
		}
		if l.Key == "" {
			w.e.diags = append(w.e.diags, emitters.Errorf(l.Range, "Empty label key", "A Dockerfile LABEL needs a non-empty key."))
			continue
		}
		key := lexQuote(l.Key)
		if strings.Contains(l.Key, "=") {
			needEq = true
			parts := strings.Split(l.Key, "=")
			for i := range parts {
				parts[i] = dqEscape(parts[i])
			}
			key = `"` + strings.Join(parts, "${"+equalsArg+"}") + `"`
		}
		entries = append(entries, key+"="+lexQuote(l.Value))
		w.want.Labels = append(w.want.Labels, KeyValue{l.Key, l.Value})
	}
	if len(entries) == 0 {
		return
	}
	if needEq {
		w.add("ARG", equalsArg+`="="`)
		w.op(Op{Kind: OpArg, Env: []KeyValue{{equalsArg, "="}}})
		w.want.Args = append(w.want.Args, KeyValue{equalsArg, "="})
	}
	w.add("LABEL", entries...)
}

// emitHealthcheck writes HEALTHCHECK, its test in exec form, with the
// options the spec gives (Docker's defaults for the others).
func (w *dfWriter) emitHealthcheck() {
	h := w.e.env.Healthcheck
	if h == nil {
		return
	}
	for _, a := range h.Test {
		w.e.checkValue(a, h.Range, "healthcheck command", true)
	}
	args := healthOptions(h)
	args = append(args, "CMD", jsonArray(h.Test))
	w.add("HEALTHCHECK", strings.Join(args, " "))
	w.want.Healthcheck = &Healthcheck{Test: append([]string{}, h.Test...), Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
}

// healthOptions returns HEALTHCHECK's options for h, e.g.
// "--interval=30s", in a fixed order.
func healthOptions(h *ir.Healthcheck) []string {
	var out []string
	for _, o := range []struct {
		name string
		d    time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start-period", h.StartPeriod}} {
		if o.d != 0 {
			out = append(out, "--"+o.name+"="+o.d.String())
		}
	}
	if h.Retries != 0 {
		out = append(out, "--retries="+strconv.Itoa(h.Retries))
	}
	return out
}
