// Package schema owns envc's surface language: the HCL block schemas of a
// spec file (variable, locals, environment and its nested file, mount, port
// and vm blocks, and the envc settings block, settings.go), their decoding into structs that keep every hcl.Range,
// the function table available to expressions, and the distro catalogue
// that maps a base image to its distribution, package manager and Vagrant
// box: the distributions' own images and, in images.go, the images research
// recipes build on one (language, conda, CUDA, R and Jupyter images), with
// the release a moving tag ("latest") named on CatalogueDate.
//
// It is the first stage of the pipeline: Parse turns bytes into an
// *hcl.File, Decode turns that into a *Spec whose attribute values are
// still unevaluated expressions. Evaluating them (variables, locals,
// functions) and checking rules that span blocks is package compiler's
// work. Decoding never stops at the first problem: it returns a best-effort
// Spec with every diagnostic found.
package schema
