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
package compiler
