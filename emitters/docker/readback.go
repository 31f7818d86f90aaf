package docker

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	shellpkg "github.com/envc-dev/envc/emitters/internal/shell"
)

// Dockerfile is a single-stage Dockerfile read back into plain values, as
// BuildKit's Dockerfile frontend sees it: every word that the builder
// expands has been expanded with BuildKit's own shell lexer against the
// variables set so far (the base image's, ENV's and ARG's).
type Dockerfile struct {
	// Name is a build stage's name (FROM ... AS NAME); "" for the last
	// stage, the image.
	Name string
	// Stages are the build stages before the last, in order (only the
	// last stage has them).
	Stages []*Dockerfile
	// Base is the FROM image.
	Base string
	// Ops are the build operations in order.
	Ops []Op
	// Env holds the variables set by ENV, in the order first set, with
	// their final values (the image config's Env, less the base image's).
	Env []KeyValue
	// Args are the ARG instructions of the stage with their values.
	Args []KeyValue
	// User and Workdir are the image config's User and WorkingDir as the
	// stage sets them; "" when the stage never sets them.
	User    string
	Workdir string
	// Cmd is the CMD in exec form; nil when there is none.
	Cmd []string
	// Entrypoint is the ENTRYPOINT in exec form; nil when there is none.
	Entrypoint []string
	// Expose lists the EXPOSE arguments in instruction order.
	Expose []string
	// Volumes lists the VOLUME targets in instruction order.
	Volumes []string
	// Labels lists the LABEL pairs in instruction order.
	Labels []KeyValue
	// Healthcheck is the HEALTHCHECK; nil when there is none.
	Healthcheck *Healthcheck
}

