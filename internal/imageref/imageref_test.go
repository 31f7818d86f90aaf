package imageref

import (
	// go-digest accepts a digest algorithm only when its hash is linked in;
	// link all three so that the reference parser accepts what Docker does.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

const (
	hex64  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	hex96  = hex64 + "0123456789abcdef0123456789abcdef"
	hex128 = hex64 + hex64
)

func TestParse(t *testing.T) {
	tests := []struct {
		in                        string
		domain, path, tag, digest string
		canonical                 string
	}{
		{"ubuntu", "docker.io", "library/ubuntu", "latest", "", "docker.io/library/ubuntu:latest"},
		{"ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", "", "docker.io/library/ubuntu:22.04"},
		{"docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", "", "docker.io/library/ubuntu:latest"},
		{"index.docker.io/x", "docker.io", "library/x", "latest", "", "docker.io/library/x:latest"},
		{"index.docker.io/library/debian:12", "docker.io", "library/debian", "12", "", "docker.io/library/debian:12"},
		{"opensuse/leap:15.6", "docker.io", "opensuse/leap", "15.6", "", "docker.io/opensuse/leap:15.6"},
		{"quay.io/org/image:1.0", "quay.io", "org/image", "1.0", "", "quay.io/org/image:1.0"},
		{"quay.io/image", "quay.io", "image", "latest", "", "quay.io/image:latest"},
		{"localhost/x", "localhost", "x", "latest", "", "localhost/x:latest"},
		{"localhost:5000/img:1", "localhost:5000", "img", "1", "", "localhost:5000/img:1"},
		{"localhost", "docker.io", "library/localhost", "latest", "", "docker.io/library/localhost:latest"},
		{"localhost:5000", "docker.io", "library/localhost", "5000", "", "docker.io/library/localhost:5000"},
		{"127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest", "", "127.0.0.1:5000/a/b:latest"},
		{"[::1]/x", "[::1]", "x", "latest", "", "[::1]/x:latest"},
		{"[2001:db8::1]:5000/x:t", "[2001:db8::1]:5000", "x", "t", "", "[2001:db8::1]:5000/x:t"},
		{"Registry/x", "Registry", "x", "latest", "", "Registry/x:latest"},
		{"a_b.c/foo", "", "a_b.c/foo", "latest", "", "a_b.c/foo:latest"},
		{"a__b/c--d/e.f_g", "docker.io", "a__b/c--d/e.f_g", "latest", "", "docker.io/a__b/c--d/e.f_g:latest"},
		{"debian@sha256:" + hex64, "docker.io", "library/debian", "", "sha256:" + hex64, "docker.io/library/debian@sha256:" + hex64},
		{"debian:12@sha256:" + hex64, "docker.io", "library/debian", "12", "sha256:" + hex64, "docker.io/library/debian:12@sha256:" + hex64},
		{"x/y@sha384:" + hex96, "docker.io", "x/y", "", "sha384:" + hex96, "docker.io/x/y@sha384:" + hex96},
		{"x/y@sha512:" + hex128, "docker.io", "x/y", "", "sha512:" + hex128, "docker.io/x/y@sha512:" + hex128},
		{"docker.io/" + hex64, "docker.io", "library/" + hex64, "latest", "", "docker.io/library/" + hex64 + ":latest"},
		{strings.Repeat("a", 247), "docker.io", "library/" + strings.Repeat("a", 247), "latest", "", "docker.io/library/" + strings.Repeat("a", 247) + ":latest"},
		{"x:" + strings.Repeat("t", 128), "docker.io", "library/x", strings.Repeat("t", 128), "", "docker.io/library/x:" + strings.Repeat("t", 128)},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		want := Ref{Domain: tt.domain, Path: tt.path, Tag: tt.tag, Digest: tt.digest}
		if r != want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, r, want)
		}
		if got := r.Canonical(); got != tt.canonical {
			t.Errorf("Parse(%q).Canonical() = %q, want %q", tt.in, got, tt.canonical)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "empty image reference"},
		{"ubuntu ", `invalid character " "`},
		{"ubüntu", `invalid character 'ü'`},
		{hex64, "64 hex digits read as an image ID, not a repository name"},
		{"Ubuntu", `repository name must be lowercase: "Ubuntu"`},
		{"org/Image:1", `repository name must be lowercase: "Image"`},
		{"a___b", `invalid repository name component "a___b": lowercase letters and digits, joined by '.', '_', '__' or dashes`},
		{"x/", `empty component in repository name "x/"`},
		{"a_b:5000/x", `invalid registry "a_b:5000"`},
		{"-a.com/x", `invalid registry "-a.com"`},
		{"[::1]:/x", `invalid registry "[::1]:"`},
		{strings.Repeat("a", 248), "repository name longer than 255 characters"},
		{"ubuntu:", "empty tag after ':'"},
		{"ubuntu:-x", `invalid tag "-x": letters, digits, '_', '.' and '-', not starting with '.' or '-'`},
		{"x:" + strings.Repeat("t", 129), "tag longer than 128 characters"},
		{"ubuntu@", "empty digest after '@'"},
		{"ubuntu@md5:" + hex64[:32], `invalid digest "md5:0123456789abcdef0123456789abcdef": want sha256:, sha384: or sha512: and hex digits`},
		{"ubuntu@sha256:xyz", `invalid digest "sha256:xyz": sha256 wants 64 lowercase hex digits`},
		{"ubuntu@sha256:" + strings.ToUpper(hex64), `invalid digest "sha256:` + strings.ToUpper(hex64) + `": sha256 wants 64 lowercase hex digits`},
	}
	for _, tt := range tests {
		r, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %+v, want error %q", tt.in, r, tt.err)
			continue
		}
		if err.Error() != tt.err {
			t.Errorf("Parse(%q): error %q, want %q", tt.in, err, tt.err)
		}
	}
}

