package cli

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/envc-dev/envc/lockfile/lockwrite"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(cacheInTemp{m}, map[string]func(){
		"envc": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ(), withWriters)) },
	})
}

// withWriters gives the CLI under test the HCL writers the envc-build
// program has, so that fmt and lock run in the test process.
var withWriters = WithHCLWriter(HCLWriter{Format: hclwrite.Format, WriteLock: lockwrite.Write})

// cacheInTemp runs the tests with the user's cache folder (where compile
// keeps its records, statePath) in a temporary folder, removed after, so
// that the tests leave nothing in the real one.
type cacheInTemp struct{ m *testing.M }

func (c cacheInTemp) Run() int {
	dir, err := os.MkdirTemp("", "envc-test-cache")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_CACHE_HOME", dir)
	os.Unsetenv(cacheDirVar)
	return c.m.Run()
}

// TestScript runs the command-line scripts in testdata/script: exit
// codes, -o -, --json, fmt -check and -w, compile refusing to overwrite
// work done by hand, warnings under control, the diagnostics formats,
// compile --check and completion.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Setup: func(e *testscript.Env) error {
		// compile's records (statePath), where a script can see them.
		e.Setenv(cacheDirVar, e.WorkDir+"/cache")
		return nil
	}, Cmds: map[string]func(*testscript.TestScript, bool, []string){
		"status": cmdStatus,
	}})
}

// cmdStatus is the script command "status CODE PROGRAM ARGS...": it runs
// PROGRAM as exec does and checks that it exits with CODE; stdout and
// stderr are then the program's.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("status: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
