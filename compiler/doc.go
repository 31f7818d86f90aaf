// Package compiler gives a decoded spec its meaning: it evaluates variables
// (from defaults, ENVC_VAR_ environment variables, variable files and
// command-line values, checking types and validation blocks), local values
// (in dependency order, reporting cycles) and every environment attribute
// with the HCL standard functions; checks the rules that span values
// (absolute paths, port ranges, duplicates, the distro of the base image);
// and lowers each environment to an ir.Env.
//
// It is the middle stage of the pipeline, between schema (syntax) and the
// emitters (targets), and imports neither the emitters nor any target
// format. It reads the file system only to check and locate the files a
// spec copies in.
//
// The lowering has two receivers. A lowerer holds the spec's environments
// and lowers each once, in the order their from attributes need. An
// envLowerer lowers one environment or stage block: its lower method calls
// one lowerX method per concern (lowerDescription, lowerFrom, lowerStages,
// lowerBase, lowerShorthand for v1's packages, env, file blocks and setup,
// lowerRuntime, lowerLabels, lowerPorts, lowerMounts, lowerVM,
// lowerRepositories, lowerSteps with the user blocks, lowerSource,
// lowerPlatforms) in the order their problems are reported.
//
// Diagnostics flow one way. Compile, the other functions and the
// evaluator's methods return them; a method of a receiver that collects
// them (lowerer, envLowerer, localSort) appends them to the receiver's
// diags and returns only its value. No function takes a *hcl.Diagnostics.
package compiler
