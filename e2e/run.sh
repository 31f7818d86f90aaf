#!/usr/bin/env bash
# End-to-end suite: build what envc emits with the real tools and check,
# inside each built environment, that the targets made the same one.
#
#   e2e/run.sh            (or: make e2e)
#
# Runs as root on Debian 12 with Go. It installs its tools with apt-get,
# builds buildkitd and buildctl from the BuildKit module that go.mod pins,
# makes a Debian bookworm base with mmdebstrap, serves it from a registry on
# loopback as the docker.io mirror of dockerd and buildkitd, then runs the
# Go tests in this folder (go test -tags e2e ./e2e). Every daemon it starts
# is stopped by its PID when it exits, pass or fail.
#
# ENVC_E2E_CACHE (default /var/cache/envc-e2e) keeps the binaries and the
# base rootfs between runs; ENVC_E2E_KEEP=1 keeps the work directory;
# ENVC_E2E_RUN is passed to go test -run.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${ENVC_E2E_CACHE:-/var/cache/envc-e2e}
work=$(mktemp -d /tmp/envc-e2e.XXXXXX)
export DEBIAN_FRONTEND=noninteractive

pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
stop_daemons() {
  local rc=$?
  set +e
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    # dockerd stops its containers and containerd first: give it time.
    for _ in $(seq 1 150); do
      kill -0 "${pids[i]}" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "${pids[i]}" 2>/dev/null || true
  done
  # Overlay mounts left by a killed daemon would keep the work dir busy.
  if [[ -d $work ]]; then
    grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    if [[ ${ENVC_E2E_KEEP:-} == 1 ]]; then echo "e2e: kept $work"; else rm -rf "$work"; fi
  fi
  echo "e2e: stopped ${#pids[@]} daemon(s); exit $rc"
  exit "$rc"
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

phase_start=0
phase() { phase_name=$1; phase_start=$(date +%s%N); echo "e2e: == $1"; }
phase_end() {
  local ms=$((($(date +%s%N) - phase_start) / 1000000))
  printf 'e2e: phase %-30s %4d.%d s\n' "$phase_name" $((ms / 1000)) $((ms % 1000 / 100)) | tee -a "$work/timings.txt"
}

# 1. Tools.
phase "install tools (apt)"
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v runc >/dev/null || need+=(runc)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v ruby >/dev/null || need+=(ruby)
command -v vagrant >/dev/null || need+=(vagrant)
command -v iptables >/dev/null || need+=(iptables)
if ((${#need[@]} > 0)); then
  echo "e2e: installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
phase_end

phase "build buildkitd+buildctl"
bkver=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
bkbin=$cache/buildkit-$bkver/bin
if [[ ! -x $bkbin/buildkitd || ! -x $bkbin/buildctl ]]; then
  moddir=$(go mod download -json "github.com/moby/buildkit@$bkver" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  mkdir -p "$bkbin"
  (cd "$moddir" && go build -ldflags "-X github.com/moby/buildkit/version.Version=$bkver" -o "$bkbin/" ./cmd/buildkitd ./cmd/buildctl)
fi
"$bkbin/buildkitd" --version
phase_end

phase "envc"
go build -o "$work/bin/" ./cmd/envc ./cmd/envc-build
phase_end

# 2. The base image, served the way an air-gapped site serves it.
phase "mmdebstrap bookworm"
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}
rootfs=$cache/rootfs/bookworm-minbase.tar
if [[ ! -s $rootfs ]]; then
  mkdir -p "$(dirname "$rootfs")"
  mmdebstrap --quiet --variant=minbase --format=tar bookworm "$rootfs.tmp" "$mirror"
  mv "$rootfs.tmp" "$rootfs"
fi
ls -l "$rootfs"
phase_end

phase "start registry, dockerd, buildkitd"
reg=127.0.0.1:${ENVC_E2E_REGISTRY_PORT:-5000}
if (: </dev/tcp/"${reg%:*}"/"${reg#*:}") 2>/dev/null; then
  echo "e2e: $reg is already taken; set ENVC_E2E_REGISTRY_PORT to a free port" >&2
  exit 1
fi
mkdir -p "$work/registry" "$work/docker" "$work/buildkit" "$work/run"
cat > "$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $reg
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)

dockersock=$work/run/docker.sock
dockerd --data-root "$work/docker" --exec-root "$work/run/docker-exec" --pidfile "$work/run/docker.pid" \
  --host "unix://$dockersock" --registry-mirror "http://$reg" >"$work/dockerd.log" 2>&1 &
pids+=($!)

# No garbage collection: the cache test must find the layers of the build
# before it (BuildKit's default policy prunes by the disk's free space),
# and the state is thrown away at the end anyway.
cat > "$work/buildkitd.toml" <<TOML
[worker.oci]
  gc = false
[registry."docker.io"]
  mirrors = ["$reg"]
[registry."$reg"]
  http = true
TOML
bksock=$work/run/buildkitd.sock
"$bkbin/buildkitd" --config "$work/buildkitd.toml" --root "$work/buildkit" --addr "unix://$bksock" >"$work/buildkitd.log" 2>&1 &
pids+=($!)

export DOCKER_HOST=unix://$dockersock
export BUILDKIT_HOST=unix://$bksock
docker=/usr/bin/docker # Debian's 20.10 client: another docker first on PATH may refuse BuildKit builds
ready() { "$docker" version >/dev/null 2>&1 && [[ -S $bksock ]] && (: </dev/tcp/"${reg%:*}"/"${reg#*:}") 2>/dev/null; }
for _ in $(seq 1 150); do
  if ready; then break; fi
  sleep 0.2
done
if ! ready; then
  echo "e2e: the daemons did not start:" >&2
  tail -n 20 "$work/registry.log" "$work/dockerd.log" "$work/buildkitd.log" >&2
  exit 1
fi
"$docker" version --format 'dockerd {{.Server.Version}}'
"$bkbin/buildctl" --addr "$BUILDKIT_HOST" debug workers
phase_end

phase "push base to the registry"
# As the official image: PATH set, bash as the command.
"$docker" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' "$rootfs" "$reg/library/debian:bookworm" >/dev/null
"$docker" push -q "$reg/library/debian:bookworm"
"$docker" pull -q debian:bookworm
phase_end

# TestBuilders' docker-container:// builder: buildkitd in a container of dockerd.
ENVC_E2E_BUILDKIT_CONTAINER=$(ENVC_E2E_DOCKER=$docker e2e/builders.sh "$work" "$bkbin" "$reg")
export ENVC_E2E_BUILDKIT_CONTAINER

# 3-5. The cases.
phase "go test -tags e2e ./e2e"
export ENVC_E2E_WORK=$work ENVC_E2E_ENVC=$work/bin/envc ENVC_E2E_DOCKER=$docker ENVC_E2E_BUILDCTL=$bkbin/buildctl
set +e
go test -tags e2e -count=1 -timeout 40m -v ${ENVC_E2E_RUN:+-run "$ENVC_E2E_RUN"} ./e2e 2>&1 | tee "$work/test.log" | grep --line-buffered -v '^=== \(RUN\|PAUSE\|CONT\|NAME\)'
rc=${PIPESTATUS[0]}
set -e
phase_end
echo "e2e: wall time of each phase"
cat "$work/timings.txt"
exit "$rc"