// seeds returns the differential test's corpus: names crossed with tags
// and digests, most of them at an edge of the grammar.
func seeds() []string {
	names := []string{
		"ubuntu", "Ubuntu", "UBUNTU", "uBuntu", "library/ubuntu", "Library/ubuntu",
		"docker.io/ubuntu", "docker.io/library/ubuntu", "docker.io/Ubuntu", "docker.io/a/b/c",
		"index.docker.io/x", "index.docker.io/library/x", "index.docker.io/a/b", "index.docker.io",
		"index.docker.io/", "docker.io", "docker.io/", "registry-1.docker.io/x",
		"localhost", "localhost/x", "localhost/x/y", "localhost:5000/x", "localhost:/x",
		"LOCALHOST/x", "Localhost/x", "localhost.localdomain/x",
		"quay.io/org/image", "quay.io/image", "Quay.io/x", "QUAY.IO/X", "gcr.io/a-b/c_d/e.f",
		"Foo/bar", "FOO/bar", "Foo/Bar", "fOO/bar/baz", "Foo_x/bar", "Foo-/bar", "F/b",
		"a_b.c/foo", "a_b.c/Foo", "a__b.c/foo", "a_b.c:5000/foo", "a-b.c/foo", "_a.b/foo",
		"a.b.c/d/e/f", "a.b.c/d/e/f/", "example.com/x", "example.com:5000/x", "example.com:0/x",
		"example.com:65536/x", "example.com:abc/x", "example.com:/x", "example.com::5000/x",
		"127.0.0.1/x", "127.0.0.1:5000/x", "1.2.3.4.5/x", "256.1.1.1/x", "0/x", "0.0/x",
		"[::1]/x", "[::1]:5000/x", "[::1]", "[::1]:5000", "[2001:db8::1]/x", "[2001:DB8::1]/x",
		"[fe80::1%eth0]/x", "[::ffff:1.2.3.4]/x", "[]/x", "[:]/x", "[::1]:/x", "[::1]x/x",
		"[::1/x", "::1]/x", "[[::1]]/x", "[g::1]/x", "[::1]:5000:1/x", "[::1].com/x",
		"a:/x", "a:b/x", "a:5000/x", "a::1/x", "a:5000:6000/x", ":5000/x", ":/x",
		"-a.com/x", "a-.com/x", "a--b.com/x", "a..com/x", ".com/x", "com./x", "a.-b.com/x",
		"xn--bcher-kva.example/x", "a.b_c.com/x",
		"a__b", "a___b", "a____b", "a_b_c", "a---b", "a-b", "a.b", "a..b", "a._b", "a_.b",
		"a.-b", "a-.b", "a-_b", "a_-b", "a__.b", "a-", "-a", "a.", ".a", "_a", "a_", "a__",
		"a/b/c/d/e/f/g", "x/", "/x", "x//y", "//", "/", "", " ", "a b", " a", "a ", "a\tb",
		"a\nb", "a\x00b", "ümlaut", "é/x", "x/é", "ubuntu\u200b", "ｕbuntu", "\xff",
		"a@b.c/foo", "a@b/c", "a#b", "a%b", "a+b", "a=b", "a,b", "a;b", "a?b", "a*b",
		"foo:5000", "foo:bar/baz", "foo:5000/bar", "ubuntu:22.04/x", "ubuntu:2204/x",
		strings.Repeat("a", 247), strings.Repeat("a", 248), strings.Repeat("a", 255),
		strings.Repeat("a", 256), "x/" + strings.Repeat("a", 253), "x/" + strings.Repeat("a", 254),
		"example.com/" + strings.Repeat("a", 255), "example.com/" + strings.Repeat("a", 256),
		"a_b.c/" + strings.Repeat("a", 249), "a_b.c/" + strings.Repeat("a", 250),
		strings.Repeat("a.", 127) + "a/x", strings.Repeat("a", 300) + ".com/x",
		hex64, hex64[:63], hex64 + "0", strings.ToUpper(hex64), "docker.io/" + hex64,
		"library/" + hex64, "sha256:" + hex64, hex64 + "/x", "x/" + hex64,
	}
	suffixes := []string{
		"", ":22.04", ":latest", ":", ":-x", ":.x", ":_x", ":X", ":a.b-c_d", ":x:y",
		":" + strings.Repeat("t", 128), ":" + strings.Repeat("t", 129), ":ta g", ":tä",
		"@sha256:" + hex64, "@sha256:" + hex64[:63], "@sha256:" + hex64 + "0",
		"@sha256:" + strings.ToUpper(hex64), "@SHA256:" + hex64, "@sha384:" + hex96,
		"@sha512:" + hex128, "@sha512:" + hex64, "@md5:" + hex64[:32], "@sha256+b64:" + hex64,
		"@", "@sha256:", "@:" + hex64, "@sha256" + hex64, ":tag@sha256:" + hex64, ":tag@",
		":@sha256:" + hex64, "@sha256:" + hex64 + "@x", "@sha256:" + hex64 + ":x",
		":tag@sha256:" + hex64 + "/x", "/", "//x",
	}
	var out []string
	for _, n := range names {
		for _, s := range suffixes {
			out = append(out, n+s)
		}
	}
	return out
}

