// Package e2e is envc's end-to-end suite: it builds what envc emits with
// the real tools and checks, inside each built environment, that the
// targets made the same environment.
//
// The tests carry the build tag e2e and expect what run.sh prepares and
// starts (make e2e runs it): dockerd and buildkitd with a loopback
// registry as their docker.io mirror, serving a Debian bookworm base;
// Apptainer, built from its Go module (apptainer.sh); libvirtd and
// virtlogd, a Debian bookworm box made locally (box.sh) and a global
// Vagrantfile that runs every machine under QEMU's emulation. For every
// Debian-based golden case, each environment is
//
//   - docker: built from its Dockerfile with docker build;
//   - llb: built from its LLB with envc build on buildkitd (output
//     type=docker, loaded into dockerd);
//   - apptainer: built from its Singularity.def with apptainer build, the
//     definition as emitted but for its From lines, which name the
//     loopback registry's copy of the base (--no-https);
//   - sif: built with envc build --format sif (BuildKit solves the LLB,
//     envc lays Apptainer's metadata into the root file system and writes
//     the SIF); apptainer inspect must show the spec's labels and, with
//     --deffile, the emitted definition file, and a second build of the
//     lolcow case must give the same bytes;
//   - vagrant, for the cases in defaultVMs (every construct, stages,
//     one with a user, sourced scripts and an entrypoint, and pip from
//     the suite's index): brought up
//     with vagrant up from the generated Vagrantfile as it is, a QEMU
//     machine of the local box, probed through vagrant ssh -c and
//     destroyed;
//   - vagrant-sim, the fast check of bootstrap.sh: the files its file
//     provisioners upload are put where they say, then the script runs as
//     root in a container of the same base;
//   - def-sim, the fast check of the .def: %files copied in, %post run as
//     root in a container of the base, then %environment and %runscript
//     used at run time as Apptainer's action scripts use them.
//
// Then the same facts are probed in each result (os-release, each package,
// each env var as the run command sees it, each file's content, mode and
// owner, the user and working directory, the run command's output): in a
// container with docker run, in a SIF with apptainer exec and apptainer
// run (--cleanenv --contain, as root), in a machine with vagrant ssh -c
// '<env>-run ...'. They must agree; a difference names the fact and the
// targets. Differences that a named warning of the spec announces (e.g.
// Apptainer ignoring the run-time user, or a user given another uid on a
// machine whose box's vagrant user holds 1000) are shown but expected;
// any other difference fails the suite (knownBugs would list a defect
// not fixed yet; it is empty).
//
// Every emitted Vagrantfile is checked with vagrant validate (a stand-in
// VBoxManage lets vagrant check the virtualbox block) and every script with
// shellcheck. A cache test changes only a setup step and checks that
// buildkitd reuses the package layer.
//
// Python packages come from a package index of the suite's (run.sh
// serves the wheels Debian ships and the suite's own application,
// envc-e2e-hello, a wheel hello_wheel.py writes at run time, as a PEP 503
// index over HTTP on dockerd's bridge address, and passes its URL in
// ENVC_VAR_pip_index): the pip-index case installs from it with pip
// (index_url, trusted_hosts, constraints, no_binary, env) and with pipx
// (Debian's, which takes its shared libraries pip, setuptools and wheel
// from the same index) in every container target (and in a machine with
// ENVC_E2E_VMS=pip-index/pyindex); the probes compare the versions pip
// installed, the applications pipx recorded and the programs it linked on
// the run user's PATH, and the run command must print the application's
// line (wantRun). No conda channel or Julia registry is reachable here: the
// conda and julia cases (bases of their own images) are covered by the
// parsers and read-backs of the golden tests alone.
//
// The lecture examples use Ubuntu, Rocky or Alpine bases, which cannot be
// built here (only the Debian archive is reachable); they are covered by
// the parsers in the golden tests, and their Debian twins
// (testdata/golden/debian-*) are built here.
package e2e
