package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/envc-dev/envc/compiler"
	"github.com/envc-dev/envc/compiler/ir"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// TestFromFlattens checks that an environment built on another starts with
// the other's steps, takes its base, variables (values resolved so that
// the list reads the same in any order), user, workdir, sources, labels
// and ports, and that a new entrypoint drops the inherited run command.
func TestFromFlattens(t *testing.T) {
	src := `
environment "parent" {
  base   = "debian:bookworm"
  env    = { A = "1", B = "$${A}-b", PATH = "/p:$${PATH}" }
  user   = "sim"
  workdir = "/w"
  source = ["/etc/p.sh"]
  labels = { k = "parent", only = "parent" }
  port { guest = 80 }
  run    = ["serve"]
}
environment "child" {
  from   = environment.parent
  env    = { A = "2", PATH = "/c:$${PATH}", C = "$${B}+$${A}" }
  labels = { k = "child" }
  step { run = "echo child" }
  entrypoint = ["/bin/tool"]
}
`
	envs, errs := compile(t, src, compiler.Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	parent, child := envs[0], envs[1]
	if child.From != "parent" || child.FromSteps != len(parent.Steps) || child.Base != parent.Base || child.Distro != parent.Distro {
		t.Errorf("from: got From %q FromSteps %d (parent has %d steps), base %v", child.From, child.FromSteps, len(parent.Steps), child.Base)
	}
	for i, s := range parent.Steps {
		if child.Steps[i] != s {
			t.Fatalf("step %d of child is not the parent's", i)
		}
	}
	var env []string
	for _, v := range child.RunEnv() {
		env = append(env, v.Name+"="+v.Value.String())
	}
	want := []string{"B=1-b", "A=2", "PATH=/c:/p:${PATH}", "C=1-b+2"}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if child.User != "sim" || child.Workdir != "/w" || child.Run != nil {
		t.Errorf("contract: user %q workdir %q run %q", child.User, child.Workdir, child.Run)
	}
	if diff := cmp.Diff([]string{compiler.SourceWrapper("parent"), "/bin/tool"}, child.Entrypoint); diff != "" {
		t.Errorf("entrypoint (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/etc/p.sh"}, child.Source); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	last := child.Steps[len(child.Steps)-1]
	if w, ok := last.(*ir.WorkdirStep); !ok || w.Path != "/w" {
		t.Errorf("the last step is %#v, want the run directory's", last)
	}
	var labels []string
	for _, l := range child.Labels {
		labels = append(labels, l.Key+"="+l.Value)
	}
	if diff := cmp.Diff([]string{"only=parent", "k=child"}, labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if len(child.Ports) != 1 || child.Ports[0].Guest != 80 {
		t.Errorf("ports: %+v", child.Ports)
	}
	for _, s := range child.Steps[child.FromSteps:] {
		if r, ok := s.(*ir.RunStep); ok && r.Command == "echo child" && len(r.Source) != 1 {
			t.Errorf("the child's step sources %q, want the parent's script", r.Source)
		}
	}
}

// TestStages checks stage lowering: a stage's own base and steps, one
// built on an earlier stage (flattened), copies from stages, context
// files of a stage carried by the environment, and a stage's stages
// hoisted when it is built on an environment that has some.
func TestStages(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `
environment "tools" {
  base = "debian:bookworm"
  stage "fetch" {
    base = "alpine:3.20"
    setup = ["echo fetched > /f"]
  }
  step {
    copy {
      from   = stage.fetch
      source = "/f"
      target = "/opt/f"
    }
  }
}
environment "app" {
  base = "debian:bookworm"
  user "sim" {}
  stage "build" {
    from = environment.tools
    file {
      source = "a.txt"
      target = "/src/a.txt"
    }
    step { run = "cp /src/a.txt /out" }
  }
  stage "more" {
    from = stage.build
    step { run = "echo more >> /out" }
  }
  step {
    copy {
      from   = stage.more
      source = "/out"
      target = "/usr/share/out"
      owner  = "sim"
      mode   = "0640"
    }
  }
}
`
	envs, errs := compile(t, src, compiler.Options{SpecDir: dir})
	if errs != "" {
		t.Fatal(errs)
	}
	tools, app := envs[0], envs[1]
	var names []string
	for _, st := range app.Stages {
		names = append(names, st.Name)
		if st.Stages != nil || st.User != "" || st.Run != nil {
			t.Errorf("stage %s carries %d stages, user %q, run %q", st.Name, len(st.Stages), st.User, st.Run)
		}
	}
	// build is flattened into more, and nothing copies from it: it is
	// left out (without a warning: more is built on it).
	if diff := cmp.Diff([]string{"fetch", "more"}, names); diff != "" {
		t.Fatalf("stages (-want +got):\n%s", diff)
	}
	if app.Stages[0] != tools.Stages[0] {
		t.Errorf("the hoisted stage is not tools' own")
	}
	more := app.Stages[1]
	if more.Base.Ref != "debian:bookworm" || more.From != "stage build" || more.FromSteps != len(tools.Steps)+2 {
		t.Errorf("flattening: more from %q, %d steps (tools has %d)", more.From, more.FromSteps, len(tools.Steps))
	}
	if len(app.ContextFiles) != 1 || app.ContextFiles[0].ContextPath != "files/a.txt" {
		t.Errorf("context files: %+v", app.ContextFiles)
	}
	var copies []ir.CopyStep
	for _, s := range app.Steps {
		if c, ok := s.(*ir.CopyStep); ok {
			c := *c
			c.Range = hcl.Range{}
			copies = append(copies, c)
		}
	}
	want := []ir.CopyStep{{Stage: "more", Source: "/out", Target: "/usr/share/out", Owner: "sim", Mode: 0o640}}
	if diff := cmp.Diff(want, copies); diff != "" {
		t.Errorf("copies (-want +got):\n%s", diff)
	}
}

// TestCopyIntoLater checks the warnings for copies that create a folder before
// the step that makes it for its user.
func TestCopyIntoLater(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"home", `user = "sim"
  file {
    source = "a.txt"
    target = "/home/sim/a.txt"
  }`, "File copied into a home created later [copy-into-later-home]"},
		{"workdir", `user = "sim"
  workdir = "/work"
  step {
    copy {
      source = "a.txt"
      target = "/work/a.txt"
    }
  }`, "File copied into a folder created later [copy-into-later-folder]"},
		{"owned", `user = "sim"
  workdir = "/work"
  step {
    copy {
      source = "a.txt"
      target = "/work/a.txt"
      owner  = "sim"
    }
  }`, "File copied into a folder created later [copy-into-later-folder]"},
		{"made first", `user = "sim"
  workdir = "/work"
  step {
    user    = "sim"
    workdir = "/work"
    run     = "true"
  }
  step {
    copy {
      source = "a.txt"
      target = "/work/a.txt"
    }
  }`, ""},
		// Folders every base image has are not created by the copy.
		{"existing folder", `user = "sim"
  step {
    copy {
      source = "a.txt"
      target = "/tmp/a.txt"
    }
  }
  step {
    user    = "sim"
    workdir = "/tmp"
    run     = "true"
  }`, ""},
		// A folder an earlier step makes (its path in the command).
		{"made by an earlier run", `user = "sim"
  workdir = "/opt/app"
  step {
    run = "mkdir -p /opt/app && chown sim /opt/app"
  }
  step {
    copy {
      source = "a.txt"
      target = "/opt/app/a.txt"
    }
  }`, ""},
		// Another folder whose name starts the same does not count.
		{"other folder made earlier", `user = "sim"
  workdir = "/opt/app"
  step {
    run = "mkdir -p /opt/application /opt/app-data"
  }
  step {
    copy {
      source = "a.txt"
      target = "/opt/app/a.txt"
    }
  }`, "File copied into a folder created later [copy-into-later-folder]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := compile(t, "environment \"e\" {\n  base = \"debian:bookworm\"\n  "+tc.body+"\n}\n", compiler.Options{SpecDir: dir})
			if got != tc.want {
				t.Errorf("diagnostics %q, want %q", got, tc.want)
			}
		})
	}
}
