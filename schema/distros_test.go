package schema

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseImageRef(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical; "" means invalid
	}{
		{"ubuntu:20.04", "docker.io/library/ubuntu:20.04"},
		{"ubuntu", "docker.io/library/ubuntu:latest"},
		{"docker.io/library/debian:bookworm", "docker.io/library/debian:bookworm"},
		{"index.docker.io/library/debian:12", "docker.io/library/debian:12"},
		{"opensuse/leap:15.6", "docker.io/opensuse/leap:15.6"},
		{"quay.io/fenicsproject/stable:current", "quay.io/fenicsproject/stable:current"},
		{"localhost:5000/img:1", "localhost:5000/img:1"},
		{"127.0.0.1:5000/library/debian:bookworm", "127.0.0.1:5000/library/debian:bookworm"},
		{"debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{"Ubuntu:20.04", ""},
		{"ubuntu:20.04 ", ""},
		{"ubuntu:", ""},
		{"", ""},
		{"ubuntu:-x", ""},
		{"a b", ""},
		{"ubuntu@sha256:xyz", ""},
		// As strict as Docker's parser (distribution/reference).
		{"Registry/img", "Registry/img:latest"},
		{"a_b.c/img", "a_b.c/img:latest"},
		{"[::1]:5000/img", "[::1]:5000/img:latest"},
		{"debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ""},
		{"ubuntu@md5:0123456789abcdef0123456789abcdef", ""},
		{"ubuntu@sha256:0123456789abcdef0123456789abcdef", ""},
		{"a..b/img", ""},
		{"a_b:5000/img", ""},
		{"foo:bar/img", ""},
		{"a___b", ""},
		{"a._b", ""},
		{"x/", ""},
		{strings.Repeat("a", 248), ""},
	}
	for _, tt := range tests {
		r, ok := ParseImageRef(tt.in)
		got := ""
		if ok {
			got = r.Canonical()
		}
		if got != tt.want {
			t.Errorf("ParseImageRef(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLookupImage(t *testing.T) {
	tests := []struct {
		ref     string
		id, ver string // "" means unknown
		manager string
	}{
		{"ubuntu:20.04", "ubuntu", "20.04", "apt"},
		{"ubuntu:focal", "ubuntu", "20.04", "apt"},
		{"ubuntu:jammy-20240101", "ubuntu", "22.04", "apt"},
		{"debian:bookworm-slim", "debian", "12", "apt"},
		{"debian:12.15", "debian", "12", "apt"},
		{"rockylinux:9.3", "rocky", "9", "dnf"},
		{"rockylinux/rockylinux:9", "rocky", "9", "dnf"},
		{"almalinux:8", "almalinux", "8", "dnf"},
		{"almalinux:9-minimal", "", "", ""},
		{"fedora:43", "fedora", "43", "dnf"},
		{"alpine:3.20", "alpine", "3.20", "apk"},
		{"alpine:3.20.3", "alpine", "3.20", "apk"},
		{"opensuse/leap:15.6", "opensuse-leap", "15.6", "zypper"},
		{"registry.opensuse.org/opensuse/leap:15.6", "opensuse-leap", "15.6", "zypper"},
		{"ubuntu:latest", "", "", ""},
		{"ubuntu", "", "", ""},
		{"quay.io/fenicsproject/stable:current", "", "", ""},
		{"example.com/ubuntu:20.04", "", "", ""},
		{"ubuntu:16.04", "", "", ""},
	}
	for _, tt := range tests {
		r, ok := ParseImageRef(tt.ref)
		if !ok {
			t.Fatalf("ParseImageRef(%q) failed", tt.ref)
		}
		d, ok := LookupImage(r)
		got := [3]string{d.ID, d.Version, d.Manager}
		if !ok {
			got = [3]string{}
		}
		if diff := cmp.Diff([3]string{tt.id, tt.ver, tt.manager}, got); diff != "" {
			t.Errorf("LookupImage(%q) (-want +got):\n%s", tt.ref, diff)
		}
	}
}

func TestLookupOS(t *testing.T) {
	for _, os := range KnownOS() {
		if _, ok := LookupOS(os); !ok {
			t.Errorf("LookupOS(%q) failed for a value KnownOS lists", os)
		}
	}
	if d, ok := LookupOS("debian:bookworm"); !ok || d.Version != "12" {
		t.Errorf("LookupOS(debian:bookworm) = %+v, %v", d, ok)
	}
	if _, ok := LookupOS("gentoo:1"); ok {
		t.Errorf("LookupOS(gentoo:1) succeeded")
	}
}

func TestCatalogueBoxes(t *testing.T) {
	for _, d := range Distros() {
		if d.Manager == "" || d.Family == "" {
			t.Errorf("%s %s: incomplete entry %+v", d.ID, d.Version, d)
		}
	}
}