// Healthcheck is a HEALTHCHECK read back: Test in exec form (without
// "CMD"), and the options, 0 where not given.
type Healthcheck struct {
	Test                           []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// KeyValue is one name and value.
type KeyValue struct {
	Key   string
	Value string
}

// The kinds of Op.
const (
	OpRun   = "run"   // RUN
	OpCopy  = "copy"  // COPY
	OpEnv   = "env"   // ENV
	OpArg   = "arg"   // ARG with a value: a variable of the build alone
	OpMkdir = "mkdir" // WORKDIR other than "/", which creates the directory
)

// Op is one build operation.
type Op struct {
	Kind string
	// User and Dir are the USER and WORKDIR in effect ("" when not set by
	// the stage).
	User string
	Dir  string
	// Args is a run's argv (a shell form as /bin/sh -c COMMAND).
	Args []string
	// Env is, for a run, the variables set by ENV and ARG so far (in the
	// order first set); for an env op, the variables it sets.
	Env []KeyValue
	// From, Source, Dest, Chmod and Chown describe a copy (one source;
	// From names the build stage it copies from, "" for the context).
	From   string
	Source string
	Dest   string
	Chmod  string
	Chown  string
	// Path is the directory a mkdir creates (with its parents, owned by
	// User).
	Path string
}

// ReadDockerfile parses data with BuildKit's parser and instructions
// packages and interprets it as the builder would, expanding words with
// BuildKit's lexer. baseEnv (NAME=value entries) stands for the base
// image's environment; a variable set nowhere expands to "", as in the
// builder. Named build stages before the last become Stages. It rejects
// what this package never writes: global ARGs, unnamed stages before the
// last, a FROM naming an earlier stage, COPY --from other than an earlier
// stage's name, heredocs, and instructions other than FROM, ARG, ENV, RUN,
// COPY, USER, WORKDIR, EXPOSE, VOLUME, LABEL, ENTRYPOINT and CMD. A
// Dockerfile of values per platform is read for one platform alone
// (ReadDockerfileFor).
func ReadDockerfile(data []byte, baseEnv []string) (*Dockerfile, error) {
	return ReadDockerfileFor(data, baseEnv, "")
}

// ReadDockerfileFor is ReadDockerfile for the build of platform (as
// ir.Env.Platforms lists them; "" for a Dockerfile that is the same on
// every platform). For a platform, it reads what BuildKit builds for it:
// TARGETARCH and TARGETVARIANT set as BuildKit sets them in the global scope,
// a FROM that names an earlier build stage (after expanding them) goes on
// from that stage (its operations, ENV, ARG values, USER, WORKDIR and the
// rest), the ARGs such a stage first declares again with the values they
// had are no operations, a RUN guarded by the platform
// (shell.PlatformGuard) is its command on the platforms it names and
// nothing on the others, and ARG TARGETPLATFORM is left out. The build
// stages the image is built on that way are not Stages: those are the
// stages no stage is built on and that are built on no stage.
func ReadDockerfileFor(data []byte, baseEnv []string, platform string) (*Dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if len(res.Warnings) > 0 {
		return nil, fmt.Errorf("parser warning: %s", res.Warnings[0].Short)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, err
	}
	if len(metaArgs) > 0 {
		return nil, fmt.Errorf("%d global ARGs, want none", len(metaArgs))
	}
	var global []string
	if platform != "" {
		global = platformArgs(platform)
	}
	lex := shell.NewLex(res.EscapeToken)
	var read []*reader
	byName := map[string]*reader{}
	names := map[string]bool{}
	builtOn := map[string]bool{}
	onStage := map[string]bool{}
	for i, st := range stages {
		last := i == len(stages)-1
		base := st.BaseName
		if global != nil {
			if base, _, err = lex.ProcessWord(st.BaseName, shell.EnvsFromSlice(global)); err != nil {
				return nil, fmt.Errorf("build stage %d: FROM %s: %w", i+1, st.BaseName, err)
			}
		} else if strings.Contains(base, "$") {
			return nil, fmt.Errorf("build stage %d: FROM %s expands a build argument", i+1, st.BaseName)
		}
		switch {
		case !last && st.Name == "":
			return nil, fmt.Errorf("build stage %d has no name", i+1)
		case names[st.Name]:
			return nil, fmt.Errorf("two build stages named %q", st.Name)
		case names[base] && platform == "":
			return nil, fmt.Errorf("build stage %d builds on the build stage %q, not on an image", i+1, base)
		case base != st.BaseName && !names[base]:
			return nil, fmt.Errorf("build stage %d: FROM %s is %s for %s, which names no earlier build stage", i+1, st.BaseName, base, platform)
		}
		r := &reader{
			df:       &Dockerfile{Name: st.Name, Base: base},
			lex:      lex,
			base:     baseEnv,
			stages:   names,
			platform: platform,
		}
		if parent := byName[base]; parent != nil {
			r.goOnFrom(parent)
			builtOn[base], onStage[st.Name] = true, true
		}
		for _, cmd := range st.Commands {
			if err := r.command(cmd); err != nil {
				return nil, fmt.Errorf("line %d: %w", cmd.Location()[0].Start.Line, err)
			}
		}
		if !last {
			names[st.Name] = true
			byName[st.Name] = r
		}
		read = append(read, r)
	}
	df := read[len(read)-1].df
	for _, r := range read[:len(read)-1] {
		if !builtOn[r.df.Name] && !onStage[r.df.Name] {
			df.Stages = append(df.Stages, r.df)
		}
	}
	return df, nil
}

// goOnFrom makes r, a stage built on the earlier stage parent, start
// from what parent built. Its ARGs start unset (an ARG ends with its
// stage); those it first declares again with parent's values are no
// operations of the build.
func (r *reader) goOnFrom(parent *reader) {
	p := parent.df
	df := *p
	df.Name, df.Stages = r.df.Name, nil
	df.Ops = slices.Clone(p.Ops)
	df.Env = slices.Clone(p.Env)
	df.Args = slices.Clone(p.Args)
	df.Cmd, df.Entrypoint = slices.Clone(p.Cmd), slices.Clone(p.Entrypoint)
	df.Expose, df.Volumes, df.Labels = slices.Clone(p.Expose), slices.Clone(p.Volumes), slices.Clone(p.Labels)
	r.df = &df
	r.carried = parent.args
	r.leading = true
}

// reader interprets one stage.
type reader struct {
	df   *Dockerfile
	lex  *shell.Lex
	base []string
	args []KeyValue // ARG values, visible like ENV to later words and runs
	// stages are the names of the earlier build stages, which COPY
	// --from may name.
	stages map[string]bool
	// platform is the platform read for ("" for every platform).
	platform string
	// carried are the ARG values of the stage this one is built on, and
	// leading is set until its first instruction that is not an ARG
	// declaring one of them again (ReadDockerfileFor).
	carried []KeyValue
	leading bool

	// env and getter cache runEnv and the lexer's view of it; both are
	// reset whenever an ARG or ENV changes the variables, so that each run
	// and each expanded word does not rebuild them.
	env    []KeyValue
	getter shell.EnvGetter
}

// changed drops the cached variables after an ARG or ENV.
func (r *reader) changed() { r.env, r.getter = nil, nil }

// runEnv returns the variables set by ARG and ENV so far, in the order
// first set, later values winning.
// The returned slice is shared and must not be modified.
func (r *reader) runEnv() []KeyValue {
	if r.env == nil {
		r.env = setAll(setAll(nil, r.args), r.df.Env)
	}
	return r.env
}

// expand expands word as the builder does before dispatching a command.
func (r *reader) expand(word string) (string, error) {
	if r.getter == nil {
		vars := r.runEnv()
		env := make([]string, 0, len(r.base)+len(vars))
		env = append(env, r.base...)
		for _, kv := range vars {
			env = append(env, kv.Key+"="+kv.Value)
		}
		r.getter = shell.EnvsFromSlice(env)
	}
	out, _, err := r.lex.ProcessWord(word, r.getter)
	return out, err
}

func (r *reader) command(cmd instructions.Command) error {
	if _, isArg := cmd.(*instructions.ArgCommand); !isArg {
		r.leading = false
	}
	if ex, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		if _, isArg := cmd.(*instructions.ArgCommand); !isArg {
			if err := ex.Expand(r.expand); err != nil {
				return err
			}
		}
	}
	df := r.df
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		return r.readArg(c)
	case *instructions.EnvCommand:
		return r.readEnv(c)
	case *instructions.RunCommand:
		return r.readRun(c)
	case *instructions.CopyCommand:
		return r.readCopy(c)
	case *instructions.UserCommand:
		df.User = c.User
	case *instructions.WorkdirCommand:
		df.Workdir = c.Path
		if c.Path != "/" {
			df.Ops = append(df.Ops, Op{Kind: OpMkdir, User: df.User, Dir: df.Workdir, Path: c.Path})
		}
	case *instructions.ExposeCommand:
		df.Expose = append(df.Expose, c.Ports...)
	case *instructions.VolumeCommand:
		df.Volumes = append(df.Volumes, c.Volumes...)
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			if kv.NoDelim {
				return fmt.Errorf("LABEL %s uses the legacy form", kv.Key)
			}
			df.Labels = append(df.Labels, KeyValue{kv.Key, kv.Value})
		}
	case *instructions.HealthCheckCommand:
		return r.readHealthcheck(c)
	case *instructions.CmdCommand:
		if c.PrependShell || len(c.Files) > 0 {
			return fmt.Errorf("CMD in shell form")
		}
		df.Cmd = append([]string{}, c.CmdLine...)
	case *instructions.EntrypointCommand:
		if c.PrependShell || len(c.Files) > 0 {
			return fmt.Errorf("ENTRYPOINT in shell form")
		}
		df.Entrypoint = append([]string{}, c.CmdLine...)
	default:
		return fmt.Errorf("unexpected instruction %s", cmd.Name())
	}
	return nil
}

