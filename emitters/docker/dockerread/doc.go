// Package dockerread reads the docker target's output back the way Docker
// does, for tests and equivalence checks: compose.yaml with compose-go's
// loader (ReadCompose, LoadCompose: Docker Compose's own schema
// validation, interpolation and normalization), and both files into the
// effective view (Effective).
//
// It is kept apart from package docker so that envc itself does not link
// the Compose loader, whose JSON-schema library alone would be most of
// envc's start-up time. Emit's self-check reads compose.yaml with the YAML
// parser and Compose's interpolation instead; this package's tests demand
// that both readers agree.
package dockerread
