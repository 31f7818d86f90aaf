package dockerread

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/envc-dev/envc/emitters/docker"
	envcshell "github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// ReadDockerfile parses data with BuildKit's parser and instructions
// packages and interprets it as the builder would, expanding words with
// BuildKit's lexer. baseEnv (NAME=value entries) stands for the base
// image's environment; a variable set nowhere expands to "", as in the
// builder. Named build stages before the last become Stages. It rejects
// what this package never writes: global ARGs, unnamed stages before the
// last, a FROM naming an earlier stage, COPY --from other than an earlier
// stage's name, heredocs, and instructions other than FROM, ARG, ENV, RUN,
// COPY, USER, WORKDIR, EXPOSE, VOLUME, LABEL, ENTRYPOINT and CMD. A
// docker.Dockerfile of values per platform is read for one platform alone
// (ReadDockerfileFor).
func ReadDockerfile(data []byte, baseEnv []string) (*docker.Dockerfile, error) {
	return ReadDockerfileFor(data, baseEnv, "")
}

// ReadDockerfileFor is ReadDockerfile for the build of platform (as
// ir.Env.Platforms lists them; "" for a docker.Dockerfile that is the same on
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
func ReadDockerfileFor(data []byte, baseEnv []string, platform string) (*docker.Dockerfile, error) {
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
			df:       &docker.Dockerfile{Name: st.Name, Base: base},
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
	df   *docker.Dockerfile
	lex  *shell.Lex
	base []string
	args []docker.KeyValue // ARG values, visible like ENV to later words and runs
	// stages are the names of the earlier build stages, which COPY
	// --from may name.
	stages map[string]bool
	// platform is the platform read for ("" for every platform).
	platform string
	// carried are the ARG values of the stage this one is built on, and
	// leading is set until its first instruction that is not an ARG
	// declaring one of them again (ReadDockerfileFor).
	carried []docker.KeyValue
	leading bool

	// env and getter cache runEnv and the lexer's view of it; both are
	// reset whenever an ARG or ENV changes the variables, so that each run
	// and each expanded word does not rebuild them.
	env    []docker.KeyValue
	getter shell.EnvGetter
}

// changed drops the cached variables after an ARG or ENV.
func (r *reader) changed() { r.env, r.getter = nil, nil }

// runEnv returns the variables set by ARG and ENV so far, in the order
// first set, later values winning.
// The returned slice is shared and must not be modified.
func (r *reader) runEnv() []docker.KeyValue {
	if r.env == nil {
		r.env = docker.SetAll(docker.SetAll(nil, r.args), r.df.Env)
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
			df.Ops = append(df.Ops, docker.Op{Kind: docker.OpMkdir, User: df.User, Dir: df.Workdir, Path: c.Path})
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
			df.Labels = append(df.Labels, docker.KeyValue{Key: kv.Key, Value: kv.Value})
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
		if r.platform != "" && a.Key == envcshell.PlatformArg && a.Value == nil {
			continue // what a guarded RUN tests, read for one platform
		}
		v := ""
		if a.Value != nil {
			var err error
			if v, err = r.expand(*a.Value); err != nil {
				return err
			}
		}
		if r.leading && a.Value != nil && slices.Contains(r.carried, docker.KeyValue{Key: a.Key, Value: v}) {
			r.args = docker.SetAll(r.args, []docker.KeyValue{{Key: a.Key, Value: v}})
			r.changed()
			continue
		}
		r.leading = false
		df.Args = docker.SetAll(df.Args, []docker.KeyValue{{Key: a.Key, Value: v}})
		r.args = docker.SetAll(r.args, []docker.KeyValue{{Key: a.Key, Value: v}})
		r.changed()
		if a.Value != nil {
			df.Ops = append(df.Ops, docker.Op{Kind: docker.OpArg, User: df.User, Dir: df.Workdir, Env: []docker.KeyValue{{Key: a.Key, Value: v}}})
		}
	}
	return nil
}

// readEnv reads an ENV instruction.
func (r *reader) readEnv(c *instructions.EnvCommand) error {
	df := r.df
	var set []docker.KeyValue
	for _, kv := range c.Env {
		if kv.NoDelim {
			return fmt.Errorf("ENV %s uses the legacy form", kv.Key)
		}
		set = append(set, docker.KeyValue{Key: kv.Key, Value: kv.Value})
	}
	df.Ops = append(df.Ops, docker.Op{Kind: docker.OpEnv, User: df.User, Dir: df.Workdir, Env: set})
	df.Env = docker.SetAll(df.Env, set)
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
		if ps, rest, ok := envcshell.ReadPlatformGuard(args[n-1]); ok {
			if !slices.Contains(ps, r.platform) {
				return nil
			}
			args[n-1] = rest
		}
	}
	df.Ops = append(df.Ops, docker.Op{Kind: docker.OpRun, User: df.User, Dir: df.Workdir, Args: args, Env: r.runEnv()})
	return nil
}

// readCopy reads a COPY instruction: one source, from the context or an
// earlier stage.
func (r *reader) readCopy(c *instructions.CopyCommand) error {
	df := r.df
	if len(c.SourceContents) > 0 || len(c.SourcePaths) != 1 || c.Link || c.Parents || len(c.ExcludePatterns) > 0 {
		return fmt.Errorf("COPY other than one source from the context or a stage")
	}
	if c.From != "" && !r.stages[c.From] {
		return fmt.Errorf("COPY --from=%s names no earlier build stage", c.From)
	}
	df.Ops = append(df.Ops, docker.Op{Kind: docker.OpCopy, User: df.User, Dir: df.Workdir,
		From: c.From, Source: c.SourcePaths[0], Dest: c.DestPath, Chmod: c.Chmod, Chown: c.Chown})
	return nil
}

// readHealthcheck reads a HEALTHCHECK instruction in exec form.
func (r *reader) readHealthcheck(c *instructions.HealthCheckCommand) error {
	df := r.df
	h := c.Health
	if h == nil || len(h.Test) < 2 || h.Test[0] != "CMD" || h.StartInterval != 0 {
		return fmt.Errorf("HEALTHCHECK other than CMD in exec form")
	}
	df.Healthcheck = &docker.Healthcheck{Test: append([]string{}, h.Test[1:]...), Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	return nil
}

// platformArgs returns the global arguments BuildKit sets for platform.
func platformArgs(platform string) []string {
	rest := strings.TrimPrefix(platform, "linux/")
	arch, variant, _ := strings.Cut(rest, "/")
	return []string{docker.TargetArch + "=" + arch, docker.TargetVariant + "=" + variant}
}

// FullSelfCheck sets whether every later docker Emit reads the Dockerfile
// back in full with ReadDockerfileFor (docker.SetFullSelfCheck), besides
// the structural check it always makes. envc does not link this package,
// so it makes the structural check alone; the tests turn this on.
func FullSelfCheck(on bool) {
	if on {
		docker.SetFullSelfCheck(ReadDockerfileFor)
	} else {
		docker.SetFullSelfCheck(nil)
	}
}
