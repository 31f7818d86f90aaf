package buildkit_test

import (
	"bytes"
	"encoding/json"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/internal/shell"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/proto"
)

var envs = []struct {
	name string
	env  func() *ir.Env
}{
	{"full", irtest.Full},
	{"minimal", irtest.Minimal},
	{"hostile", irtest.Hostile},
}

// emit runs the emitter and returns its files by path; it fails the test
// on errors.
func emit(t *testing.T, env *ir.Env, opts emitters.Options) (map[string][]byte, hcl.Diagnostics) {
	t.Helper()
	out, diags := emitters.EmitFor(buildkit.New(), env, opts)
	if diags.HasErrors() {
		t.Fatalf("Emit: %v", diags.Errs())
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		if f.Mode != 0o644 {
			t.Errorf("%s: mode %o, want 644", f.Path, f.Mode)
		}
		files[f.Path] = f.Data
	}
	return files, diags
}

func ruleNames(diags hcl.Diagnostics) []string {
	var names []string
	for _, d := range diags {
		if x, ok := d.Extra.(emitters.RuleExtra); ok {
			names = append(names, x.Rule.Name)
		} else {
			names = append(names, "(no rule) "+d.Summary)
		}
	}
	return names
}

func recipeOf(t *testing.T, pbBytes []byte) *buildkit.Recipe {
	t.Helper()
	g, err := llbread.ReadBack(pbBytes)
	if err != nil {
		t.Fatalf("ReadBack: %v", err)
	}
	r, err := g.Recipe()
	if err != nil {
		t.Fatalf("Recipe: %v", err)
	}
	return r
}

func TestEmitter(t *testing.T) {
	e := buildkit.New()
	got := []string{e.Name(), strings.Join(e.Aliases(), ","), e.Summary()}
	want := []string{"llb", "buildkit", got[2]}
	if diff := cmp.Diff(want, got); diff != "" || got[2] == "" {
		t.Errorf("name, aliases, summary (-want +got):\n%s", diff)
	}
}

func TestFiles(t *testing.T) {
	for _, tc := range envs {
		t.Run(tc.name, func(t *testing.T) {
			files, _ := emit(t, tc.env(), emitters.Options{})
			if diff := cmp.Diff([]string{"image.json", "llb.json", "llb.pb"}, slices.Sorted(maps.Keys(files))); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			for _, p := range []string{"image.json", "llb.json"} {
				if !bytes.HasSuffix(files[p], []byte("}\n")) {
					t.Errorf("%s does not end with a newline", p)
				}
				if !json.Valid(files[p]) {
					t.Errorf("%s is not valid JSON", p)
				}
			}
			var d struct {
				Comment string `json:"comment"`
			}
			if err := json.Unmarshal(files["llb.json"], &d); err != nil || !strings.Contains(d.Comment, emitters.HeaderMarker) {
				t.Errorf("llb.json comment = %q (%v), want the generated-file header", d.Comment, err)
			}
			if bytes.Contains(files["image.json"], []byte("created")) {
				t.Errorf("image.json has a timestamp:\n%s", files["image.json"])
			}
		})
	}
}

// TestDeterministic emits every environment many times, from fresh IR
// values, concurrently and with different GOMAXPROCS, and demands the same
// bytes.
func TestDeterministic(t *testing.T) {
	for _, tc := range envs {
		t.Run(tc.name, func(t *testing.T) {
			first, _ := emit(t, tc.env(), emitters.Options{})
			second, _ := emit(t, tc.env(), emitters.Options{})
			if diff := cmp.Diff(first, second); diff != "" {
				t.Fatalf("second emit differs (-first +second):\n%s", diff)
			}
			for _, procs := range []int{1, 4} {
				prev := runtime.GOMAXPROCS(procs)
				var wg sync.WaitGroup
				results := make([]map[string][]byte, 8)
				for i := range results {
					wg.Add(1)
					go func() {
						defer wg.Done()
						out, diags := emitters.EmitFor(buildkit.New(), tc.env(), emitters.Options{})
						if diags.HasErrors() {
							return
						}
						results[i] = map[string][]byte{}
						for _, f := range out.Files {
							results[i][f.Path] = f.Data
						}
					}()
				}
				wg.Wait()
				runtime.GOMAXPROCS(prev)
				for i, r := range results {
					if diff := cmp.Diff(first, r); diff != "" {
						t.Errorf("GOMAXPROCS=%d, run %d differs (-first +run):\n%s", procs, i, diff)
					}
				}
			}
		})
	}
}

