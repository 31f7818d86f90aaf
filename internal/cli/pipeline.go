package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// specFlags are the flags of every command that reads a spec.
type specFlags struct {
	vars     []string
	varFiles []string
	json     bool
	envs     []string
}

func (f *specFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set a variable: `name=value` (repeatable)")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read variable values from an HCL `file` (repeatable)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print diagnostics as JSON (for CI and editors)")
	cmd.Flags().StringSliceVarP(&f.envs, "env", "e", nil, "compile only these environments (comma-separated `names`)")
}

// loaded is a spec after the compiler stage.
type loaded struct {
	files map[string]*hcl.File
	envs  []*ir.Env
	diags hcl.Diagnostics
}

// load parses, decodes and compiles the spec at path.
func (a *app) load(path string, f *specFlags, outDir string) (*loaded, error) {
	opts := compiler.Options{Targets: targets.Names()}
	for _, v := range f.vars {
		vv, err := compiler.ParseVarFlag(v)
		if err != nil {
			return nil, usageError{err}
		}
		opts.Vars = append(opts.Vars, vv)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("cannot read spec: %v", err)
	}
	l := &loaded{files: map[string]*hcl.File{}}
	file, diags := schema.Parse(path, src)
	l.files[path] = file
	l.diags = diags
	if diags.HasErrors() {
		return l, nil
	}
	spec, moreDiags := schema.Decode(file)
	spec.Filename = path
	l.diags = append(l.diags, moreDiags...)
	if moreDiags.HasErrors() && len(spec.Environments) == 0 {
		return l, nil
	}
	opts.SpecDir = filepath.Dir(path)
	opts.OutDir = outDir
	opts.EnvVars = compiler.VarsFromEnviron(a.environ)
	opts.VarFiles = f.varFiles
	envs, moreDiags := compiler.Compile(spec, opts)
	l.diags = append(l.diags, moreDiags...)
	if len(f.envs) > 0 {
		var picked []*ir.Env
		for _, name := range f.envs {
			found := false
			for _, e := range envs {
				if e.Name == name {
					picked, found = append(picked, e), true
				}
			}
			if !found && !l.diags.HasErrors() {
				return nil, usagef("the spec has no environment %q", name)
			}
		}
		envs = picked
	}
	l.envs = envs
	return l, nil
}

// parseTargets resolves a -t value ("docker,llb"; "" or "all" for all).
func parseTargets(list []string) ([]emitters.Emitter, error) {
	if len(list) == 0 {
		return targets.All(), nil
	}
	var out []emitters.Emitter
	seen := map[string]bool{}
	for _, item := range list {
		for _, name := range strings.Split(item, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if name == "all" {
				return targets.All(), nil
			}
			e, ok := targets.Lookup(name)
			if !ok {
				var names []string
				for _, t := range targets.All() {
					names = append(names, t.Name())
				}
				return nil, usagef("unknown target %q (choose from %s)", name, strings.Join(names, ", "))
			}
			if !seen[e.Name()] {
				seen[e.Name()] = true
				out = append(out, e)
			}
		}
	}
	if len(out) == 0 {
		return nil, usagef("no target given to -t")
	}
	return out, nil
}

// emitted is one environment's outputs across targets.
type emitted struct {
	env   *ir.Env
	files []emitters.File
}

// emitAll runs every chosen emitter on every environment.
func emitAll(envs []*ir.Env, ts []emitters.Emitter) ([]emitted, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var out []emitted
	opts := emitters.Options{Platform: emitters.DefaultPlatform}
	for _, env := range envs {
		e := emitted{env: env}
		for _, t := range ts {
			o, moreDiags := t.Emit(env, opts)
			diags = append(diags, moreDiags...)
			if o != nil {
				e.files = append(e.files, o.Files...)
			}
		}
		out = append(out, e)
	}
	return out, diags
}

func checkSpecArg(path string) error {
	if path == "" {
		return usagef("no spec file given")
	}
	return nil
}
