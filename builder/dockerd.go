package builder

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DockerSocket is Docker Engine's local socket.
const DockerSocket = "unix:///var/run/docker.sock"

// dockerEngine is Docker Engine's API, reached at its socket or a tcp://
// address. Its built-in BuildKit is dialled as buildx's "docker" driver
// does: an HTTP upgrade of POST /grpc (h2c) for BuildKit's control API and
// of POST /session for the session; images are loaded and pushed through
// the Engine API. Only the few requests envc needs are written here, so
// that no Docker client library is linked.
type dockerEngine struct {
	// addr is the address as given (unix:///PATH or tcp://HOST:PORT).
	addr            string
	network, target string
	tls             *tls.Config
}

// newDockerEngine reads a Docker Engine address: unix:///PATH or
// tcp://HOST:PORT (with TLS when tlsConfig is not nil).
func newDockerEngine(addr string, tlsConfig *tls.Config) (*dockerEngine, error) {
	u, err := url.Parse(addr)
	if err != nil {
		return nil, err
	}
	d := &dockerEngine{addr: addr, tls: tlsConfig}
	switch u.Scheme {
	case "unix":
		d.network, d.target = "unix", u.Path
		if u.Path == "" {
			return nil, errors.New("a unix:// address needs the socket's path, e.g. unix:///var/run/docker.sock")
		}
	case "tcp":
		d.network, d.target = "tcp", u.Host
		if u.Port() == "" {
			d.target = net.JoinHostPort(u.Hostname(), "2375")
			if tlsConfig != nil {
				d.target = net.JoinHostPort(u.Hostname(), "2376")
			}
		}
	default:
		return nil, fmt.Errorf("envc reaches Docker Engine at unix:///PATH or tcp://HOST:PORT, not %s://", u.Scheme)
	}
	return d, nil
}

// dockerTLS returns the TLS settings of a tcp:// Docker Engine from
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem, as
// the docker command reads them), or nil without DOCKER_TLS_VERIFY.
func dockerTLS(environ []string) (*tls.Config, error) {
	if getenv(environ, "DOCKER_TLS_VERIFY") == "" {
		return nil, nil
	}
	dir := getenv(environ, "DOCKER_CERT_PATH")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".docker")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, fmt.Errorf("DOCKER_TLS_VERIFY is set: %w", err)
	}
	cfg.RootCAs = x509.NewCertPool()
	if !cfg.RootCAs.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("%s holds no certificate", filepath.Join(dir, "ca.pem"))
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		return nil, fmt.Errorf("DOCKER_TLS_VERIFY is set: %w", err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	return cfg, nil
}

func getenv(environ []string, name string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(environ[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// dial opens a connection to the Engine.
func (d *dockerEngine) dial(ctx context.Context) (net.Conn, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, d.network, d.target)
	if err != nil {
		return nil, err
	}
	if d.tls == nil {
		return conn, nil
	}
	cfg := d.tls.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(d.target)
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// httpClient is an HTTP client whose every request goes to the Engine.
func (d *dockerEngine) httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return d.dial(ctx) },
	}}
}

// engineURL is the URL of an Engine API path (the host is not used: every
// connection goes to the Engine).
func engineURL(path string) string { return "http://docker" + path }

// ping checks that the Engine answers (GET /_ping) within a few seconds.
func (d *dockerEngine) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, engineURL("/_ping"), nil)
	if err != nil {
		return err
	}
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_ping answered %s: is this Docker Engine?", resp.Status)
	}
	return nil
}