// readArg reads an ARG instruction. The leading ARGs that restate a
// carried value only set it; others are the Dockerfile's own.
func (r *reader) readArg(c *instructions.ArgCommand) error {
	df := r.df
	for _, a := range c.Args {
		if r.platform != "" && a.Key == shellpkg.PlatformArg && a.Value == nil {
			continue // what a guarded RUN tests, read for one platform
		}
		v := ""
		if a.Value != nil {
			var err error
			if v, err = r.expand(*a.Value); err != nil {
				return err
			}
		}
		if r.leading && a.Value != nil && slices.Contains(r.carried, KeyValue{a.Key, v}) {
			r.args = setAll(r.args, []KeyValue{{a.Key, v}})
			r.changed()
			continue
		}
		r.leading = false
		df.Args = append(df.Args, KeyValue{a.Key, v})
		r.args = setAll(r.args, []KeyValue{{a.Key, v}})
		r.changed()
		if a.Value != nil {
			df.Ops = append(df.Ops, Op{Kind: OpArg, User: df.User, Dir: df.Workdir, Env: []KeyValue{{a.Key, v}}})
		}
	}
	return nil
}

// readEnv reads an ENV instruction.
func (r *reader) readEnv(c *instructions.EnvCommand) error {
	df := r.df
	var set []KeyValue
	for _, kv := range c.Env {
		if kv.NoDelim {
			return fmt.Errorf("ENV %s uses the legacy form", kv.Key)
		}
		set = append(set, KeyValue{kv.Key, kv.Value})
	}
	df.Ops = append(df.Ops, Op{Kind: OpEnv, User: df.User, Dir: df.Workdir, Env: set})
	df.Env = setAll(df.Env, set)
	r.changed()
	return nil
}

