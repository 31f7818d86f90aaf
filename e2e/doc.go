// Package e2e is envc's end-to-end suite: it builds what envc emits with
// the real tools and checks, inside each built environment, that the
// targets made the same environment.
//
// The tests carry the build tag e2e and expect the daemons that run.sh
// starts (make e2e runs it): dockerd and buildkitd with a loopback
// registry as their docker.io mirror, serving a Debian bookworm base. For
// every Debian-based golden case, each environment is
//
//   - built from its Dockerfile with docker build,
//   - built from its LLB with envc build on buildkitd (output type=docker,
//     loaded into dockerd),
//   - provisioned from its bootstrap.sh as Vagrant would: the files its
//     file provisioners upload are put where they say, then the script
//     runs as root in a container of the same base,
//   - built from its Singularity.def: %files copied in, %post run as root
//     in a container of the base, then %environment and %runscript used at
//     run time as Apptainer's action scripts use them. No apptainer binary
//     exists for Debian 12 here; when one is on PATH, apptainer build runs
//     too.
//
// Then the same facts are probed in each result (os-release, each package,
// each env var as the run command sees it, each file's content, mode and
// owner, the user and working directory, the run command's output) and
// must agree; a difference names the fact and the targets. Differences
// that a named warning of the spec announces (e.g. Apptainer ignoring the
// run-time user) are shown but expected.
//
// Every emitted Vagrantfile is checked with vagrant validate (a stand-in
// VBoxManage lets vagrant check the virtualbox block) and every script with
// shellcheck. A cache test changes only a setup step and checks that
// buildkitd reuses the package layer.
//
// The lecture examples use Ubuntu, Rocky or Alpine bases, which cannot be
// built here (only the Debian archive is reachable); they are covered by
// the parsers in the golden tests, and their Debian twins
// (testdata/golden/debian-*) are built here.
package e2e
