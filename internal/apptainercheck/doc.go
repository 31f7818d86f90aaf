// Package apptainercheck cross-checks envc's definition-file parser
// (emitters/singularity.Parse and ParseAll) against Apptainer's own
// (github.com/apptainer/apptainer/pkg/build/types/parser). It is a
// separate, test-only module, so that Apptainer's large dependency graph
// never enters envc's own go.mod; `.ci/run` runs its tests.
package apptainercheck
