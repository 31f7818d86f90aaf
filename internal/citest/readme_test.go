package citest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/envc-dev/envc/builder"
	"github.com/envc-dev/envc/internal/citest"
	"github.com/envc-dev/envc/internal/cli"
	"github.com/envc-dev/envc/internal/cli/buildcmd"
	"github.com/envc-dev/envc/lockfile"
)

// block is one fenced code block of README.md.
type block struct {
	info, text string
	line       int
	// file is the name a "<!-- file: NAME -->" line before the block
	// gives it; dir the folder a "<!-- dir: DIR -->" line runs it in.
	file, dir string
}

var marker = regexp.MustCompile(`^<!-- (file|dir): (\S+) -->$`)

// root is the repository's root, absolute (the tests change folders).
var root, _ = filepath.Abs("../..")

func readmeBlocks(t *testing.T) []block {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []block
	var cur *block
	var file, dir string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &block{info: strings.TrimPrefix(line, "```"), line: n, file: file, dir: dir}
			file, dir = "", ""
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		case marker.MatchString(line):
			m := marker.FindStringSubmatch(line)
			if m[1] == "file" {
				file = m[2]
			} else {
				dir = m[2]
			}
		}
	}
	if cur != nil {
		t.Fatalf("README.md: the block at line %d is not closed", cur.line)
	}
	return out
}

