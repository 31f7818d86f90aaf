package cli

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files and txtar expectations")

// TestDiagnostics runs `envc validate` on each testdata/diagnostics case and
// compares the exit code and the rendered diagnostics with want/diagnostics.
// A case may hold an "args" file with extra command-line arguments.
func TestDiagnostics(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/diagnostics/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no diagnostics cases found: %v", err)
	}
	for _, path := range cases {
		path, _ := filepath.Abs(path)
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var extra []string
			for _, f := range ar.Files {
				switch {
				case f.Name == "args":
					extra = strings.Fields(string(f.Data))
				case strings.HasPrefix(f.Name, "want/"):
				default:
					p := filepath.Join(dir, f.Name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			args := append([]string{"validate", "spec.hcl"}, extra...)
			code := run(args, strings.NewReader(""), &stdout, &stderr, nil)
			got := fmt.Sprintf("exit %d\n%s", code, stderr.String())
			if code == 0 {
				t.Errorf("validate exited 0; every diagnostics case must hold an error")
			}
			if *update {
				setTxtarFile(ar, "want/diagnostics", got)
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := ""
			for _, f := range ar.Files {
				if f.Name == "want/diagnostics" {
					want = string(f.Data)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics differ (-want +got):\n%s", diff)
			}
		})
	}
}

func setTxtarFile(ar *txtar.Archive, name, data string) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = []byte(data)
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(data)})
}
