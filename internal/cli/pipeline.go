package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/targets"
	"github.com/envc-dev/envc/internal/hugeheap"
	"github.com/envc-dev/envc/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// specFlags are the flags of every command that reads a spec.
type specFlags struct {
	vars     []string
	varFiles []string
	envs     []string
	// reportFlags choose the diagnostics printed (report.go).
	reportFlags
	// maxFileSize is --max-file-size: the largest file a target may make.
	maxFileSize byteSize
	// lock says how the spec's lock file is used (lock.go).
	lock lockFlags
}

func (f *specFlags) register(cmd *cobra.Command) { f.registerAs(cmd, "format") }

// registerAs registers the flags with formatFlag naming the diagnostics
// format flag.
func (f *specFlags) registerAs(cmd *cobra.Command, formatFlag string) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set a variable: `name=value` (repeatable)")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read variable values from a `file`: HCL attributes, or a JSON object when it ends in .json (repeatable)")
	cmd.Flags().StringSliceVarP(&f.envs, "env", "e", nil, "compile only these environments (comma-separated `names`)")
	f.registerReport(cmd, formatFlag)
	_ = cmd.RegisterFlagCompletionFunc("env", completeEnvs)
	_ = cmd.RegisterFlagCompletionFunc("var-file", cobra.FixedCompletions([]string{"hcl", "json"}, cobra.ShellCompDirectiveFilterFileExt))
	f.maxFileSize = emitters.DefaultMaxFileSize
	cmd.Flags().Var(&f.maxFileSize, "max-file-size", "refuse a spec that makes a file larger than `size` (e.g. 512MiB, 2GiB; 0 for no limit)")
}

// byteSize is a size flag: bytes, or a number with a unit (k, M, G: 1000
// times; KiB, MiB, GiB: 1024 times).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *byteSize) Type() string   { return "size" }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		factor int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"kB", 1e3}, {"k", 1e3}, {"MB", 1e6}, {"M", 1e6}, {"GB", 1e9}, {"G", 1e9}, {"B", 1}}
	num, factor := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, factor = strings.TrimSpace(n), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/factor {
		return fmt.Errorf("%q is not a size: write bytes, or a number with a unit such as 512MiB or 2GiB", s)
	}
	*b = byteSize(n * factor)
	return nil
}

// loaded is a spec after the compiler stage.
type loaded struct {
	files map[string]*hcl.File
	envs  []*ir.Env
	diags hcl.Diagnostics
	// spec and specFile are the spec's bytes and the name it was read
	// under ("<stdin>" for -).
	spec     []byte
	specFile string
	// settings is the spec's envc block (nil when it has none).
	settings *schema.Settings
	// maxFileSize bounds each emitted file (--max-file-size; 0: none).
	maxFileSize int64
	// inputs records every file the spec's compilation read (the spec
	// and its lock file included); lockMissing is the lock file's path
	// when there was none to read.
	inputs      *compiler.Inputs
	lockMissing string
}

