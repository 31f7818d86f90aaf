package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExplainGolden runs `envc explain` on every golden case and example
// and compares the output with testdata/explain/<case>.txt (-update
// rewrites them).
func TestExplainGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		c := c
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"explain", c.spec}, strings.NewReader(""), &stdout, &stderr, nil); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			path := filepath.Join("../../testdata/explain", c.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -run TestExplainGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
				t.Errorf("explain output differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExplainFEniCSPorts is the acceptance: on the FEniCS example,
// ports are declared-only for Singularity and native for Vagrant and
// Docker.
func TestExplainFEniCSPorts(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"explain", "../../examples/fenics/fenics.hcl"}, strings.NewReader(""), &stdout, &stderr, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	var block string
	in := false
	for _, line := range strings.SplitAfter(out, "\n") {
		switch {
		case strings.HasPrefix(line, "  port: "):
			in = true
		case in && strings.HasPrefix(line, "    "):
			block += line
		default:
			in = false
		}
	}
	if block == "" {
		t.Fatalf("no port construct in:\n%s", out)
	}
	for _, want := range []string{
		`(?m)^    docker +native `,
		`(?m)^    singularity +declared-only .*\[singularity-port-declared\]`,
		`(?m)^    vagrant +native `,
		`(?m)^    llb +declared-only `,
	} {
		if !regexp.MustCompile(want).MatchString(block) {
			t.Errorf("port block does not match %s:\n%s", want, block)
		}
	}
}

func TestExplainErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.hcl")
	if err := os.WriteFile(bad, []byte(`environment "x" { base = 1 `), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"explain", bad}, strings.NewReader(""), &stdout, &stderr, nil); code != exitSpec {
		t.Errorf("exit %d for a broken spec, want %d", code, exitSpec)
	}
	if stdout.Len() != 0 || stderr.Len() == 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if code := run([]string{"explain"}, strings.NewReader(""), &stdout, &stderr, nil); code != exitUsage {
		t.Errorf("exit %d without a spec, want %d", code, exitUsage)
	}
}

// TestExplainMountReadWrite checks that explain gives mount_options ro
// only to read-only mounts.
func TestExplainMountReadWrite(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ mounts, want string }{
		{`mount {
    source = "data"
    target = "/data"
  }`, "synced_folder\n"},
		{`mount {
    source    = "data"
    target    = "/data"
    read_only = true
  }`, "synced_folder, mount_options ro\n"},
	} {
		spec := filepath.Join(dir, "spec.hcl")
		src := "environment \"e\" {\n  base = \"debian:bookworm\"\n  " + tc.mounts + "\n}\n"
		if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if code := run([]string{"explain", spec}, strings.NewReader(""), &stdout, &stderr, nil); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		var line string
		for _, l := range strings.SplitAfter(stdout.String(), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "vagrant") && strings.Contains(l, "synced_folder") {
				line = l
			}
		}
		if !strings.HasSuffix(line, " "+tc.want) {
			t.Errorf("vagrant mount line %q, want it to end in %q", line, tc.want)
		}
	}
}
