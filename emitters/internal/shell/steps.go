package shell

import (
	"fmt"

	"github.com/envc-dev/envc/compiler/ir"
)

// The kinds of step, as the "# step N: KIND" comments of a step script
// (bootstrap.sh, %post) name them; read-backs rely on these comments.
const (
	KindInstall = "install"
	KindCopy    = "copy"
	KindEnv     = "env"
	KindRun     = "run"
	KindUser    = "user"
	KindWorkdir = "workdir"
)

// EpilogueComment starts what a step script does after the steps.
const EpilogueComment = "# after the steps"

// StepKind returns the kind of s.
func StepKind(s ir.Step) string {
	switch s.(type) {
	case *ir.InstallStep:
		return KindInstall
	case *ir.CopyStep:
		return KindCopy
	case *ir.EnvStep:
		return KindEnv
	case *ir.RunStep:
		return KindRun
	case *ir.UserStep:
		return KindUser
	case *ir.WorkdirStep:
		return KindWorkdir
	}
	panic(fmt.Sprintf("shell.StepKind: unknown step %T", s))
}

// StepComment returns the comment that opens step n (counted from 1).
func StepComment(n int, kind string) string {
	return fmt.Sprintf("# step %d: %s", n, kind)
}
