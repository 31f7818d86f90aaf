package builder

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Endpoint is where a build runs: a BuildKit daemon at an address
// BuildKit's client reaches, or the builder built into Docker Engine.
type Endpoint struct {
	// Addr is the address as given or found.
	Addr string
	// From says where Addr came from, for messages: "--addr",
	// "BUILDKIT_HOST", "DOCKER_HOST", "Docker Engine's local socket" or
	// "the default buildkitd socket".
	From string
	// docker is Docker Engine's API when the builder is Docker Engine's
	// own (buildx's "docker" driver).
	docker *dockerEngine
}

// Docker reports whether the builder is Docker Engine's own: its results
// go straight into the Engine's image store.
func (e Endpoint) Docker() bool { return e.docker != nil }

func (e Endpoint) String() string {
	s := e.Addr
	if e.docker != nil && !strings.HasPrefix(s, "docker") {
		s = "Docker Engine at " + s
	}
	return s + " (" + e.From + ")"
}

// The address forms envc build takes, for messages.
const addrForms = "unix:///PATH, tcp://HOST:PORT, docker-container://NAME, podman-container://NAME, " +
	"nerdctl-container://NAME, kube-pod://NAME, ssh://USER@HOST, or docker (Docker Engine's own builder, at " +
	"$DOCKER_HOST or its local socket), docker+unix:///PATH, docker+tcp://HOST:PORT"

// ResolveEndpoint chooses the builder, the way buildx finds one:
//
//   - --addr (flag), when given;
//   - else BUILDKIT_HOST;
//   - else Docker Engine's own builder at DOCKER_HOST, when set;
//   - else a buildkitd at its standard socket, when there is one;
//   - else Docker Engine's own builder at its local socket, when there is
//     one;
//   - else the standard buildkitd socket (where the error then looks).
//
// An address envc cannot reach by its form is an error naming the forms;
// whether anything answers there is Connect's business.
func ResolveEndpoint(flag string, environ []string) (Endpoint, error) {
	switch {
	case flag != "":
		return parseEndpoint(flag, "--addr", environ)
	case getenv(environ, "BUILDKIT_HOST") != "":
		return parseEndpoint(getenv(environ, "BUILDKIT_HOST"), "BUILDKIT_HOST", environ)
	case getenv(environ, "DOCKER_HOST") != "":
		return dockerEndpoint(getenv(environ, "DOCKER_HOST"), "DOCKER_HOST", environ)
	case socketExists(DefaultAddr):
		return Endpoint{Addr: DefaultAddr, From: "the default buildkitd socket"}, nil
	case socketExists(DockerSocket):
		return dockerEndpoint(DockerSocket, "Docker Engine's local socket", environ)
	}
	return Endpoint{Addr: DefaultAddr, From: "the default buildkitd socket"}, nil
}

// socketExists reports whether the unix:// address names a socket.
func socketExists(addr string) bool {
	st, err := os.Stat(strings.TrimPrefix(addr, "unix://"))
	return err == nil && st.Mode()&os.ModeSocket != 0
}

// parseEndpoint checks the form of addr.
func parseEndpoint(addr, from string, environ []string) (Endpoint, error) {
	if addr == "docker" {
		host := getenv(environ, "DOCKER_HOST")
		if host == "" {
			host = DockerSocket
		}
		ep, err := dockerEndpoint(host, from, environ)
		ep.Addr = "docker"
		return ep, err
	}
	if rest, ok := strings.CutPrefix(addr, "docker+"); ok {
		return dockerEndpoint(rest, from, environ)
	}
	u, err := url.Parse(addr)
	if err != nil || u.Scheme == "" {
		return Endpoint{}, fmt.Errorf("%s %q is not a builder address: write %s", from, addr, addrForms)
	}
	ep := Endpoint{Addr: addr, From: from}
	switch u.Scheme {
	case "unix":
		if u.Path == "" {
			return Endpoint{}, fmt.Errorf("%s %q names no socket: write unix:///PATH (three slashes for an absolute path)", from, addr)
		}
	case "tcp":
		if u.Hostname() == "" || u.Port() == "" {
			return Endpoint{}, fmt.Errorf("%s %q needs a host and a port: tcp://HOST:PORT", from, addr)
		}
	case "docker-container", "podman-container", "nerdctl-container", "kube-pod":
		if u.Hostname() == "" {
			return Endpoint{}, fmt.Errorf("%s %q names no container or pod: %s://NAME", from, addr, u.Scheme)
		}
	case "ssh":
		if u.Hostname() == "" {
			return Endpoint{}, fmt.Errorf("%s %q names no host: ssh://USER@HOST", from, addr)
		}
	default:
		return Endpoint{}, fmt.Errorf("%s %q: envc build cannot reach a builder by %s://; write %s", from, addr, u.Scheme, addrForms)
	}
	return ep, nil
}

// dockerEndpoint is Docker Engine's own builder at host (a DOCKER_HOST
// value).
func dockerEndpoint(host, from string, environ []string) (Endpoint, error) {
	cfg, err := dockerTLS(environ)
	if err != nil {
		return Endpoint{}, err
	}
	d, err := newDockerEngine(host, cfg)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s %q: %v", from, host, err)
	}
	return Endpoint{Addr: host, From: from, docker: d}, nil
}

// reachable checks that something listens at a unix:// or tcp:// address
// before BuildKit's client, which would retry until its deadline, is
// given it: a wrong address is then blamed at once, as the address.
// Other forms (a command run beside the daemon) are checked by the first
// call.
func (e Endpoint) reachable(ctx context.Context) error {
	if e.docker != nil {
		if err := e.docker.ping(ctx); err != nil {
			return fmt.Errorf("nothing answers as Docker Engine at %s (%s): %w (check the address, or that dockerd runs)", e.docker.addr, e.From, plainNetError(err))
		}
		return nil
	}
	u, err := url.Parse(e.Addr)
	if err != nil {
		return err
	}
	network, target := "", ""
	switch u.Scheme {
	case "unix":
		network, target = "unix", u.Path
	case "tcp":
		network, target = "tcp", u.Host
	default:
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, target)
	if err != nil {
		return fmt.Errorf("nothing listens at %s: %w (check the address; start buildkitd there, or choose another builder with --addr or BUILDKIT_HOST)", e, plainNetError(err))
	}
	conn.Close()
	return nil
}

// plainNetError drops the dial's wrapping ("dial unix /x: connect: ...")
// down to its cause.
func plainNetError(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}
