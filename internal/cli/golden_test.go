package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"mvdan.cc/sh/v3/syntax"
)

func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		c := c
		t.Run(c.name, func(t *testing.T) {
			got := goldenOnce(t, c).tree()
			again := compile(t, c).tree()
			for p, f := range got {
				if !bytes.Equal(f.Data, again[p].Data) {
					t.Errorf("%s: compiling twice gave different bytes", p)
				}
			}
			if *update {
				if err := os.RemoveAll(c.want); err != nil {
					t.Fatal(err)
				}
				for p, f := range got {
					dst := filepath.Join(c.want, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, c.want)
			var gotPaths, wantPaths []string
			for p := range got {
				gotPaths = append(gotPaths, p)
			}
			for p := range want {
				wantPaths = append(wantPaths, p)
			}
			sort.Strings(gotPaths)
			sort.Strings(wantPaths)
			if diff := cmp.Diff(wantPaths, gotPaths); diff != "" {
				t.Fatalf("output files differ (-want +got):\n%s\n(run go test ./... -update to accept)", diff)
			}
			for _, p := range gotPaths {
				if diff := cmp.Diff(string(want[p]), string(got[p].Data)); diff != "" {
					t.Errorf("%s differs (-want +got):\n%s", p, diff)
				}
			}
			for _, p := range gotPaths {
				reparse(t, p, got[p].Data)
			}
		})
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// reparse reads an emitted file back with its format's own parser.
func reparse(t *testing.T, path string, data []byte) {
	t.Helper()
	base := filepath.Base(path)
	switch {
	case base == "Dockerfile":
		res, err := parser.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: BuildKit's parser: %v", path, err)
		}
		for _, w := range res.Warnings {
			t.Errorf("%s: BuildKit parser warning: %s", path, w.Short)
		}
		stages, _, err := instructions.Parse(res.AST, nil)
		if err != nil {
			t.Fatalf("%s: BuildKit's instructions: %v", path, err)
		}
		for i, st := range stages[:len(stages)-1] {
			if st.Name == "" {
				t.Errorf("%s: build stage %d has no name", path, i+1)
			}
		}
	case base == "llb.pb":
		def, err := llb.ReadFrom(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: llb.ReadFrom: %v", path, err)
		}
		if len(def.Def) < 2 {
			t.Errorf("%s: only %d ops", path, len(def.Def))
		}
	case strings.HasSuffix(base, ".sh"):
		if _, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(bytes.NewReader(data), path); err != nil {
			t.Errorf("%s: mvdan.cc/sh: %v", path, err)
		}
		shellcheck(t, path, data)
	case base == "Vagrantfile":
		rubyCheck(t, path, data)
	case base == "Singularity.def":
		def, err := singularity.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, sec := range []struct {
			name string
			body string
		}{{"%post", def.Post.Body}, {"%environment", def.Environment.Body}, {"%runscript", def.Runscript.Body}} {
			script := "#!/bin/sh\n" + sec.body
			if _, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(script), path); err != nil {
				t.Errorf("%s %s: mvdan.cc/sh: %v", path, sec.name, err)
			}
			shellcheck(t, path+" "+sec.name, []byte(script))
		}
	}
}

func shellcheck(t *testing.T, path string, data []byte) {
	t.Helper()
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shellcheck is required in CI")
		}
		t.Logf("shellcheck not installed: skipping it for %s", path)
		return
	}
	cmd := exec.Command(bin, "-s", "sh", "-")
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s", path, err, out)
	}
}

func rubyCheck(t *testing.T, path string, data []byte) {
	t.Helper()
	bin, err := exec.LookPath("ruby")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("ruby is required in CI")
		}
		t.Logf("ruby not installed: skipping ruby -c for %s", path)
		return
	}
	f := filepath.Join(t.TempDir(), "Vagrantfile")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", f).CombinedOutput(); err != nil {
		t.Errorf("ruby -c %s: %v\n%s", path, err, out)
	}
}