// scratch makes the folder the README's commands run in, as the
// repository's root is for a reader: a copy of examples/, the files the
// README names, and out/ compiled from the FEniCS example (where "From
// DIR/<environment>/" sends the reader). The process runs in it.
func scratch(t *testing.T, blocks []block) string {
	t.Helper()
	// compile keeps its records in the user's cache folder: a temporary
	// one here.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(root, "examples")))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.file == "" {
			continue
		}
		p := filepath.Join(dir, b.file)
		if old, err := os.ReadFile(p); err == nil {
			// A block that says it is a file of the repository is that file.
			if string(old) != b.text {
				t.Errorf("README.md line %d: the block is not %s as it is in the repository", b.line, b.file)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	if code := cli.Run([]string{"compile", "examples/fenics/fenics.hcl", "-o", "out", "-q"}, strings.NewReader(""), io.Discard, io.Discard, nil); code != 0 {
		t.Fatalf("compiling the FEniCS example: exit %d", code)
	}
	return dir
}

// TestReadmeBlocks runs or checks every code block of README.md, so that
// README cannot drift from what envc does: every hcl block validates (or
// is the file it says it is, or a spec a console block runs), every sh
// block runs as bash runs it with envc in process (envc build to the
// point where it connects, its address checked; the real tools checked
// for their flags and the files they read), every console block's output
// is what envc prints, the command-line synopsis names flags the commands
// have, and the make targets exist.
func TestReadmeBlocks(t *testing.T) {
	blocks := readmeBlocks(t)
	dir := scratch(t, blocks)
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	kinds := map[string]int{}
	var consoles strings.Builder
	for _, b := range blocks {
		if b.info == "console" {
			consoles.WriteString(b.text)
		}
	}
	for _, b := range blocks {
		kinds[b.info]++
		where := fmt.Sprintf("README.md line %d", b.line)
		switch b.info {
		case "hcl":
			switch {
			case b.file == "":
				t.Errorf("%s: an hcl block without a <!-- file: NAME --> line", where)
			case strings.HasPrefix(b.file, "modules/"):
				// A module file: the spec that calls it validates it.
				if !strings.Contains(consoles.String()+allHCL(blocks), `"./`+b.file+`"`) {
					t.Errorf("%s: no hcl block calls the module %s", where, b.file)
				}
			case strings.HasPrefix(b.file, "examples/"):
				// A file of the repository (scratch checked it is), which
				// the golden tests compile.
			case strings.HasSuffix(b.file, ".lock.hcl"):
				// A lock file: it must read as one (the sh blocks compile
				// with it).
				if _, _, diags := lockfile.Read(b.file, []byte(b.text)); diags.HasErrors() {
					t.Errorf("%s: %s is not a lock file: %v", where, b.file, diags)
				}
			case strings.Contains(consoles.String(), " "+b.file):
				// A console block runs it and shows what envc says.
			default:
				var out bytes.Buffer
				if code := cli.Run([]string{"validate", "--strict", b.file}, strings.NewReader(""), &out, &out, nil); code != 0 {
					t.Errorf("%s: envc validate --strict %s: exit %d\n%s", where, b.file, code, out.String())
				}
			}
		case "sh":
			run := filepath.Join(dir, b.dir)
			// A placeholder names the folder it stands for.
			script := strings.ReplaceAll(b.text, "<environment>", filepath.Base(run))
			code, out, err := citest.Run(context.Background(), script, run, env, readmeExec(t, where))
			if err != nil || code != 0 {
				t.Errorf("%s: exit %d, %v\n%s", where, code, err, out)
			}
		case "console":
			checkConsole(t, where, b.text)
		case "":
			checkSynopsis(t, where, b.text)
		default:
			t.Errorf("%s: a ```%s block, which this test does not know how to check", where, b.info)
		}
	}
	for _, kind := range []string{"hcl", "sh", "console", ""} {
		if kinds[kind] == 0 {
			t.Errorf("README.md has no ```%s block any more: is this test still reading it?", kind)
		}
	}
}

// checkConsole runs each "$ envc ..." line of a console block and
// compares what it prints (both streams, as a terminal shows them) with
// the lines that follow it.
func checkConsole(t *testing.T, where, text string) {
	t.Helper()
	parts := strings.Split("\n"+text, "\n$ ")
	if strings.TrimSpace(parts[0]) != "" {
		t.Errorf("%s: a console block starts with a $ line", where)
	}
	for _, part := range parts[1:] {
		cmd, want, _ := strings.Cut(part, "\n")
		args := strings.Fields(cmd)
		if args[0] != "envc" {
			t.Errorf("%s: console command %q is not envc", where, cmd)
			continue
		}
		var out bytes.Buffer
		cli.Run(args[1:], strings.NewReader(""), &out, &out, nil)
		if got := strings.TrimRight(out.String(), "\n"); got != strings.TrimRight(want, "\n") {
			t.Errorf("%s: $ %s printed\n%s\nbut README shows\n%s", where, cmd, got, strings.TrimRight(want, "\n"))
		}
	}
}

// checkSynopsis checks an unlabelled block: "envc CMD ..." lines name
// flags that CMD has (its --help lists them), "make TARGET" lines name
// targets of the Makefile.
func checkSynopsis(t *testing.T, where, text string) {
	t.Helper()
	flagPattern := regexp.MustCompile(`(?:^|[\s\[|])(--?[a-z][a-z-]*)`)
	makefile, _ := os.ReadFile(filepath.Join(root, "Makefile"))
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		switch f[0] {
		case "envc":
			var help bytes.Buffer
			args := []string{f[1], "--help"}
			var opts []cli.Option
			if f[1] == "build" {
				opts = append(opts, cli.WithBuild(buildcmd.Command))
			}
			if code := cli.Run(args, strings.NewReader(""), &help, &help, nil, opts...); code != 0 {
				t.Errorf("%s: envc %s is not a command", where, f[1])
				continue
			}
			syn, _, _ := strings.Cut(line, "   ") // the description after the synopsis
			for _, m := range flagPattern.FindAllStringSubmatch(syn, -1) {
				name := m[1]
				if !helpHas(help.String(), name) {
					t.Errorf("%s: envc %s has no flag %s", where, f[1], name)
				}
			}
		case "make":
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f[1]) + `:`).Match(makefile) {
				t.Errorf("%s: the Makefile has no target %s", where, f[1])
			}
		default:
			t.Errorf("%s: a line of an unlabelled block that is neither envc nor make: %q", where, line)
		}
	}
}

// helpHas reports whether cobra's help lists the flag (a long one as
// "--name", a shorthand as "-x,", a single-dash long one by its name).
func helpHas(help, flag string) bool {
	name := strings.TrimLeft(flag, "-")
	if len(name) == 1 {
		return strings.Contains(help, "-"+name+", ")
	}
	return regexp.MustCompile(`--` + regexp.QuoteMeta(name) + `\b`).MatchString(help)
}

// tools are the real tools the README's sh blocks run, with the
// subcommands and flags they may use; their arguments that are not flags
// or flag values, where they name a file or folder, must exist.
var tools = map[string]map[string][]string{
	"docker":    {"build": {"-t"}},
	"buildctl":  {"build": {"--local", "--output"}},
	"apptainer": {"build": nil},
	"vagrant":   {"up": nil, "ssh": {"-c"}},
}

