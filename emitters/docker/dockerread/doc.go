// Package dockerread reads the docker target's output back the way Docker
// does, for tests and equivalence checks: the Dockerfile with BuildKit's
// parser and instructions packages (ReadDockerfile, ReadDockerfileFor,
// into docker.Dockerfile), compose.yaml with compose-go's loader
// (ReadCompose, LoadCompose: Docker Compose's own schema validation,
// interpolation and normalization), and both files into the effective
// view (Effective). FullSelfCheck makes the docker target's Emit read
// every Dockerfile back with ReadDockerfileFor; the tests turn it on.
//
// It is kept apart from package docker so that envc itself links neither
// the Compose loader, whose JSON-schema library alone would be most of
// envc's start-up time, nor BuildKit's Dockerfile packages and the
// protobuf runtime they bring. Emit's self-check reads compose.yaml with
// the YAML parser and Compose's interpolation instead; this package's
// tests demand that both readers agree.
package dockerread
