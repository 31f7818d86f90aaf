//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSIF builds SIFs with envc build --format sif and runs them with the
// real Apptainer (ENVC_E2E_APPTAINER): apptainer inspect shows the spec's
// labels and the definition file as apptainer build stores it, apptainer
// run runs the run command, the owners of the build are kept in the
// squashfs, and a second build of the same spec gives the same bytes.
func TestSIF(t *testing.T) {
	apptainer := os.Getenv("ENVC_E2E_APPTAINER")
	if apptainer == "" {
		t.Skip("ENVC_E2E_APPTAINER is not set: no apptainer binary to run the SIFs with")
	}
	for _, tc := range []struct {
		golden, env string
		labels      []string // lines apptainer inspect must show
		runOutput   string   // in apptainer run's output
		owner       []string // apptainer exec ... stat -c %u:%g PATH, want id -u:id -g of USER
	}{
		{"debian-lolcow", "lolcow", []string{"org.label-schema.usage.singularity.deffile.from: debian:bookworm"}, "(oo)", nil},
		{"all-constructs", "all", []string{"maintainer: sim-group", "org.example.version: 1.0", "org.label-schema.build-arch: amd64"},
			"running with --threads 2", []string{"/home/sim/work", "sim"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			spec := filepath.Join("..", "testdata", "golden", tc.golden, "spec.hcl")
			dir := filepath.Join(tl.work, "sif", tc.golden)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			sif := filepath.Join(dir, tc.env+".sif")
			build := func() []byte {
				defer acquire()()
				r, err := run(15*time.Minute, "", nil, tl.envc, "build", "--format", "sif", "--progress", "plain", "--output", "type=sif,dest="+sif, spec)
				if err != nil {
					t.Fatalf("envc build --format sif: %v\n%s", err, tail(r.stderr, 3000))
				}
				for _, want := range []string{"[sif] squashfs of the root file system", "[sif] writing " + sif} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("the progress display lacks %q", want)
					}
				}
				b, err := os.ReadFile(sif)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Printf("e2e: envc build --format sif %s: %d bytes in %.1fs\n", tc.golden, len(b), r.dur.Seconds())
				return b
			}
			first := build()

			r, err := run(time.Minute, "", nil, apptainer, "inspect", sif)
			if err != nil {
				t.Fatalf("apptainer inspect: %v\n%s%s", err, r.stdout, r.stderr)
			}
			for _, want := range tc.labels {
				if !strings.Contains(r.stdout, want+"\n") {
					t.Errorf("apptainer inspect lacks %q:\n%s", want, r.stdout)
				}
			}
			fmt.Printf("e2e: apptainer inspect %s.sif:\n%s\n", tc.env, indent(r.stdout))

			// The definition file as envc build emits it: mount sources
			// relative to the spec's folder, as with compile -o -.
			emitted, err := run(time.Minute, "", nil, tl.envc, "compile", spec, "-t", "singularity", "-e", tc.env, "-o", "-")
			if err != nil {
				t.Fatal(err)
			}
			def := emitted.stdout
			r, err = run(time.Minute, "", nil, apptainer, "inspect", "--deffile", sif)
			if err != nil {
				t.Fatalf("apptainer inspect --deffile: %v\n%s", err, r.stderr)
			}
			_, body, _ := strings.Cut(def, "\nBootstrap: ")
			if want := "Bootstrap: " + body; strings.TrimRight(r.stdout, "\n") != strings.TrimRight(want, "\n") {
				t.Errorf("apptainer inspect --deffile:\n%s\nwant the emitted Singularity.def from its Bootstrap: line:\n%s", r.stdout, want)
			}

			r, err = run(5*time.Minute, "", nil, apptainer, "run", sif)
			if err != nil {
				t.Fatalf("apptainer run: %v\n%s%s", err, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.runOutput) {
				t.Errorf("apptainer run's output lacks %q:\n%s", tc.runOutput, r.stdout)
			}
			fmt.Printf("e2e: apptainer run %s.sif:\n%s\n", tc.env, indent(r.stdout))

			if tc.owner != nil {
				path, user := tc.owner[0], tc.owner[1]
				got, err1 := run(time.Minute, "", nil, apptainer, "exec", sif, "stat", "-c", "%u:%g", path)
				want, err2 := run(time.Minute, "", nil, apptainer, "exec", sif, "sh", "-c", `echo "$(id -u "$1"):$(id -g "$1")"`, "sh", user)
				if err1 != nil || err2 != nil {
					t.Fatalf("apptainer exec: %v %v\n%s%s", err1, err2, got.stderr, want.stderr)
				}
				if got.stdout != want.stdout || strings.HasPrefix(got.stdout, "0:") {
					t.Errorf("%s is owned by %s in the SIF, want %s's %s", path, strings.TrimSpace(got.stdout), user, strings.TrimSpace(want.stdout))
				}
			}

			// The same spec again (from BuildKit's cache): the same bytes.
			if tc.golden == "debian-lolcow" {
				second := build()
				if !bytes.Equal(first, second) {
					t.Errorf("two builds of %s gave different SIFs: sha256 %x and %x", tc.golden, sha256.Sum256(first), sha256.Sum256(second))
				}
			}
		})
	}
}