// loadReporting is load, with the reporter of the flags' diagnostics
// format for what it loaded.
func (a *app) loadReporting(path string, f *specFlags, outDir string) (*loaded, *reporter, error) {
	l, err := a.load(path, f, outDir)
	if err != nil {
		return nil, nil, err
	}
	r, err := a.newReporter(&f.reportFlags, l)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
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
	l := &loaded{files: map[string]*hcl.File{}, maxFileSize: int64(f.maxFileSize), inputs: &compiler.Inputs{}}
	opts.Inputs = l.inputs
	src, err := a.readSpec(path)
	if err == nil && path != "-" {
		l.inputs.File(path, src)
	}
	if path == "-" {
		path = StdinName
	}
	l.specFile = path
	if err != nil {
		// A spec that cannot be read is a spec error (exit 1): the command
		// line named a file, which is all it had to do.
		l.diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read spec file", Detail: err.Error() + "."}}
		return l, nil
	}
	l.spec = src
	// Huge pages for the heap: a small spec's is mostly in use already,
	// and Start folds it; a larger one's grows from here on, and is
	// followed until the command ends.
	if len(src) <= hugeheap.SmallSpec {
		hugeheap.Start()
	} else if a.stopFollow == nil {
		a.stopFollow = hugeheap.Follow()
	}
	file, diags := schema.Parse(path, src)
	l.files[path] = file
	l.diags = diags
	if diags.HasErrors() {
		return l, nil
	}
	spec, moreDiags := schema.Decode(file)
	spec.Filename = path
	l.settings = spec.Settings
	l.diags = append(l.diags, moreDiags...)
	if moreDiags.HasErrors() && len(spec.Environments) == 0 {
		return l, nil
	}
	opts.SpecDir = filepath.Dir(path)
	opts.OutDir = outDir
	opts.EnvVars = compiler.VarsFromEnviron(a.environ)
	opts.VarFiles = f.varFiles
	opts.Files = l.files
	opts.Exhausted = func(d *hcl.Diagnostic) {
		// The evaluation cannot be stopped: report where it was, and end.
		if r, err := a.newReporter(&f.reportFlags, l); err == nil {
			r.report(hcl.Diagnostics{d}, nil)
		} else {
			printDiags(a.stderr, l.files, hcl.Diagnostics{d}, false)
		}
		os.Exit(exitSpec)
	}
	if err := a.lockOptions(path, f, l, &opts); err != nil {
		return nil, err
	}
	envs, moreDiags := compiler.Compile(spec, opts)
	l.diags = append(l.diags, moreDiags...)
	// The heap has grown while the spec was compiled: memory the runtime
	// mapped since Start is not yet advised.
	hugeheap.Advise()
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
	files []output
}

// output is one emitted file and what compile learnt of it on the way.
type output struct {
	emitters.File
	// owner is what made it, for the manifest: targetOwner of its target,
	// or ownerCopied.
	owner string
	// sum is the file's SHA-256 (hex), for the manifest; "" when not known
	// yet (a streamed file whose emitter does not know it is hashed as it
	// is written).
	sum string
	// tmp is the temporary file it was written to, holding size bytes; nil
	// before. A streamed file is written as soon as its emitter finished
	// (emitAll with an output tree).
	tmp  *tempFile
	size int64
	// held is set when the file at its path already holds its bytes
	// (outTree.holds, for a stream, before a temporary file is made): it
	// is not written.
	held bool
	// diskSum is the SHA-256 (hex) of the file now at the path, once
	// holds or overwriteProblem has read it ("" before), so that it is
	// read once.
	diskSum string
}

// missingDirs returns dir and those of its parents that do not exist,
// deepest first.
func missingDirs(dir string) []string {
	var out []string
	for {
		if _, err := os.Lstat(dir); err == nil {
			return out
		}
		out = append(out, dir)
		parent := filepath.Dir(dir)
		if parent == dir {
			return out
		}
		dir = parent
	}
}

// emitAll runs every chosen emitter on every environment, the emitters
// side by side (they only read the IR), and hashes what each writes. The
// files and diagnostics come in environment, then target order, whatever
// finishes first. With an output tree, a streamed file is written to a
// temporary file in its environment's folder as soon as its emitter is
// done, while the others still run; writeOutputs puts it in place, and
// the tree removes it when nothing is written. With diagsOnly (validate,
// explain) only the diagnostics are wanted: the emitters may leave their
// files out, and nothing is hashed.
//
// maxFileSize bounds every file an emitter makes (emitters.Options); 0
// means no bound.
func emitAll(envs []*ir.Env, ts []emitters.Emitter, tree *outTree, diagsOnly bool, maxFileSize int64) ([]emitted, hcl.Diagnostics) {
	type job struct {
		emitted
		diags hcl.Diagnostics
	}
	jobs := make([]job, len(envs)*len(ts))
	// A large file may come as a stream, which writeOutputs writes (and
	// hashes) straight to its file.
	opts := emitters.Options{Platform: emitters.DefaultPlatform, Stream: true, DiagnosticsOnly: diagsOnly, MaxFileSize: maxFileSize}
	parallel(len(jobs), func(i int) {
		t := ts[i%len(ts)]
		o, diags := emitters.EmitFor(t, envs[i/len(ts)], opts)
		jobs[i].diags = diags
		if o == nil {
			return
		}
		for _, f := range o.Files {
			out := output{File: f, owner: targetOwner(t.Name()), sum: f.SHA256} // a stream's, if the emitter knows it
			switch {
			case tree == nil: // not written: no manifest to hash for
			case f.Stream == nil:
				out.sum = hashOf(f.Data) // for the manifest
			default:
				// A file that already holds the stream's bytes (the
				// emitter knows their hash) is not written again; on a
				// failure writeOutputs tries again, and reports it.
				if env := tree.envs[envs[i/len(ts)].Name]; env != nil && !tree.holds(env, &out) {
					tree.writeOutput(env, &out)
				}
			}
			jobs[i].files = append(jobs[i].files, out)
		}
	})
	hugeheap.Advise() // and while the targets were emitted
	var diags hcl.Diagnostics
	out := make([]emitted, len(envs))
	for i, env := range envs {
		out[i].env = env
		for j := range ts {
			jb := jobs[i*len(ts)+j]
			diags = append(diags, nameModuleCalls(env, jb.diags)...)
			out[i].files = append(out[i].files, jb.files...)
		}
	}
	return out, diags
}

