//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envc-dev/envc/emitters/singularity"
)

// TestVagrantValidate runs vagrant validate on every emitted Vagrantfile,
// with a stand-in VBoxManage so that vagrant checks the virtualbox block
// too (no VM can boot here).
func TestVagrantValidate(t *testing.T) {
	t.Parallel()
	stub := filepath.Join(tl.work, "vboxstub")
	if err := os.MkdirAll(stub, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\n# Stand-in for VirtualBox: vagrant validate only asks its version.\n[ \"$1\" = --version ] && echo 7.0.14r161095\nexit 0\n"
	if err := os.WriteFile(filepath.Join(stub, "VBoxManage"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + stub + ":" + os.Getenv("PATH"), "VAGRANT_HOME=" + filepath.Join(tl.work, "vagrant.d"),
		"VAGRANT_DEFAULT_PROVIDER=virtualbox", "VAGRANT_CHECKPOINT_DISABLE=1"}
	specs := goldenSpecs(t)
	n := 0
	start := time.Now()
	for _, name := range sortedKeys(specs) {
		outDir := filepath.Join(tl.work, "validate", name)
		if _, err := run(time.Minute, "", nil, tl.envc, "compile", specs[name], "-o", outDir); err != nil {
			t.Fatal(err)
		}
		vfs, _ := filepath.Glob(filepath.Join(outDir, "*", "Vagrantfile"))
		for _, vf := range vfs {
			n++
			if r, err := run(2*time.Minute, filepath.Dir(vf), env, "vagrant", "validate"); err != nil {
				t.Errorf("%s: %v", vf, err)
			} else if !strings.Contains(r.stdout, "Vagrantfile validated successfully") {
				t.Errorf("%s: vagrant validate said %q", vf, r.stdout)
			}
		}
	}
	fmt.Printf("e2e: vagrant validate (virtualbox block checked): %d Vagrantfiles of %d specs valid in %.1fs\n", n, len(specs), time.Since(start).Seconds())
}

// TestShellcheck runs shellcheck on every script envc emits: bootstrap.sh,
// and the %post, %environment and %runscript of every Singularity.def.
func TestShellcheck(t *testing.T) {
	t.Parallel()
	specs := goldenSpecs(t)
	var scripts []string
	for _, name := range sortedKeys(specs) {
		outDir := filepath.Join(tl.work, "shellcheck", name)
		if _, err := run(time.Minute, "", nil, tl.envc, "compile", specs[name], "-o", outDir); err != nil {
			t.Fatal(err)
		}
		bs, _ := filepath.Glob(filepath.Join(outDir, "*", "bootstrap.sh"))
		scripts = append(scripts, bs...)
		defs, _ := filepath.Glob(filepath.Join(outDir, "*", "Singularity.def"))
		for _, d := range defs {
			data, err := os.ReadFile(d)
			if err != nil {
				t.Fatal(err)
			}
			def, err := singularity.Parse(data)
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			for sec, body := range map[string]string{"post": def.Post.Body, "environment": def.Environment.Body, "runscript": def.Runscript.Body} {
				if strings.TrimSpace(body) == "" {
					continue
				}
				p := filepath.Join(filepath.Dir(d), "section-"+sec+".sh")
				if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o644); err != nil {
					t.Fatal(err)
				}
				scripts = append(scripts, p)
			}
		}
	}
	start := time.Now()
	if _, err := run(5*time.Minute, "", nil, append([]string{"shellcheck", "-s", "sh"}, scripts...)...); err != nil {
		t.Error(err)
	}
	fmt.Printf("e2e: shellcheck: %d scripts clean in %.1fs\n", len(scripts), time.Since(start).Seconds())
}

// writeSpec writes a spec into a fresh folder and returns its path.
func writeSpec(t *testing.T, name, text string) string {
	dir := filepath.Join(tl.work, "specs", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "spec.hcl")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const cacheSpec = `environment "cache" {
  base     = "debian:bookworm"
  packages = ["hello"]
  setup    = ["%s"]
  run      = ["hello"]
}
`

// vertex is the part of a rawjson solve status the cache test reads.
type vertex struct {
	Name      string     `json:"name"`
	Cached    bool       `json:"cached"`
	Completed *time.Time `json:"completed"`
}

// solveVertices builds spec with envc build --progress rawjson and returns
// the final state of each vertex by name.
func solveVertices(t *testing.T, spec string) map[string]vertex {
	t.Helper()
	r, err := run(10*time.Minute, "", nil, tl.envc, "build", spec, "--progress", "rawjson")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := rawVertices(r.stderr)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// rawVertices reads envc build's --progress rawjson output (stderr) and
// returns the final state of each vertex by name.
func rawVertices(stderr string) (map[string]vertex, error) {
	vs := map[string]vertex{}
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var st struct {
			Vertexes []vertex `json:"vertexes"`
		}
		if json.Unmarshal(sc.Bytes(), &st) != nil {
			continue
		}
		for _, v := range st.Vertexes {
			old := vs[v.Name]
			v.Cached = v.Cached || old.Cached
			vs[v.Name] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading envc build's rawjson output: %v", err)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("no solve status in envc build's rawjson output:\n%s", tail(stderr, 2000))
	}
	return vs, nil
}

// TestCache changes only a setup step and checks that rebuilding on
// buildkitd reuses the package layer. It is not parallel, so it runs
// before the parallel tests start: with other builds on the daemon at the
// same time the install step was seen rebuilt (cause not yet known).
func TestCache(t *testing.T) {
	start := time.Now()
	p := writeSpec(t, "cache", fmt.Sprintf(cacheSpec, "echo one > /etc/step"))
	first := solveVertices(t, p)
	p = writeSpec(t, "cache", fmt.Sprintf(cacheSpec, "echo two > /etc/step"))
	second := solveVertices(t, p)
	var install, setup string
	for name := range second {
		switch {
		case strings.Contains(name, "apt-get") && strings.Contains(name, "install"):
			install = name
		case strings.Contains(name, "echo two"):
			setup = name
		}
	}
	if install == "" || setup == "" {
		t.Fatalf("vertices of the second build: %v", sortedKeys(second))
	}
	if first[install].Cached {
		t.Errorf("the first build found %q cached already", install)
	}
	if !second[install].Cached {
		t.Errorf("after changing only a setup step, the package install was not cached: %q\nfirst build: %+v\nsecond build: %+v", install, first, second)
	}
	if second[setup].Cached {
		t.Errorf("the changed setup step was cached: %q", setup)
	}
	if !t.Failed() {
		fmt.Printf("e2e: cache test: after changing only a setup step, %q was CACHED and %q rebuilt (%.1fs)\n", install, setup, time.Since(start).Seconds())
	}
}

// TestBuildFailureLine checks that a failing step is reported at its
// line in the spec, with exit code 1.
func TestBuildFailureLine(t *testing.T) {
	t.Parallel()
	p := writeSpec(t, "fail", `environment "fail" {
  base  = "debian:bookworm"
  setup = [
    "true",
    "echo about to fail; exit 3",
  ]
}
`)
	r, err := run(5*time.Minute, "", nil, tl.envc, "build", p, "--progress", "plain")
	if err == nil {
		t.Fatal("a failing setup step built")
	}
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	for _, want := range []string{"Build step failed", "on " + p + " line 5", `5:     "echo about to fail; exit 3",`, "exit code: 3"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, tail(r.stderr, 1500))
		}
	}
	fmt.Printf("e2e: a failing setup step is reported at its spec line:\n%s\n", indent(lastBlock(r.stderr)))
}

// TestBuildDockerTarget builds an emitted Dockerfile with envc build -t
// docker (BuildKit's Dockerfile frontend on buildkitd) into an OCI layout.
func TestBuildDockerTarget(t *testing.T) {
	t.Parallel()
	defer acquire()()
	dest := filepath.Join(tl.work, "images", "docker-target.oci.tar")
	os.MkdirAll(filepath.Dir(dest), 0o755)
	r, err := run(10*time.Minute, "", nil, tl.envc, "build", "-t", "docker", "../testdata/golden/debian-docker-example/spec.hcl",
		"--progress", "plain", "--output", "type=oci,dest="+dest)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dest)
	if err != nil || st.Size() == 0 {
		t.Fatalf("no OCI archive at %s: %v", dest, err)
	}
	if _, err := exec.Command("tar", "-tf", dest, "index.json").Output(); err != nil {
		t.Errorf("%s is not an OCI layout archive: %v", dest, err)
	}
	fmt.Printf("e2e: envc build -t docker (dockerfile.v0 on buildkitd) -> OCI archive of %d bytes in %.1fs\n", st.Size(), r.dur.Seconds())
}

func lastBlock(s string) string {
	i := strings.Index(s, "Error: ")
	if i < 0 {
		return tail(s, 800)
	}
	return s[i:]
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