// differ reports how Parse disagrees with distribution/reference about s,
// or "" when they agree.
func differ(s string) string {
	r, err := Parse(s)
	named, refErr := reference.ParseNormalizedNamed(s)
	switch {
	case err != nil && refErr != nil:
		return ""
	case err != nil:
		return "refused (" + err.Error() + "), reference accepts " + reference.TagNameOnly(named).String()
	case refErr != nil:
		return "accepted as " + r.Canonical() + ", reference refuses: " + refErr.Error()
	}
	want := reference.TagNameOnly(named).String()
	if got := r.Canonical(); got != want {
		return "canonical " + got + ", reference " + want
	}
	if d, p := reference.Domain(named), reference.Path(named); r.Domain != d || r.Path != p {
		return "domain " + r.Domain + " path " + r.Path + ", reference domain " + d + " path " + p
	}
	// The canonical form parses to itself.
	if again, err := Parse(r.Canonical()); err != nil || again != r {
		return "canonical " + r.Canonical() + " does not parse back"
	}
	return ""
}

// TestDifferential checks that Parse accepts exactly what Docker's
// reference parser accepts, and normalises it the same.
func TestDifferential(t *testing.T) {
	accepted := 0
	for _, s := range seeds() {
		if d := differ(s); d != "" {
			t.Errorf("%q: %s", s, d)
		}
		if _, err := Parse(s); err == nil {
			accepted++
		}
	}
	t.Logf("%d inputs, %d accepted", len(seeds()), accepted)
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := differ(s); d != "" {
			t.Errorf("%q: %s", s, d)
		}
	})
}
