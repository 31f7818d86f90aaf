// Package citest runs the commands that envc's documents show, so that
// they cannot drift from what envc does: it reads the CI examples of
// examples/ci (a GitHub Actions workflow and pre-commit hooks) and runs
// scripts with a shell interpreter (mvdan.cc/sh), each command through a
// handler the test gives: envc in process where no builder is at hand
// (examples/ci's test), the real programs in the end-to-end suite. Its own
// test runs every code block of README.md (readme_test.go).
package citest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// Workflow is the part of a GitHub Actions workflow the tests read.
type Workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]Job `yaml:"jobs"`
}

// Job is one job of a workflow.
type Job struct {
	RunsOn string `yaml:"runs-on"`
	Steps  []Step `yaml:"steps"`
}

// Step is one step: an action (Uses) or a script (Run).
type Step struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

// Title is the step's name, or its action.
func (s Step) Title() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Uses
}

// ReadWorkflow parses a workflow file, strictly: a key the structs do
// not know is an error, and so is a step that is neither an action nor a
// script, or a run script with an expression (${{ }}), which the tests
// could not run as written.
func ReadWorkflow(path string) (*Workflow, error) {
	var w Workflow
	if err := readStrict(path, &w); err != nil {
		return nil, err
	}
	if len(w.Jobs) == 0 {
		return nil, fmt.Errorf("%s: no jobs", path)
	}
	for name, j := range w.Jobs {
		if j.RunsOn == "" || len(j.Steps) == 0 {
			return nil, fmt.Errorf("%s: job %s has no runs-on or no steps", path, name)
		}
		for _, s := range j.Steps {
			if (s.Uses == "") == (s.Run == "") {
				return nil, fmt.Errorf("%s: step %q must have one of uses and run", path, s.Title())
			}
			if strings.Contains(s.Run, "${{") {
				return nil, fmt.Errorf("%s: step %q uses an expression in its script", path, s.Title())
			}
			if s.Run != "" {
				if _, err := Parse(s.Run); err != nil {
					return nil, fmt.Errorf("%s: step %q: %w", path, s.Title(), err)
				}
			}
		}
	}
	return &w, nil
}

// PreCommit is a pre-commit configuration (.pre-commit-config.yaml).
type PreCommit struct {
	Repos []struct {
		Repo  string `yaml:"repo"`
		Hooks []Hook `yaml:"hooks"`
	} `yaml:"repos"`
}

// Hook is one hook of a local repository.
type Hook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Entry         string `yaml:"entry"`
	Language      string `yaml:"language"`
	Files         string `yaml:"files"`
	PassFilenames *bool  `yaml:"pass_filenames"`
}

// Matches reports whether the hook runs for a file (its path relative to
// the repository's root, with slashes), as pre-commit matches files.
func (h Hook) Matches(path string) (bool, error) {
	if h.Files == "" {
		return true, nil
	}
	re, err := regexp.Compile(h.Files)
	if err != nil {
		return false, err
	}
	return re.MatchString(path), nil
}

// Script is the command pre-commit runs for files: the entry, then the
// file names unless pass_filenames is false.
func (h Hook) Script(files []string) string {
	s := h.Entry
	if h.PassFilenames == nil || *h.PassFilenames {
		for _, f := range files {
			q, err := syntax.Quote(f, syntax.LangBash)
			if err != nil {
				q = "'" + f + "'" // not reached: a file name is always quotable
			}
			s += " " + q
		}
	}
	return s
}

// ReadPreCommit parses a pre-commit configuration, strictly; every hook
// must be a local one run by the system (language: system).
func ReadPreCommit(path string) (*PreCommit, error) {
	var p PreCommit
	if err := readStrict(path, &p); err != nil {
		return nil, err
	}
	for _, r := range p.Repos {
		for _, h := range r.Hooks {
			if r.Repo != "local" || h.Language != "system" || h.ID == "" || h.Entry == "" {
				return nil, fmt.Errorf("%s: hook %q: want a local hook with an id, an entry and language: system", path, h.ID)
			}
			if _, err := Parse(h.Script(nil)); err != nil {
				return nil, fmt.Errorf("%s: hook %q: %w", path, h.ID, err)
			}
		}
	}
	return &p, nil
}

func readStrict(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Parse parses a script as bash does.
func Parse(script string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
}

// Exec runs one command of a script: args, in dir, with env; it returns
// the command's exit code, or an error when it could not run.
type Exec func(ctx context.Context, args []string, dir string, env []string, stdout, stderr io.Writer) (int, error)

// Run runs script as GitHub Actions runs a step's (bash -e) in dir with
// env, each command through exec (nil: run the programs on PATH). It
// returns the exit code and what the script printed, both streams.
func Run(ctx context.Context, script, dir string, env []string, exec Exec) (int, string, error) {
	f, err := Parse(script)
	if err != nil {
		return 0, "", err
	}
	var out bytes.Buffer
	opts := []interp.RunnerOption{
		interp.Dir(dir),
		interp.Env(expand.ListEnviron(env...)),
		interp.StdIO(strings.NewReader(""), &out, &out),
		interp.Params("-e"),
	}
	if exec != nil {
		opts = append(opts, interp.ExecHandlers(func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
			return func(ctx context.Context, args []string) error {
				hc := interp.HandlerCtx(ctx)
				var env []string
				hc.Env.Each(func(name string, vr expand.Variable) bool {
					if vr.Exported && vr.IsSet() {
						env = append(env, name+"="+vr.String())
					}
					return true
				})
				code, err := exec(ctx, args, hc.Dir, env, hc.Stdout, hc.Stderr)
				if err != nil {
					return err
				}
				if code != 0 {
					return interp.NewExitStatus(uint8(code))
				}
				return nil
			}
		}))
	}
	r, err := interp.New(opts...)
	if err != nil {
		return 0, "", err
	}
	err = r.Run(ctx, f)
	if status, ok := interp.IsExitStatus(err); ok {
		return int(status), out.String(), nil
	}
	return 0, out.String(), err
}
