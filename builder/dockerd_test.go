package builder

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEngine serves the few Engine API requests envc makes on a unix
// socket: /_ping, the upgrades of /grpc and /session (after which it
// echoes what it reads, prefixed by the upgrade's protocol), /images/load
// and /images/NAME/push.
func fakeEngine(t *testing.T) (addr string, loaded *strings.Builder, pushed *[]string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	loaded = &strings.Builder{}
	pushed = &[]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_ping", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "OK") })
	upgrade := func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Connection") != "Upgrade" || r.Header.Get("Upgrade") == "" {
			http.Error(w, `{"message":"not an upgrade"}`, http.StatusBadRequest)
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		proto := r.Header.Get("Upgrade") + " " + r.Header.Get("X-Docker-Expose-Session-Uuid")
		// The first bytes of the stream come with the 101, as an Engine
		// may send them.
		buf.WriteString("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: " + r.Header.Get("Upgrade") + "\r\n\r\n" + proto + ":")
		buf.Flush()
		line, _ := buf.ReadString('\n')
		io.WriteString(conn, line)
	}
	mux.HandleFunc("POST /grpc", upgrade)
	mux.HandleFunc("POST /session", upgrade)
	mux.HandleFunc("POST /images/load", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		loaded.Write(b)
		if string(b) == "bad" {
			io.WriteString(w, `{"errorDetail":{"message":"invalid tar header"},"error":"invalid tar header"}`)
			return
		}
		io.WriteString(w, `{"stream":"Loaded image: env:latest\n"}`)
	})
	mux.HandleFunc("POST /images/{name...}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Registry-Auth") == "" {
			http.Error(w, `{"message":"no auth header"}`, http.StatusBadRequest)
			return
		}
		*pushed = append(*pushed, strings.TrimSuffix(r.PathValue("name"), "/push")+" tag="+r.URL.Query().Get("tag"))
		io.WriteString(w, `{"status":"pushed"}`)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + sock, loaded, pushed
}

func TestDockerEngine(t *testing.T) {
	addr, loaded, pushed := fakeEngine(t)
	ep, err := ResolveEndpoint("", []string{"DOCKER_HOST=" + addr})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ep.reachable(ctx); err != nil {
		t.Fatal(err)
	}
	d := ep.docker
	for _, path := range []string{"/grpc", "/session"} {
		conn, err := d.hijack(ctx, path, "h2c", map[string][]string{"X-Docker-Expose-Session-Uuid": {"u1"}})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		io.WriteString(conn, "hello\n")
		got, err := bufio.NewReader(conn).ReadString('\n')
		conn.Close()
		if err != nil || got != "h2c u1:hello\n" {
			t.Errorf("%s: read %q, %v; want the bytes sent with the 101, then the echo", path, got, err)
		}
	}
	// A load streams the archive and waits for the Engine's verdict.
	w := d.loader(ctx)
	io.WriteString(w, "image tar")
	if err := w.Close(); err != nil || loaded.String() != "image tar" {
		t.Errorf("load: %v, the Engine got %q", err, loaded.String())
	}
	w = d.loader(ctx)
	io.WriteString(w, "bad")
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "invalid tar header") {
		t.Errorf("a failed load: %v, want the Engine's error", err)
	}
	if err := d.pushImage(ctx, "registry.example:5000/group/env:1"); err != nil {
		t.Fatal(err)
	}
	if want := "registry.example:5000/group/env tag=1"; len(*pushed) != 1 || (*pushed)[0] != want {
		t.Errorf("pushed %q, want %q", *pushed, want)
	}
}

// An address where nothing listens is blamed, as the address, at once.
func TestUnreachable(t *testing.T) {
	missing := "unix://" + filepath.Join(t.TempDir(), "none.sock")
	for _, tc := range []struct {
		flag    string
		environ []string
		want    string
	}{
		{missing, nil, "nothing listens at " + missing + " (--addr): no such file or directory"},
		{"", []string{"DOCKER_HOST=" + missing}, "nothing answers as Docker Engine at " + missing + " (DOCKER_HOST)"},
	} {
		ep, err := ResolveEndpoint(tc.flag, tc.environ)
		if err != nil {
			t.Fatal(err)
		}
		if err := ep.reachable(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %v, want %q", tc.flag, tc.environ, err, tc.want)
		}
	}
}
