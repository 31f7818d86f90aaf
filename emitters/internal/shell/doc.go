// Package shell owns every piece of POSIX sh that envc writes: quoting a
// literal so that it reads back as itself, rendering env values with their
// references, and the commands shared by Dockerfile RUN lines, bootstrap.sh
// and %post (package installs, user creation, directory creation), and the
// guards of a step for some platforms (platform.go: a case on
// $TARGETPLATFORM in a RUN, on uname -m in a script), with their readers,
// and the step loop of the scripts (ScriptSteps: each step's comment and
// guarded lines, the target giving only its body).
//
// Quoting is built on mvdan.cc/sh: a word is assembled as a syntax tree and
// printed by its printer, never by string concatenation, and Parse re-reads
// any script with the same parser. The package knows nothing of targets.
package shell
