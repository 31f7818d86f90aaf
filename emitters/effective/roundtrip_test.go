package effective_test

import (
	"github.com/envc-dev/envc/emitters/buildkit/llbread"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/compiler/ir/irtest"
	"github.com/envc-dev/envc/emitters"
	"github.com/envc-dev/envc/emitters/buildkit"
	"github.com/envc-dev/envc/emitters/docker"
	"github.com/envc-dev/envc/emitters/docker/dockerread"
	"github.com/envc-dev/envc/emitters/effective"
	"github.com/envc-dev/envc/emitters/effective/effdiff"
	"github.com/envc-dev/envc/emitters/singularity"
	"github.com/envc-dev/envc/emitters/vagrant"
)

// readBack emits env with target's emitter and reads the output back
// into the view with the target's adapter.
func readBack(t *testing.T, target string, env *ir.Env) *effective.Env {
	t.Helper()
	var em emitters.Emitter
	switch target {
	case "docker":
		em = docker.New()
	case "llb":
		em = buildkit.New()
	case "singularity":
		em = singularity.New()
	case "vagrant":
		if _, err := exec.LookPath("ruby"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("ruby is required in CI")
			}
			t.Skip("ruby is not installed: skipping the Vagrantfile read-back")
		}
		em = vagrant.New()
	}
	out, diags := emitters.EmitFor(em, env, emitters.Options{Platform: emitters.DefaultPlatform})
	if diags.HasErrors() {
		// The emitter refuses values its format cannot carry (Vagrant's
		// synced folders with quotes in the guest path); its own tests
		// cover that.
		t.Skipf("%s refuses the environment: %v", target, diags)
	}
	files := map[string][]byte{}
	for _, f := range out.Files {
		files[f.Path] = f.Data
	}
	var got *effective.Env
	var err error
	switch target {
	case "docker":
		got, err = dockerread.Effective(files["Dockerfile"], files["compose.yaml"])
	case "llb":
		got, err = llbread.Effective(files["llb.pb"], files["image.json"], nil)
	case "singularity":
		got, err = singularity.Effective(files["Singularity.def"])
	case "vagrant":
		path := filepath.Join(t.TempDir(), "Vagrantfile")
		if err := os.WriteFile(path, files["Vagrantfile"], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err = vagrant.Effective(path, files["bootstrap.sh"], env.Name)
	}
	if err != nil {
		t.Fatalf("%s read-back (construct %q): %v", target, effective.ErrorConstruct(err), err)
	}
	return got
}

// TestRoundTrip emits the hand-built environments (hostile values
// included) with every target and reads them back: each view must be the
// spec's, less the declared differences.
func TestRoundTrip(t *testing.T) {
	envs := map[string]*ir.Env{"full": irtest.Full(), "minimal": irtest.Minimal(), "hostile": irtest.Hostile()}
	for name, env := range envs {
		for _, target := range []string{"docker", "llb", "singularity", "vagrant"} {
			t.Run(name+"/"+target, func(t *testing.T) {
				got := readBack(t, target, env)
				want := effective.Expect(target, effective.FromIR(env.ForTarget(target)))
				for _, d := range effdiff.Compare(target, want, got) {
					t.Error(d)
				}
			})
		}
	}
}
