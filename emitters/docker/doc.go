// Package docker is envc's Docker target (emitter name "docker"). It lowers
// an ir.Env to two files in the environment's output folder:
//
//   - Dockerfile: for the Dockerfile frontend built into Docker (BuildKit;
//     no "# syntax=" line, so no frontend image is pulled, and no heredocs,
//     which older built-in frontends lack): a build stage per stage of the
//     environment, then the environment's own, unnamed;
//   - compose.yaml: one service, named after the environment, built from
//     that Dockerfile (for build.platforms, the environment's platforms),
//     with the ports published (long syntax, host address included), the
//     mounts bound (long syntax, read-only included), the working
//     directory, the healthcheck, and a gpu block's device reservation
//     (deploy.resources.reservations.devices). It is always written: `docker compose up --build` runs
//     every environment.
//
// # The Dockerfile
//
// FROM the base image, then the steps in order:
//
//   - install: RUN of shell.InstallCommand;
//   - copy: COPY --chmod=MODE [--chown=OWNER] SRC DST (JSON form when a path
//     is not plain); a source with wildcard characters is an error, since
//     COPY has no way to escape them. A run of copies is preceded by
//     `RUN mkdir -p` of the folders they need (shell.CopyParents), as
//     root: BuildKit creates a copy's missing parents with the file's mode
//     and owner, the shell targets (install -D) with 0755 and root;
//   - env: ENV NAME=value ..., one pair per continuation line, references as
//     ${NAME} for Docker to expand against earlier ENV and the base image.
//     The builder expands all values of one ENV before setting any, so a
//     value that refers to a variable of the same step starts a new ENV;
//   - run: USER and WORKDIR switched to the step's (root and "/" when
//     unset), then RUN in shell form for a command the parser keeps
//     verbatim, otherwise in exec form (["/bin/sh", "-c", CMD], or
//     ["/bin/bash", "-eo", "pipefail", "-c", CMD] for bash);
//   - user: RUN of shell.EnsureUserCommand, as root;
//   - workdir: USER owner, then WORKDIR path, which BuildKit creates (with
//     its parents) owned by the USER in effect.
//
// USER and WORKDIR are written only when they change. The base image's
// USER and WORKDIR are unknown, so the first step that must run as root
// writes USER root, and the first run step writes its WORKDIR. Then come
// the run-time facts: USER env.User (USER root if a step left another
// user and the spec names none), WORKDIR env.Workdir (WORKDIR / if a step
// left another directory and the spec names none), EXPOSE per port,
// VOLUME with the mount targets (a declaration; the bind lives in
// compose.yaml), one LABEL with every label in order, HEALTHCHECK with
// the test in exec form, and CMD in exec form.
// Without a run command the base image's CMD stays.
//
// # Stages
//
// Each stage is written first as `FROM <base> AS <stage>` and its steps,
// by the same code as the environment's steps (its ENV its own, its USER
// and WORKDIR starting unknown); then comes the environment's FROM, with
// no AS, so a Dockerfile without stages is the single stage it always
// was. A copy from a stage is COPY --from=STAGE [--chmod=MODE]
// [--chown=OWNER] SRC DST, with no --chmod when the stage's modes are
// kept. A stage name is what BuildKit's parser takes after AS (a
// lowercase letter, then letters, digits, '.', '_' and '-'; anything else
// is an error at the stage). Since FROM NAME builds on an earlier stage
// called NAME rather than on the image, a base image reference that is an
// earlier stage's name is written in its canonical form
// (docker.io/library/NAME:latest).
//
// # Literals
//
// Every literal is written for the readers it meets: the parser's line
// handling (continuations, comments, a 64 KiB line limit: longer lines are
// folded at safe points), the instruction's argument splitting, and
// BuildKit's shell lexer, which expands ENV, LABEL, COPY, WORKDIR, USER and
// VOLUME words. A value is written bare when plain, otherwise double-quoted
// with `"`, `$` and `\` escaped (JSON strings carry lexer escapes too). A
// label key holding "=" takes it from a build argument (ARG ENVC_EQUALS),
// since LABEL splits its words at the first "=" before any unquoting. A
// line break in an ENV value, a label, a user or directory name, and a NUL
// anywhere, cannot be carried: Emit reports an error at the node. Compose
// interpolates "$" in values, so compose.yaml doubles it; the YAML is built
// as yaml.v3 nodes, never as text.
//
// A step for some platforms (install or run) is a RUN whose command
// starts with shell.PlatformGuard, a case on $TARGETPLATFORM that ends the
// RUN on the other platforms, after an ARG TARGETPLATFORM (before the
// stage's first such RUN) that lets the RUN see what BuildKit sets: one
// Dockerfile builds every platform. dockerread takes the guard back off.
//
// # Values per platform
//
// A run of env steps for some platforms (values per platform) ends the
// environment's stage, named envc-N (envc0-N, ... when a stage of the
// spec starts so): one stage per platform, FROM envc-N AS envc-N-SLUG
// (SLUG is what ${TARGETARCH}${TARGETVARIANT} expands to, "arm64",
// "armv7"), with the ENV of that platform's values, then the build goes
// on in FROM envc-N-${TARGETARCH}${TARGETVARIANT}, which BuildKit expands
// with the automatic platform arguments of the global scope (not
// declared: a bare global ARG empties them in Docker 20.10's builder).
// Each such stage declares the build's ARGs again with their values, resolved
// where they refer to earlier variables (an ARG ends with its stage). A
// value of the build alone (build_env) per platform would end with its
// stage too: from such a step on, the rest of the build and the run-time
// facts are written once per platform (ir.Env.ForPlatform), and the image
// is FROM envc-N-${TARGETARCH}${TARGETVARIANT}. The full self-check
// (SetFullSelfCheck, below) reads the Dockerfile for each platform
// (dockerread.ReadDockerfileFor) and demands what the Dockerfile of that
// platform's environment alone reads as.
//
// After writing, Emit reads both files back and demands what it meant to
// write; a difference is reported as an envc bug rather than built
// wrongly. compose.yaml goes through YAML and Compose's interpolation; the
// Dockerfile through a structural check (the instructions BuildKit's
// parser would split it into: no value continuing a line, no line break,
// comment or directive where the parser would take one). The tests turn on
// the full self-check (dockerread.FullSelfCheck, which passes its reader
// to SetFullSelfCheck), which also reads every Dockerfile with
// dockerread.ReadDockerfile and compares it with a model the writer
// records (each RUN's argv and environment, each ENV's and ARG's expanded
// value): on a spec with many variables and steps that costs more than
// writing the file, a third of the compile. The full compose-go loader
// (package dockerread), whose schema library would dominate a small
// compilation, checks the same files in the tests too.
//
// # Reading back
//
// The package owns the way back too: Dockerfile is the model a Dockerfile
// reads back as (plain values, the build stages before the last as
// Stages), and its subpackage dockerread the readers: ReadDockerfile
// parses a Dockerfile with BuildKit's parser and instructions packages
// and interprets it as the builder does (words expanded by BuildKit's
// lexer), and compose-go's loader and the effective view (stages, the
// copies' Step.Stage, and build.platforms as Platforms) serve tests and
// equivalence checks. The readers live apart so that envc, which runs
// the structural check alone, links neither BuildKit's Dockerfile
// packages nor the protobuf runtime they bring.
//
// It sits after the compiler: it reads a finished ir.Env and imports
// neither schema nor compiler. It does not run Docker.
package docker