// parallel calls f(0) ... f(n-1) on as many goroutines as Go runs at once
// (GOMAXPROCS) and returns when all have returned.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			growStack()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

func checkSpecArg(path string) error {
	if path == "" {
		return usagef("no spec file given")
	}
	return nil
}

// StdinName is the file name of a spec read from standard input (SPEC
// given as -), as diagnostics show it; the files it copies are relative
// to the current folder.
const StdinName = "<stdin>"

// maxSpecSize bounds a spec read from standard input.
const maxSpecSize = 64 << 20

// readSpec reads the spec at path, or standard input for "-".
func (a *app) readSpec(path string) ([]byte, error) {
	if path != "-" {
		src, err := os.ReadFile(path)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("cannot read %s: %w", path, pe.Err)
		}
		return src, err
	}
	src, err := io.ReadAll(io.LimitReader(a.stdin, maxSpecSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the spec from standard input: %w", err)
	}
	if len(src) > maxSpecSize {
		return nil, fmt.Errorf("the spec on standard input is larger than %d MiB", maxSpecSize>>20)
	}
	return src, nil
}

// nameModuleCalls adds, to each problem a target found at a line of a
// module file of env (or of its stages), the calls of that file, as the
// compiler does for the problems it finds there: a module's steps are
// steps like any other to the targets.
func nameModuleCalls(env *ir.Env, diags hcl.Diagnostics) hcl.Diagnostics {
	var mods []ir.Module
	for _, st := range env.Stages {
		mods = append(mods, st.Modules...)
	}
	mods = append(mods, env.Modules...)
	if len(mods) == 0 {
		return diags
	}
	for _, d := range diags {
		if d.Subject == nil || strings.Contains(d.Detail, "\n\nIn module") {
			continue
		}
		file := filepath.ToSlash(d.Subject.Filename)
		var calls []string
		for _, m := range mods {
			if file == m.Source || strings.HasSuffix(file, "/"+m.Source) {
				calls = append(calls, fmt.Sprintf("%s, called at %s", strings.TrimPrefix(m.Call, "module"), m.Range))
			}
		}
		if len(calls) > 0 {
			d.Detail = strings.TrimRight(d.Detail, "\n") + "\n\nIn module" + strings.Join(calls, "; in module") + "."
		}
	}
	return diags
}

// stackSink keeps growStack's frame from being optimised away.
var stackSink byte

// growStack grows the calling goroutine's stack to 32 KiB at once. A
// goroutine starts with 2 KiB and doubles it each time a call needs more,
// copying the stack and adjusting every frame each time: the targets'
// writers, run on fresh goroutines, went through four such copies, deep
// in their work (a small compile: 0.5 ms less with this).
//
//go:noinline
func growStack() {
	var pad [24 << 10]byte
	stackSink = pad[int(stackSink)%len(pad)]
}