// TestDefinitionReadsBack decodes llb.pb the way buildctl does (a plain
// pb.Definition) and checks the digests llb.json records, and that
// llb.json shows exactly what llb.pb holds.
func TestDefinitionReadsBack(t *testing.T) {
	for _, tc := range envs {
		t.Run(tc.name, func(t *testing.T) {
			files, _ := emit(t, tc.env(), emitters.Options{})
			var def pb.Definition
			if err := proto.Unmarshal(files["llb.pb"], &def); err != nil {
				t.Fatalf("unmarshal llb.pb: %v", err)
			}
			var dumped buildkit.Graph
			if err := json.Unmarshal(files["llb.json"], &dumped); err != nil {
				t.Fatalf("unmarshal llb.json: %v", err)
			}
			var want []string
			for _, dt := range def.Def {
				want = append(want, digest.FromBytes(dt).String())
			}
			var got []string
			for _, op := range dumped.Ops {
				got = append(got, op.Digest)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("op digests (-llb.pb +llb.json):\n%s", diff)
			}
			// Every exec op's env, with envAs resolved, is llb.pb's.
			g, err := llbread.ReadBack(files["llb.pb"])
			if err != nil {
				t.Fatal(err)
			}
			envOf := map[string][]string{}
			shared := 0
			for i, op := range dumped.Ops {
				if op.Exec == nil {
					continue
				}
				env := op.Exec.Env
				if op.Exec.EnvAs != "" {
					shared++
					prev, ok := envOf[op.Exec.EnvAs]
					if !ok || env != nil {
						t.Errorf("op %s: envAs %s names no earlier exec op, or env is also set", op.Digest, op.Exec.EnvAs)
					}
					env = prev
				}
				envOf[op.Digest] = env
				if diff := cmp.Diff(g.Ops[i].Exec.Env, env); diff != "" {
					t.Errorf("op %s env (-llb.pb +llb.json):\n%s", op.Digest, diff)
				}
			}
			if tc.name == "full" && shared == 0 {
				t.Error("no exec op shares its env with the previous one")
			}
			// llb.json is written from the graph envc built, not decoded from
			// llb.pb: with envAs resolved, it is what llb.pb decodes to.
			for i, op := range dumped.Ops {
				if op.Exec != nil && op.Exec.EnvAs != "" {
					exec := *op.Exec
					exec.Env, exec.EnvAs = envOf[op.Digest], ""
					dumped.Ops[i].Exec = &exec
				}
			}
			if diff := cmp.Diff(g, &dumped); diff != "" {
				t.Errorf("graph (-llb.pb read back +llb.json):\n%s", diff)
			}
			if len(dumped.Ops) < 2 || dumped.Result != dumped.Ops[len(dumped.Ops)-1].Inputs[0].Digest {
				t.Errorf("result %q is not the terminal op's input", dumped.Result)
			}
			for _, op := range dumped.Ops {
				if op.Kind != "result" && op.Name == "" {
					t.Errorf("op %s (%s) has no custom name", op.Digest, op.Kind)
				}
			}
		})
	}
}

