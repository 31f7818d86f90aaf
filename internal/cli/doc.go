// Package cli is envc's command line: the commands (compile, validate,
// explain, fmt, targets, version, build and lock), their flags, exit codes and
// diagnostics output, and the writing of outputs (the manifest that keeps
// hand edits from being overwritten or removed, atomic replacement, files
// unchanged left alone, files the spec no longer makes removed, large
// definitions and copied files streamed, copied files read from the file
// checked). The output folder (outTree) is opened without following
// symbolic links, each environment's folder locked while compile writes
// it, and what a failed or interrupted compile made is removed.
//
// Diagnostics pass through a reporter (report.go): it leaves out the
// warnings of the rules ignored (--ignore, the spec's envc { ignore })
// and of the rules off by default, fails the command on a remaining
// warning under --strict, and prints them as text on standard error or,
// for programs, as JSON, GNU "file:line:col:" lines or GitHub Actions
// commands on standard output. compile --check (check.go) compares what
// compile would write with the output folder, writing nothing, and
// shows unified diffs. Shell completion (completion.go) completes
// targets, the spec's environments, rule names and .hcl files.
//
// compile keeps a record of a successful run in the user's cache folder,
// not in the output folder (uptodate.go, statePath): a key of what the
// outputs depend on besides the files read, and the stat and sum of every
// file read (the compiler reports them through compiler.Options.Inputs)
// and written. A compile that finds them all unchanged prints what the
// recorded one printed and writes nothing.
//
// Run is the whole program. The envc program runs it as it is: its build
// command hands the command line to the envc-build program, so that envc
// does not link BuildKit's client. envc-build runs it with WithBuild and
// the real build command (package buildcmd); Host is what that command
// gets of the CLI. The lock command (lock.go) is the same in both: it
// reads the spec's lock file for every command that compiles (lockOptions,
// from load), checks it (--check) itself, and resolves through the
// LockResolver WithLock gives, which envc lacks: there it hands the
// command line to envc-build as build does. fmt too: envc-build has the
// HCL writers (WithHCLWriter: hclwrite's formatter and the lock file's
// writer), which envc does not link.
package cli
