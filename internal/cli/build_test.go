package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envc build hands its command line, its input and output and its exit
// code to and from the envc-build program on PATH.
func TestBuildForwards(t *testing.T) {
	dir := fakeBuildProgram(t, "#!/bin/sh\nprintf 'args:%s|' \"$@\"\nread -r line; echo \"in:$line\"\necho oops >&2\nexit 3\n")
	var stdout, stderr bytes.Buffer
	args := []string{"build", "--progress", "plain", "-e", "a b", "spec.hcl"}
	code := run(args, strings.NewReader("input"), &stdout, &stderr, []string{"PATH=" + dir})
	if code != 3 {
		t.Errorf("exit %d, want 3 (envc-build's)", code)
	}
	if want := "args:build|args:--progress|args:plain|args:-e|args:a b|args:spec.hcl|in:input\n"; stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
	if stderr.String() != "oops\n" {
		t.Errorf("stderr = %q, want envc-build's", stderr.String())
	}
}

// Without envc-build, envc build says how to install it (exit 2).
func TestBuildWithoutProgram(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"build", "spec.hcl"}, strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + t.TempDir()})
	if code != exitUsage || !strings.Contains(stderr.String(), "go install github.com/envc-dev/envc/cmd/envc-build@latest") {
		t.Errorf("exit %d, stderr %q; want exit 2 and how to install envc-build", code, stderr.String())
	}
}

// An envc-build stopped by a signal makes envc exit as a shell reports it
// (128 + the signal), saying so unless it was an interrupt or a closed pipe.
func TestBuildProgramSignalled(t *testing.T) {
	for sig, code := range map[string]int{"TERM": 143, "PIPE": 141} {
		dir := fakeBuildProgram(t, "#!/bin/sh\nkill -"+sig+" $$\n")
		var stdout, stderr bytes.Buffer
		got := run([]string{"build", "spec.hcl"}, strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + dir})
		said := strings.Contains(stderr.String(), "stopped")
		if got != code || said != (sig == "TERM") {
			t.Errorf("SIG%s: exit %d, stderr %q; want exit %d, a message only for SIGTERM", sig, got, stderr.String(), code)
		}
	}
}

// Without HCL writers (the envc program), fmt hands its command line to
// the envc-build program too, which formats with hclwrite.
func TestFmtForwards(t *testing.T) {
	dir := fakeBuildProgram(t, "#!/bin/sh\nprintf 'args:%s|' \"$@\"\nexit 4\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"fmt", "-check", "a.hcl"}, strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + dir})
	if want := "args:fmt|args:--check|args:a.hcl|"; code != 4 || stdout.String() != want {
		t.Errorf("exit %d, stdout %q; want envc-build's exit 4 and %q", code, stdout.String(), want)
	}
}

// fakeBuildProgram puts script, as the envc-build program, in a new
// folder and returns the folder, for PATH.
func fakeBuildProgram(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, BuildProgram), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