func TestRecipeFull(t *testing.T) {
	files, _ := emit(t, irtest.Full(), emitters.Options{})
	install := shell.InstallCommand(ir.Apt, []string{"git", "vim", "python3-pip"}, shell.InstallOptions{})
	basePath := "PATH=" + emitters.DefaultPath
	env := []string{"OMP_NUM_THREADS=1", "PATH=/home/fenics/.local/bin:" + emitters.DefaultPath}
	multi := "echo 'it''s' \"$HOME\" > /tmp/x\nif true; then\n  echo multi-line\nfi"
	ensure := shell.EnsureUserCommand(shell.User{Name: "fenics"}, "debian")
	want := &buildkit.Recipe{
		Image:    "docker.io/library/ubuntu:20.04",
		Platform: "linux/amd64",
		Steps: []buildkit.RecipeStep{
			{Kind: "exec", Name: "RUN " + install, Args: []string{"/bin/sh", "-c", install}, Env: []string{basePath}, Cwd: "/"},
			{Kind: "exec", Name: "RUN mkdir -p /home/fenics", Args: []string{"/bin/sh", "-c", "mkdir -p /home/fenics"}, Env: []string{basePath}, Cwd: "/"},
			{Kind: "copy", Name: "COPY files/intro.ipynb /home/fenics/intro.ipynb", Context: "context", Src: "/files/intro.ipynb", Dest: "/home/fenics/intro.ipynb", Mode: "0644"},
			{Kind: "exec", Name: "RUN pip3 install --no-cache-dir meshio", Args: []string{"/bin/sh", "-c", "pip3 install --no-cache-dir meshio"}, Env: env, Cwd: "/"},
			{Kind: "exec", Name: "RUN " + multi, Args: []string{"/bin/sh", "-c", multi}, Env: env, Cwd: "/"},
			{Kind: "exec", Name: "RUN " + ensure, Args: []string{"/bin/sh", "-c", ensure}, Env: env, Cwd: "/"},
			{Kind: "mkdir", Name: "WORKDIR /home/fenics/shared", Path: "/home/fenics/shared", Mode: "0755", Owner: "fenics", Parents: true},
		},
	}
	if diff := cmp.Diff(want, recipeOf(t, files["llb.pb"])); diff != "" {
		t.Errorf("recipe (-want +got):\n%s", diff)
	}
	g, err := llbread.ReadBack(files["llb.pb"])
	if err != nil {
		t.Fatal(err)
	}
	var local *buildkit.Source
	for _, op := range g.Ops {
		if op.Kind == "source" && strings.HasPrefix(op.Source.Identifier, "local://") {
			local = op.Source
		}
	}
	wantLocal := &buildkit.Source{Identifier: "local://context", Attrs: map[string]string{
		"local.includepattern": `["files/intro.ipynb"]`,
		"local.sharedkeyhint":  "context",
		"local.unique":         "envc-fenics",
	}}
	if diff := cmp.Diff(wantLocal, local); diff != "" {
		t.Errorf("build context source (-want +got):\n%s", diff)
	}
}

