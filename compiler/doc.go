// Package compiler gives a decoded spec its meaning: it evaluates variables
// (from defaults, ENVC_VAR_ environment variables, variable files and
// command-line values, checking types and validation blocks), local values
// (in dependency order, reporting cycles) and every environment attribute
// with the HCL standard functions; checks the rules that span values
// (absolute paths, port ranges, duplicates, the distro of the base image);
// and lowers each environment to an ir.Env.
//
// Modules and for_each (modules.go) are expanded here, into steps like any
// other: a module block reads its module file (once a compilation, relative
// to the calling file, inside the spec's folder), evaluates the call's
// arguments as the module's variables, lowers the module's blocks in a
// scope of their own (its var, local and module outputs; copy sources
// relative to its folder) and names the call chain in every problem found
// there; for_each lowers a block once for each element, with each.key and
// each.value. Both count against the limits of limits.go and modules.go.
// ir.Env.Modules records the calls, for explain; no target sees them.
//
// It is the middle stage of the pipeline, between schema (syntax) and the
// emitters (targets), and imports neither the emitters nor any target
// format. It reads the file system only to check and locate the files a
// spec copies in and to read the module files it calls.
//
// The lowering has two receivers. A lowerer holds the spec's environments
// and lowers each once, in the order their from attributes need. An
// envLowerer lowers one environment or stage block: its lower method calls
// one lowerX method per concern (lowerDescription, lowerFrom, lowerStages,
// lowerBase, lowerShorthand for v1's packages, env, file blocks and setup,
// lowerRuntime, lowerTargets for the target blocks' run-time values,
// lowerLabels, lowerPorts, lowerMounts, lowerVM,
// lowerContract for the gpu, healthcheck and hpc blocks,
// lowerRepositories, lowerSteps with the user blocks (a step's
// platforms by limitPlatforms), targetEnvSteps for the target blocks'
// variables, lowerSource (the shell of lowerShell, with installBash on
// Alpine), runDirSteps, lowerPlatforms and checkStepPlatforms) in the
// order their problems are reported.
//
// With Options.Lock, Compile then pins every lowered environment to the
// lock file (lock.go): base images by digest, package words at their
// versions as each manager writes them, apt's dependencies through a
// preferences file written by a first step, pip requirements as
// name==version, the Vagrant box version. Pinning happens here once, so
// that the IR says it and every emitter pins alike; what the lock does
// not cover is the lock-stale lint (an error with Options.Locked).
//
// Diagnostics flow one way. Compile, the other functions and the
// evaluator's methods return them; a method of a receiver that collects
// them (lowerer, envLowerer, localSort) appends them to the receiver's
// diags and returns only its value. No function takes a *hcl.Diagnostics.
package compiler
