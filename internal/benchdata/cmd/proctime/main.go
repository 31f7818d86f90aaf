// Command proctime times whole processes for scripts/bench.sh: each
// command's wall time from just before it is started to just after it
// has been waited for (fork, exec, the run, exit), and its peak RSS from
// the kernel's account of the process (rusage). Nothing else is in the
// window: no shell, no /usr/bin/time, no date process. Go starts a
// process with a fork that shares proctime's memory until the exec, and
// the kernel counts that memory in the process's peak: a process that
// stays under proctime's own RSS (about 3.5 MiB) shows proctime's.
//
// It reads the commands from standard input, one per line: a name, the
// number of runs, then the command's words, separated by tabs. Leading
// words of the form NAME=VALUE, as env(1) takes them, are added to the
// command's environment rather than run (no env process in the window).
// It runs each once (a warm-up: a command that fails ends proctime with
// exit 1 and its output), then in rounds, every command once per round in
// the order given, until each has had its runs, so that commands compared
// with each other see the same machine. Before every run it removes the
// folder given with -clean, if any (outside the window). It prints, per
// command, in the order given: the name, the runs, the median wall time
// in milliseconds and the median peak RSS in KiB, separated by tabs.
//
//	proctime [-clean DIR] <commands
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type command struct {
	name string
	runs int
	args []string
	wall []time.Duration
	rss  []int64
}

func main() {
	clean := flag.String("clean", "", "a folder to remove before every run")
	flag.Parse()
	var cmds []*command
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 3 {
			fail("proctime: want NAME, RUNS and a command, separated by tabs: %q", sc.Text())
		}
		runs, err := strconv.Atoi(f[1])
		if err != nil || runs < 1 {
			fail("proctime: %s: runs %q is not a positive number", f[0], f[1])
		}
		cmds = append(cmds, &command{name: f[0], runs: runs, args: f[2:]})
	}
	if err := sc.Err(); err != nil {
		fail("proctime: %v", err)
	}
	rounds := 0
	for _, c := range cmds {
		if out, err := c.command().CombinedOutput(); err != nil {
			fail("proctime: %s failed (%v): %s\n%s", c.name, err, strings.Join(c.args, " "), out)
		}
		rounds = max(rounds, c.runs)
	}
	for r := range rounds {
		for _, c := range cmds {
			if r >= c.runs {
				continue
			}
			if *clean != "" {
				if err := os.RemoveAll(*clean); err != nil {
					fail("proctime: %v", err)
				}
			}
			cmd := c.command()
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			if err != nil {
				fail("proctime: %s failed (%v): %s", c.name, err, strings.Join(c.args, " "))
			}
			c.wall = append(c.wall, wall)
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				c.rss = append(c.rss, int64(ru.Maxrss)) // KiB on Linux
			}
		}
	}
	for _, c := range cmds {
		fmt.Printf("%s\t%d\t%.1f\t%d\n", c.name, c.runs, float64(median(c.wall).Microseconds())/1000, median(c.rss))
	}
}

// command returns c's process to start: its words after the leading
// NAME=VALUE settings, with those settings added to the environment.
func (c *command) command() *exec.Cmd {
	args := c.args
	var env []string
	for len(args) > 1 && isSetting(args[0]) {
		env, args = append(env, args[0]), args[1:]
	}
	cmd := exec.Command(args[0], args[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	return cmd
}

// isSetting reports whether w is NAME=VALUE with NAME a shell variable's
// name.
func isSetting(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if r != '_' && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// median is the middle value of xs (the upper one of an even count).
func median[T int64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