// readRun reads a RUN instruction; read for one platform, a RUN guarded
// for others is left out.
func (r *reader) readRun(c *instructions.RunCommand) error {
	df := r.df
	if len(c.Files) > 0 || len(c.FlagsUsed) > 0 {
		return fmt.Errorf("RUN with heredocs or flags")
	}
	args := append([]string(nil), c.CmdLine...)
	if c.PrependShell {
		args = append([]string{"/bin/sh", "-c"}, strings.Join(args, " "))
	}
	if n := len(args); r.platform != "" && n > 0 {
		if ps, rest, ok := shellpkg.ReadPlatformGuard(args[n-1]); ok {
			if !slices.Contains(ps, r.platform) {
				return nil
			}
			args[n-1] = rest
		}
	}
	df.Ops = append(df.Ops, Op{Kind: OpRun, User: df.User, Dir: df.Workdir, Args: args, Env: r.runEnv()})
	return nil
}

// readCopy reads a COPY of one source from the context or a stage.
func (r *reader) readCopy(c *instructions.CopyCommand) error {
	df := r.df
	if len(c.SourceContents) > 0 || len(c.SourcePaths) != 1 || c.Link || c.Parents || len(c.ExcludePatterns) > 0 {
		return fmt.Errorf("COPY other than one source from the context or a stage")
	}
	if c.From != "" && !r.stages[c.From] {
		return fmt.Errorf("COPY --from=%s names no earlier build stage", c.From)
	}
	df.Ops = append(df.Ops, Op{Kind: OpCopy, User: df.User, Dir: df.Workdir,
		From: c.From, Source: c.SourcePaths[0], Dest: c.DestPath, Chmod: c.Chmod, Chown: c.Chown})
	return nil
}

// readHealthcheck reads a HEALTHCHECK in exec form.
func (r *reader) readHealthcheck(c *instructions.HealthCheckCommand) error {
	h := c.Health
	if h == nil || len(h.Test) < 2 || h.Test[0] != "CMD" || h.StartInterval != 0 {
		return fmt.Errorf("HEALTHCHECK other than CMD in exec form")
	}
	r.df.Healthcheck = &Healthcheck{Test: append([]string{}, h.Test[1:]...), Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	return nil
}

// setAll sets each of vars in list, keeping the position of a name set
// before, and returns the list.
// It never modifies list's elements: the result is a new slice.
func setAll(list, vars []KeyValue) []KeyValue {
	if len(list)+len(vars) == 0 {
		return nil
	}
	out := make([]KeyValue, len(list), len(list)+len(vars))
	copy(out, list)
	at := make(map[string]int, len(out)+len(vars))
	for i, kv := range out {
		at[kv.Key] = i
	}
	for _, v := range vars {
		if i, ok := at[v.Key]; ok {
			out[i].Value = v.Value
			continue
		}
		at[v.Key] = len(out)
		out = append(out, v)
	}
	return out
}

// diff returns "" when got says what d says, otherwise the first field
// that differs.
// sameSlice reports whether a and b are the same slice: same length and,
// when not empty, the same backing array start.
func sameSlice(a, b []KeyValue) bool {
	return len(a) == len(b) && (a == nil) == (b == nil) && (len(a) == 0 || &a[0] == &b[0])
}

func (d *Dockerfile) diff(got *Dockerfile) string {
	a, b := reflect.ValueOf(*d), reflect.ValueOf(*got)
	for i := 0; i < a.NumField(); i++ {
		name := a.Type().Field(i).Name
		if name == "Stages" {
			if len(d.Stages) != len(got.Stages) {
				return fmt.Sprintf("%d build stages instead of %d", len(got.Stages)+1, len(d.Stages)+1)
			}
			for j := range d.Stages {
				if why := d.Stages[j].diff(got.Stages[j]); why != "" {
					return "build stage " + d.Stages[j].Name + ": " + why
				}
			}
			continue
		}
		if name == "Ops" {
			if len(d.Ops) != len(got.Ops) {
				return fmt.Sprintf("%d build operations instead of %d", len(got.Ops), len(d.Ops))
			}
			// Consecutive operations share their env slice on both sides
			// until an ENV changes it: a pair of slices already found
			// equal is not compared again, so the check stays linear in
			// steps plus variables.
			var lastWant, lastGot []KeyValue
			checked := false
			for j := range d.Ops {
				w, g := d.Ops[j], got.Ops[j]
				we, ge := w.Env, g.Env
				w.Env, g.Env = nil, nil
				if !reflect.DeepEqual(w, g) {
					return fmt.Sprintf("build operation %d (%s)", j+1, d.Ops[j].Kind)
				}
				if checked && sameSlice(we, lastWant) && sameSlice(ge, lastGot) {
					continue
				}
				if !reflect.DeepEqual(we, ge) {
					return fmt.Sprintf("build operation %d (%s)", j+1, d.Ops[j].Kind)
				}
				lastWant, lastGot, checked = we, ge, true
			}
			continue
		}
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			return name
		}
	}
	return ""
}