// TestHostile checks that every hostile literal reaches the graph and the
// image config byte for byte.
func TestHostile(t *testing.T) {
	env := irtest.Hostile()
	files, _ := emit(t, env, emitters.Options{})
	h := env.RunEnv()[0].Value[0].Lit
	mixed := "pre'\"`" + h + "$post"
	cp := env.Steps[0].(*ir.CopyStep)
	wd := env.Steps[3].(*ir.WorkdirStep)
	ensure := shell.EnsureUserCommand(shell.User{Name: "sim"}, "debian")
	want := &buildkit.Recipe{
		Image:    "docker.io/library/debian:bookworm",
		Platform: "linux/amd64",
		Steps: []buildkit.RecipeStep{
			{Kind: "exec", Name: "RUN mkdir -p /opt", Args: []string{"/bin/sh", "-c", "mkdir -p /opt"}, Env: []string{"PATH=" + emitters.DefaultPath}, Cwd: "/"},
			{Kind: "copy", Name: "COPY " + cp.Source + " " + cp.Target, Context: "context", Src: "/" + cp.Source, Dest: cp.Target, Mode: "0600"},
			{Kind: "exec", Name: "RUN " + ensure, Args: []string{"/bin/sh", "-c", ensure}, Cwd: "/",
				Env: []string{"PATH=" + emitters.DefaultPath, "HOSTILE=" + h, "MIXED=" + mixed}},
			{Kind: "mkdir", Name: "WORKDIR " + wd.Path, Path: wd.Path, Mode: "0755", Owner: "sim", Parents: true},
		},
	}
	if diff := cmp.Diff(want, recipeOf(t, files["llb.pb"])); diff != "" {
		t.Errorf("recipe (-want +got):\n%s", diff)
	}

	var img ocispecs.Image
	if err := json.Unmarshal(files["image.json"], &img); err != nil {
		t.Fatalf("image.json: %v", err)
	}
	wantImg := ocispecs.Image{
		Platform: ocispecs.Platform{Architecture: "amd64", OS: "linux"},
		Config: ocispecs.ImageConfig{
			User:         "sim",
			ExposedPorts: map[string]struct{}{"80/udp": {}},
			Env:          []string{"PATH=" + emitters.DefaultPath, "HOSTILE=" + h, "MIXED=" + mixed},
			Cmd:          env.Run,
			Volumes:      map[string]struct{}{env.Mounts[0].Target: {}},
			WorkingDir:   env.Workdir,
			Labels:       map[string]string{env.Labels[0].Key: h, ir.DescriptionLabel: h},
		},
		RootFS: ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	if diff := cmp.Diff(wantImg, img); diff != "" {
		t.Errorf("image config (-want +got):\n%s", diff)
	}
}

func TestImageConfigFull(t *testing.T) {
	files, _ := emit(t, irtest.Full(), emitters.Options{})
	var img ocispecs.Image
	dec := json.NewDecoder(bytes.NewReader(files["image.json"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&img); err != nil {
		t.Fatalf("image.json: %v", err)
	}
	want := ocispecs.Image{
		Platform: ocispecs.Platform{Architecture: "amd64", OS: "linux"},
		Config: ocispecs.ImageConfig{
			User:         "fenics",
			ExposedPorts: map[string]struct{}{"8000/tcp": {}},
			Env:          []string{"PATH=/home/fenics/.local/bin:" + emitters.DefaultPath, "OMP_NUM_THREADS=1"},
			Cmd:          []string{"jupyter", "notebook", "--ip=0.0.0.0", "--port=8000"},
			Volumes:      map[string]struct{}{"/home/fenics/shared": {}},
			WorkingDir:   "/home/fenics/shared",
			Labels:       map[string]string{"maintainer": "sim-group", ir.DescriptionLabel: "FEniCS with a notebook server"},
		},
		RootFS: ocispecs.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	if diff := cmp.Diff(want, img); diff != "" {
		t.Errorf("image config (-want +got):\n%s", diff)
	}
}

func TestWarnings(t *testing.T) {
	full := irtest.Full()
	tests := []struct {
		name string
		env  *ir.Env
		opts emitters.Options
		want []string
		// wantRanges are the ranges of the env warnings, in order.
		wantRanges []hcl.Range
	}{
		{
			name: "full, base env unknown",
			env:  full,
			want: []string{"llb-base-env-assumed", "llb-port-host-binding", "llb-mount-declared", "llb-vm-ignored"},
			wantRanges: []hcl.Range{
				full.RunEnv()[1].Range, full.Ports[0].Range, full.Mounts[0].Range, full.VM.Range,
			},
		},
		{
			name: "full, base env known",
			env:  full,
			opts: emitters.Options{BaseEnv: []string{"PATH=/usr/bin:/bin"}},
			want: []string{"llb-port-host-binding", "llb-mount-declared", "llb-vm-ignored"},
		},
		{
			name: "minimal",
			env:  irtest.Minimal(),
		},
		{
			name: "hostile",
			env:  irtest.Hostile(),
			want: []string{"llb-port-host-binding", "llb-mount-declared", "llb-vm-ignored"},
		},
		{
			name:       "unset reference, base env known",
			env:        envWith(ir.EnvVar{Name: "A", Value: ir.ParseWord("$HOME/x:$HOME:$LANG"), Range: rngAt(40)}),
			opts:       emitters.Options{BaseEnv: []string{"PATH=/bin", "LANG=C.UTF-8"}},
			want:       []string{"llb-env-ref-unset"},
			wantRanges: []hcl.Range{rngAt(40)},
		},
		{
			name:       "unset reference, base env unknown",
			env:        envWith(ir.EnvVar{Name: "A", Value: ir.ParseWord("$HOME"), Range: rngAt(41)}),
			want:       []string{"llb-base-env-assumed"},
			wantRanges: []hcl.Range{rngAt(41)},
		},
		{
			name: "reference to an earlier var only",
			env: envWith(
				ir.EnvVar{Name: "A", Value: ir.ParseWord("a"), Range: rngAt(42)},
				ir.EnvVar{Name: "B", Value: ir.ParseWord("${A}b"), Range: rngAt(43)},
			),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := emit(t, tc.env, tc.opts)
			if diff := cmp.Diff(tc.want, ruleNames(diags)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			for i, rng := range tc.wantRanges {
				if i < len(diags) && (diags[i].Subject == nil || *diags[i].Subject != rng) {
					t.Errorf("warning %d at %v, want %v", i, diags[i].Subject, rng)
				}
			}
		})
	}
}

func rngAt(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 9}}
}

// envWith returns a minimal environment with vars set by one EnvStep
// followed by a RunStep that sees them.
func envWith(vars ...ir.EnvVar) *ir.Env {
	env := irtest.Minimal()
	env.Steps = []ir.Step{
		&ir.EnvStep{Vars: vars, Range: rngAt(30)},
		&ir.RunStep{Command: "env", Shell: "sh", Range: rngAt(31)},
	}
	return env
}

// TestEnvExpansion checks the expansion of references and the two orders
// dockerfile2llb produces: an image config replaces a var in place, an
// exec's env lists a var set again last.
func TestEnvExpansion(t *testing.T) {
	env := envWith(
		ir.EnvVar{Name: "PATH", Value: ir.ParseWord("/opt/bin:$PATH"), Range: rngAt(40)},
		ir.EnvVar{Name: "GREETING", Value: ir.ParseWord("${LANG}-$$LANG-${PATH}"), Range: rngAt(41)},
		ir.EnvVar{Name: "LANG", Value: ir.ParseWord("x${LANG}"), Range: rngAt(42)},
	)
	tests := []struct {
		name     string
		baseEnv  []string
		wantCfg  []string
		wantExec []string
	}{
		{
			name:     "base env known",
			baseEnv:  []string{"LANG=C.UTF-8", "PATH=/usr/bin:/bin", "TERM=xterm"},
			wantCfg:  []string{"LANG=xC.UTF-8", "PATH=/opt/bin:/usr/bin:/bin", "TERM=xterm", "GREETING=C.UTF-8-$LANG-/opt/bin:/usr/bin:/bin"},
			wantExec: []string{"TERM=xterm", "PATH=/opt/bin:/usr/bin:/bin", "GREETING=C.UTF-8-$LANG-/opt/bin:/usr/bin:/bin", "LANG=xC.UTF-8"},
		},
		{
			name:     "base env without PATH",
			baseEnv:  []string{"LANG=C"},
			wantCfg:  []string{"LANG=xC", "PATH=/opt/bin:" + emitters.DefaultPath, "GREETING=C-$LANG-/opt/bin:" + emitters.DefaultPath},
			wantExec: []string{"PATH=/opt/bin:" + emitters.DefaultPath, "GREETING=C-$LANG-/opt/bin:" + emitters.DefaultPath, "LANG=xC"},
		},
		{
			name:     "base env unknown",
			wantCfg:  []string{"PATH=/opt/bin:" + emitters.DefaultPath, "GREETING=-$LANG-/opt/bin:" + emitters.DefaultPath, "LANG=x"},
			wantExec: []string{"PATH=/opt/bin:" + emitters.DefaultPath, "GREETING=-$LANG-/opt/bin:" + emitters.DefaultPath, "LANG=x"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, _ := emit(t, env, emitters.Options{BaseEnv: tc.baseEnv})
			var img ocispecs.Image
			if err := json.Unmarshal(files["image.json"], &img); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantCfg, img.Config.Env); diff != "" {
				t.Errorf("image config Env (-want +got):\n%s", diff)
			}
			r := recipeOf(t, files["llb.pb"])
			if len(r.Steps) != 1 {
				t.Fatalf("got %d steps, want 1", len(r.Steps))
			}
			if diff := cmp.Diff(tc.wantExec, r.Steps[0].Env); diff != "" {
				t.Errorf("exec env (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSteps checks per-step user, workdir and shell, and that a step's
// user and directory do not leak into the next.
func TestSteps(t *testing.T) {
	env := irtest.Minimal()
	env.Distro = &ir.Distro{ID: "alpine", Version: "3.20", Family: "alpine", Manager: ir.Apk}
	env.Steps = []ir.Step{
		&ir.InstallStep{Manager: ir.Apk, Packages: []string{"bash"}},
		&ir.UserStep{Name: "u"},
		&ir.RunStep{Command: "set -x; false | true", Shell: "bash", User: "u", Workdir: "/work"},
		&ir.RunStep{Command: "pwd", Shell: "sh"},
		&ir.CopyStep{Source: "files/a b/*.txt", Target: "/etc/x/a.txt", Mode: 0o4755, Owner: "u"},
		&ir.CopyStep{Source: "files/a b/*.txt", Target: "/etc/y/a.txt", Mode: 0o644},
		&ir.WorkdirStep{Path: "/"},
		&ir.WorkdirStep{Path: "/srv/root-owned"},
	}
	files, _ := emit(t, env, emitters.Options{Platform: "linux/arm64"})
	install := shell.InstallCommand(ir.Apk, []string{"bash"}, shell.InstallOptions{})
	ensure := shell.EnsureUserCommand(shell.User{Name: "u"}, "alpine")
	path := []string{"PATH=" + emitters.DefaultPath}
	want := &buildkit.Recipe{
		Image:    "docker.io/library/debian:bookworm",
		Platform: "linux/arm64",
		Steps: []buildkit.RecipeStep{
			{Kind: "exec", Name: "RUN " + install, Args: []string{"/bin/sh", "-c", install}, Env: path, Cwd: "/"},
			{Kind: "exec", Name: "RUN " + ensure, Args: []string{"/bin/sh", "-c", ensure}, Env: path, Cwd: "/"},
			{Kind: "exec", Name: "RUN set -x; false | true", Args: []string{"/bin/bash", "-eo", "pipefail", "-c", "set -x; false | true"}, Env: path, Cwd: "/work", User: "u"},
			{Kind: "exec", Name: "RUN pwd", Args: []string{"/bin/sh", "-c", "pwd"}, Env: path, Cwd: "/"},
			{Kind: "exec", Name: "RUN mkdir -p /etc/x /etc/y", Args: []string{"/bin/sh", "-c", "mkdir -p /etc/x /etc/y"}, Env: []string{"PATH=" + emitters.DefaultPath}, Cwd: "/"},
			{Kind: "copy", Name: "COPY files/a b/*.txt /etc/x/a.txt", Context: "context", Src: "/files/a b/*.txt", Dest: "/etc/x/a.txt", Mode: "4755", Owner: "u"},
			{Kind: "copy", Name: "COPY files/a b/*.txt /etc/y/a.txt", Context: "context", Src: "/files/a b/*.txt", Dest: "/etc/y/a.txt", Mode: "0644"},
			{Kind: "mkdir", Name: "WORKDIR /srv/root-owned", Path: "/srv/root-owned", Mode: "0755", Parents: true},
		},
	}
	if diff := cmp.Diff(want, recipeOf(t, files["llb.pb"])); diff != "" {
		t.Errorf("recipe (-want +got):\n%s", diff)
	}
	g, err := llbread.ReadBack(files["llb.pb"])
	if err != nil {
		t.Fatal(err)
	}
	var copies []buildkit.Copy
	var patterns []string
	for _, op := range g.Ops {
		if op.Kind == "file" && op.File.Actions[0].Copy != nil {
			copies = append(copies, *op.File.Actions[0].Copy)
		}
		if op.Kind == "source" && op.Source.Attrs["local.includepattern"] != "" {
			if err := json.Unmarshal([]byte(op.Source.Attrs["local.includepattern"]), &patterns); err != nil {
				t.Fatal(err)
			}
		}
		if op.Kind == "exec" && op.Platform != "linux/arm64" {
			t.Errorf("exec op on platform %q, want linux/arm64", op.Platform)
		}
	}
	for _, c := range copies {
		if c.AllowWildcard || c.AllowEmptyWildcard || !c.CreateDestPath {
			t.Errorf("copy %q: wildcard %v/%v, createDestPath %v; want a literal source and created parents", c.Src, c.AllowWildcard, c.AllowEmptyWildcard, c.CreateDestPath)
		}
	}
	if diff := cmp.Diff([]string{`files/a b/\*.txt`}, patterns); diff != "" {
		t.Errorf("include patterns (-want +got):\n%s", diff)
	}
	var img ocispecs.Image
	if err := json.Unmarshal(files["image.json"], &img); err != nil {
		t.Fatal(err)
	}
	if img.Architecture != "arm64" || img.OS != "linux" || img.Config.Cmd != nil {
		t.Errorf("image platform %s/%s, Cmd %q; want linux/arm64 and no Cmd", img.OS, img.Architecture, img.Config.Cmd)
	}
}

func TestPlatform(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "", want: "linux/amd64"},
		{in: "linux/amd64", want: "linux/amd64"},
		{in: "linux/arm/v7", want: "linux/arm/v7"},
		{in: "linux/aarch64", want: "linux/arm64"},
		{in: "linux", wantErr: true},
		{in: "linux/", wantErr: true},
		{in: "a/b/c/d", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			res, diags := buildkit.Build(irtest.Minimal(), emitters.Options{Platform: tc.in})
			if tc.wantErr {
				if !diags.HasErrors() || diags[0].Summary != "Invalid platform" {
					t.Errorf("diags = %v, want an Invalid platform error", diags)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Errs())
			}
			r := recipeOf(t, res.Marshal().Bytes)
			got := []string{buildkit.FormatPlatform(res.Platform), r.Platform, res.Image.OS + "/" + res.Image.Architecture + variantSuffix(res.Image.Variant)}
			if diff := cmp.Diff([]string{tc.want, tc.want, tc.want}, got); diff != "" {
				t.Errorf("platform of result, graph, image (-want +got):\n%s", diff)
			}
		})
	}
}

func variantSuffix(v string) string {
	if v == "" {
		return ""
	}
	return "/" + v
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(env *ir.Env)
	}{
		{"NUL in a label", func(env *ir.Env) { env.Labels = []ir.KeyValue{{Key: "k", Value: "a\x00b"}} }},
		{"NUL in a command", func(env *ir.Env) {
			env.Steps = append(env.Steps, &ir.RunStep{Command: "echo \x00", Shell: "sh"})
		}},
		{"invalid UTF-8 in the run command", func(env *ir.Env) { env.Run = []string{"echo", "\xff"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := irtest.Minimal()
			tc.modify(env)
			out, diags := emitters.EmitFor(buildkit.New(), env, emitters.Options{})
			if out != nil || len(diags) != 1 || diags[0].Summary != "Value not representable in LLB" {
				t.Errorf("Emit = %v, %v; want no output and one error", out, diags)
			}
		})
	}
}

// TestBuildctlDumpLLB feeds llb.pb to the real buildctl, which reads it as
// `buildctl build` does.
func TestBuildctlDumpLLB(t *testing.T) {
	buildctl, err := exec.LookPath("buildctl")
	if err != nil {
		t.Skip("buildctl not found on PATH; build it from the BuildKit module to run this test")
	}
	for _, tc := range envs {
		t.Run(tc.name, func(t *testing.T) {
			files, _ := emit(t, tc.env(), emitters.Options{})
			dir := t.TempDir()
			p := filepath.Join(dir, "llb.pb")
			if err := os.WriteFile(p, files["llb.pb"], 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(buildctl, "debug", "dump-llb")
			cmd.Stdin = bytes.NewReader(files["llb.pb"])
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("buildctl debug dump-llb: %v", err)
			}
			g, err := llbread.ReadBack(files["llb.pb"])
			if err != nil {
				t.Fatal(err)
			}
			var digests []string
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				var op struct {
					Digest string
				}
				if err := json.Unmarshal([]byte(line), &op); err != nil {
					t.Fatalf("dump-llb line %q: %v", line, err)
				}
				digests = append(digests, op.Digest)
			}
			var want []string
			for _, op := range g.Ops {
				want = append(want, op.Digest)
			}
			if diff := cmp.Diff(slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(digests))); diff != "" {
				t.Errorf("op digests (-llbread.ReadBack +buildctl):\n%s", diff)
			}
		})
	}
}
