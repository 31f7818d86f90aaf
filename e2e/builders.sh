#!/usr/bin/env bash
# Starts a BuildKit daemon in a container of the suite's dockerd, for the
# docker-container:// case of TestBuilders (builders_test.go):
#
#   e2e/builders.sh WORK BUILDKIT_BIN REGISTRY
#
# No registry serves moby/buildkit here, so the image is made from the
# suite's Debian base with the buildkitd and buildctl the suite built and
# the host's runc (buildctl dial-stdio, which envc's connection runs
# through docker exec, must be in the container). The container runs
# with every capability on the host's network (the loopback registry is the docker.io
# mirror), its state in a volume (overlayfs does not stack on the
# container's own). It goes with the dockerd that run.sh stops. Prints the
# container's name.
set -euo pipefail
work=$1 bkbin=$2 reg=$3
docker=${ENVC_E2E_DOCKER:-/usr/bin/docker}
name=envc-e2e-buildkitd
ctx=$work/builder-image
mkdir -p "$ctx"
cp "$bkbin/buildkitd" "$bkbin/buildctl" "$(command -v runc)" "$ctx/"
cat > "$ctx/buildkitd.toml" <<TOML
[worker.oci]
  gc = false
[registry."docker.io"]
  mirrors = ["$reg"]
[registry."$reg"]
  http = true
TOML
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM debian:bookworm
COPY buildkitd buildctl runc /usr/local/bin/
COPY buildkitd.toml /etc/buildkit/buildkitd.toml
VOLUME /var/lib/buildkit
ENTRYPOINT ["buildkitd"]
DOCKERFILE
DOCKER_BUILDKIT=1 "$docker" build -q -t envc-e2e/buildkitd "$ctx" >/dev/null
"$docker" rm -f "$name" >/dev/null 2>&1 || true
# Privileged, but for the one capability root lacks on these machines
# (CAP_SYS_RESOURCE): --privileged would ask for it and fail. The cgroup
# file system is the host's, writable, as --privileged would give it (runc
# in the container makes the build steps' cgroups there).
"$docker" run -d --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined \
  --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
  -v /sys/fs/cgroup:/sys/fs/cgroup --network host --name "$name" envc-e2e/buildkitd >/dev/null
for _ in $(seq 1 100); do
  if "$docker" exec "$name" buildctl debug workers >/dev/null 2>&1; then
    echo "$name"
    exit 0
  fi
  sleep 0.2
done
echo "e2e: the buildkitd container did not start:" >&2
"$docker" logs "$name" 2>&1 | tail -n 20 >&2
exit 1
