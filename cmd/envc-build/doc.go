// Command envc-build is `envc build`: envc runs it, with the same
// arguments, for its build command. It is the whole envc command line
// plus a build command that links BuildKit's client, which envc leaves out
// to start fast. Install it beside envc (go install ./cmd/...).
package main
