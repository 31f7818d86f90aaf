package builder

// The connection helpers of BuildKit's client: with them, client.New
// reaches a daemon through docker exec (docker-container://NAME), kubectl
// exec (kube-pod://NAME), podman exec, nerdctl exec or ssh
// (ssh://USER@HOST), each running `buildctl dial-stdio` beside the
// daemon, as buildctl and buildx do.
import (
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"
)