// readmeExec runs a command of a README sh block: envc in process (envc
// build only to the point where it connects), go as far as it is safe in
// a test, the real tools checked against the table above, mkdir for real.
func readmeExec(t *testing.T, where string) citest.Exec {
	return func(ctx context.Context, args []string, dir string, env []string, stdout, stderr io.Writer) (int, error) {
		switch args[0] {
		case "envc":
			// envc reads relative paths from the process's folder.
			prev, err := os.Getwd()
			if err != nil {
				return 0, err
			}
			if err := os.Chdir(dir); err != nil {
				return 0, err
			}
			defer os.Chdir(prev)
			if len(args) > 1 && (args[1] == "build" || args[1] == "lock" && !slices.Contains(args, "--check")) {
				// Resolving a lock builds, as envc build does.
				return dryBuild(t, where, args, stdout, stderr), nil
			}
			// envc and envc-build, as go install ./cmd/... installs them:
			// envc runs fmt (and lock) through envc-build.
			return cli.Run(args[1:], strings.NewReader(""), stdout, stderr, env, buildcmd.Options()...), nil
		case "go":
			switch strings.Join(args[1:], " ") {
			case "install ./cmd/...":
				// Not run here: the programs it installs must be there.
				for _, p := range []string{"envc", cli.BuildProgram} {
					if _, err := os.Stat(filepath.Join(root, "cmd", p)); err != nil {
						t.Errorf("%s: go install ./cmd/... installs no %s", where, p)
					}
				}
				return 0, nil
			case "test ./...":
				return 0, nil // what this test is part of
			case "env GOPATH":
				out, err := exec.CommandContext(ctx, "go", "env", "GOPATH").Output()
				stdout.Write(out)
				return 0, err
			}
		case "mkdir":
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, stdout, stderr
			return 0, cmd.Run()
		}
		if subs, ok := tools[args[0]]; ok && len(args) > 1 {
			flags, ok := subs[args[1]]
			if !ok {
				t.Errorf("%s: %s %s is not a command this test knows", where, args[0], args[1])
				return 1, nil
			}
			for i := 2; i < len(args); i++ {
				a := args[i]
				if strings.HasPrefix(a, "-") {
					if !slices.Contains(flags, a) {
						t.Errorf("%s: %s %s has no flag %s here", where, args[0], args[1], a)
					}
					i++ // its value
					continue
				}
				// A positional file argument: read it (a Singularity.def, the
				// context folder); an output is made.
				if strings.Contains(a, ".") && !strings.HasSuffix(a, ".sif") {
					if _, err := os.Stat(filepath.Join(dir, a)); err != nil {
						t.Errorf("%s: %s %s reads %s, which compile did not make: %v", where, args[0], args[1], a, err)
					}
				}
			}
			return 0, nil
		}
		t.Errorf("%s: the README runs %q, which this test does not know", where, strings.Join(args, " "))
		return 127, nil
	}
}

// dryBuild runs envc build to the point where it connects: its flags and
// the spec are accepted, and an --addr is one envc build reaches by its
// form (it is then replaced by a socket where nothing listens, so that
// nothing builds even where a builder runs).
func dryBuild(t *testing.T, where string, args []string, stdout, stderr io.Writer) int {
	args = slices.Clone(args)
	const nowhere = "unix:///nonexistent/buildkitd.sock"
	for i := range args {
		if args[i] == "--addr" && i+1 < len(args) {
			if _, err := builder.ResolveEndpoint(args[i+1], nil); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			args[i+1] = nowhere
		}
	}
	var errb bytes.Buffer
	code := cli.Run(args[1:], strings.NewReader(""), stdout, io.MultiWriter(stderr, &errb), []string{"BUILDKIT_HOST=" + nowhere}, buildcmd.Options()...)
	msg := errb.String()
	if code == 0 && args[1] == "lock" {
		return 0 // the lock covers the spec already: nothing to build
	}
	if code == 1 && (strings.Contains(msg, "nothing listens at "+nowhere) || strings.Contains(msg, "squashfs-tools")) {
		// Connecting, or (a SIF without mksquashfs here) about to.
		return 0
	}
	t.Errorf("%s: %s: exit %d before connecting to a builder:\n%s", where, strings.Join(args, " "), code, msg)
	return code
}

// allHCL is the text of every hcl block.
func allHCL(blocks []block) string {
	var b strings.Builder
	for _, bl := range blocks {
		if bl.info == "hcl" {
			b.WriteString(bl.text)
		}
	}
	return b.String()
}
