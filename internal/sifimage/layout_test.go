package sifimage

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// baseConfig is a base image's config with what 10-docker2singularity.sh
// must handle: PATH, an ordinary value, a value with quotes and a dollar,
// a name without "=", and a name Apptainer leaves out.
var baseConfig = ocispecs.ImageConfig{
	Env: []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG=C.UTF-8",
		`PROMPT=say "hi" for $5`,
		"EMPTY",
		"BAD-NAME=x",
	},
	Labels: map[string]string{"org.opencontainers.image.vendor": "Debian", "maintainer": "base"},
	Cmd:    []string{"bash"},
}

// goldenConfig is the config of a golden case: its emitted Singularity.def
// and image.json, on baseConfig.
func goldenConfig(t *testing.T, name, env string) Config {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "golden", name, "want", env)
	def, err := os.ReadFile(filepath.Join(dir, "Singularity.def"))
	if err != nil {
		t.Fatal(err)
	}
	imgJSON, err := os.ReadFile(filepath.Join(dir, "image.json"))
	if os.IsNotExist(err) {
		// An environment with platforms has one image.json per platform.
		imgJSON, err = os.ReadFile(filepath.Join(dir, "linux-amd64", "image.json"))
	}
	if err != nil {
		t.Fatal(err)
	}
	var img ocispecs.Image
	if err := json.Unmarshal(imgJSON, &img); err != nil {
		t.Fatal(err)
	}
	return Config{Deffile: def, Base: baseConfig, Image: img.Config, Arch: "amd64"}
}

// archive renders a layout as a txtar: the entries, then each file laid,
// then the SIF's JSON objects (indented).
func archive(t *testing.T, l *Layout) []byte {
	t.Helper()
	var list strings.Builder
	a := &txtar.Archive{}
	for _, e := range l.Entries {
		kind := map[Kind]string{Dir: "dir", File: "file", Symlink: "link"}[e.Kind]
		fmt.Fprintf(&list, "%-4s %04o %s", kind, e.Mode.Perm(), e.Path)
		if e.Kind == Symlink {
			fmt.Fprintf(&list, " -> %s", e.Data)
		}
		if e.IfMissing {
			list.WriteString(" (if missing)")
		}
		list.WriteString("\n")
		if e.Kind == File {
			a.Files = append(a.Files, txtar.File{Name: e.Path, Data: e.Data})
		}
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range l.Objects {
			if !yield(k) {
				return
			}
		}
	}) {
		var v any
		if err := json.Unmarshal(l.Objects[name], &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := json.MarshalIndent(v, "", "  ")
		a.Files = append(a.Files, txtar.File{Name: "sif object " + name, Data: append(b, '\n')})
	}
	a.Files = append([]txtar.File{{Name: "entries", Data: []byte(list.String())}}, a.Files...)
	return txtar.Format(a)
}

// The metadata laid for the golden cases: the files apptainer build lays
// from the same definition file on the same base.
func TestLayGolden(t *testing.T) {
	for _, tc := range []struct{ golden, env string }{
		{"all-constructs", "all"},
		{"debian-lolcow", "lolcow"},
		{"stages", "stages"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			cfg := goldenConfig(t, tc.golden, tc.env)
			l, err := Lay(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := archive(t, l)
			path := filepath.Join("testdata", tc.golden+".txtar")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("layout of %s differs from %s (-want +got):\n%s", tc.golden, path, diff)
			}
			// Determinism: laying again gives the same bytes.
			again, err := Lay(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(archive(t, again), got) {
				t.Error("laying twice gave different layouts")
			}
		})
	}
}