// hijack sends POST path asking to upgrade the connection to proto (with
// the headers meta, the session's) and returns the connection once the
// Engine agreed (101 Switching Protocols): BuildKit's gRPC then runs over
// it.
func (d *dockerEngine) hijack(ctx context.Context, path, proto string, meta map[string][]string) (net.Conn, error) {
	conn, err := d.dial(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, engineURL(path), nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", proto)
	for k, vs := range meta {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		conn.Close()
		return nil, fmt.Errorf("POST %s: Docker Engine answered %s: %s", path, resp.Status, engineMessage(body))
	}
	conn.SetDeadline(time.Time{})
	return &bufferedConn{Conn: conn, r: br}, nil
}

// bufferedConn is a connection whose first bytes were read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite half-closes a connection that can, as gRPC's dialers expect
// of a hijacked stream.
func (c *bufferedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// engineMessage returns the message of an Engine API error body
// ({"message": "..."}), or the body.
func engineMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	return strings.TrimSpace(string(body))
}

// loadImage sends the image tar (docker save's format, BuildKit's
// type=docker output) read from r to the Engine (POST /images/load) and
// returns what it said it loaded.
func (d *dockerEngine) loadImage(ctx context.Context, r io.Reader) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, engineURL("/images/load?quiet=1"), r)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return "", fmt.Errorf("loading the image into Docker Engine: %s: %s", resp.Status, engineMessage(body))
	}
	return readJSONMessages(resp.Body)
}

// pushImage pushes name from the Engine's image store to its registry
// (POST /images/NAME/push), with the credentials the Engine has.
func (d *dockerEngine) pushImage(ctx context.Context, name string) error {
	repo, tag := name, ""
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		repo, tag = name[:i], name[i+1:]
	}
	q := url.Values{}
	if tag != "" {
		q.Set("tag", tag)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, engineURL("/images/"+repo+"/push?"+q.Encode()), nil)
	if err != nil {
		return err
	}
	// The Engine wants an auth header; an empty one uses no credentials
	// (or a registry that needs none).
	req.Header.Set("X-Registry-Auth", base64.URLEncoding.EncodeToString([]byte("{}")))
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("pushing %s: %s: %s", name, resp.Status, engineMessage(body))
	}
	_, err = readJSONMessages(resp.Body)
	if err != nil {
		return fmt.Errorf("pushing %s: %w", name, err)
	}
	return nil
}

// readJSONMessages reads the Engine's stream of JSON messages: the first
// error in it, else the last "stream" text.
func readJSONMessages(r io.Reader) (string, error) {
	dec := json.NewDecoder(r)
	last := ""
	for {
		var m struct {
			Stream      string `json:"stream"`
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return last, nil
		} else if err != nil {
			return last, err
		}
		if m.Error != "" {
			return last, errors.New(m.Error)
		}
		if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
			return last, errors.New(m.ErrorDetail.Message)
		}
		if s := strings.TrimSpace(m.Stream); s != "" {
			last = s
		}
	}
}

// localEngine is the Docker Engine a --load on another builder loads
// into: DOCKER_HOST, else the local socket.
func localEngine(environ []string) (*dockerEngine, error) {
	host := getenv(environ, "DOCKER_HOST")
	if host == "" {
		host = DockerSocket
	}
	cfg, err := dockerTLS(environ)
	if err != nil {
		return nil, err
	}
	d, err := newDockerEngine(host, cfg)
	if err != nil {
		return nil, fmt.Errorf("--load loads into Docker Engine at DOCKER_HOST %q: %w", host, err)
	}
	return d, nil
}

// loader returns a writer whose bytes (a docker archive) are loaded into
// the Engine as they come; Close waits for the Engine to finish and
// returns its error.
func (d *dockerEngine) loader(ctx context.Context) io.WriteCloser {
	pr, pw := io.Pipe()
	l := &loadWriter{pw: pw, done: make(chan error, 1)}
	go func() {
		_, err := d.loadImage(ctx, pr)
		pr.CloseWithError(err) // the exporter stops on a failed load
		l.done <- err
	}()
	return l
}

type loadWriter struct {
	pw   *io.PipeWriter
	done chan error
}

func (l *loadWriter) Write(p []byte) (int, error) { return l.pw.Write(p) }

func (l *loadWriter) Close() error {
	l.pw.Close()
	if err := <-l.done; err != nil {
		return fmt.Errorf("loading into Docker Engine: %w", err)
	}
	return nil
}
