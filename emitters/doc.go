// Package emitters defines what every target emitter shares: the Emitter
// interface, the Output and File it returns, the Options it reads, the fixed
// header of generated files, and the catalogue of lossy-mapping rules from
// which every emitter warning is made.
//
// It sits after package compiler in the pipeline: emitters read a finished
// ir.Env and never import the surface language (schema) or the compiler.
// Each target lives in its own subpackage (docker, buildkit, singularity,
// vagrant), owning both directions of its format; package targets is the
// explicit, sorted registry of them.
package emitters
