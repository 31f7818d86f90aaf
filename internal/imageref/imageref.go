package imageref

import (
	"errors"
	"fmt"
	"strings"
)

const (
	// DockerHub is the domain of references that name no registry.
	DockerHub = "docker.io"
	// legacyDockerHub is Docker Hub's old name, written DockerHub.
	legacyDockerHub = "index.docker.io"
	// officialPrefix is the namespace of one-component Docker Hub names.
	officialPrefix = "library/"
	// DefaultTag is the tag of a reference with neither tag nor digest.
	DefaultTag = "latest"

	// MaxPathLen is the most characters a repository path may have.
	MaxPathLen = 255
	// MaxTagLen is the most characters a tag may have.
	MaxTagLen = 128
)

// Ref is a parsed, normalised image reference.
type Ref struct {
	// Domain is the registry, with its port if one was given
	// ("docker.io" for Docker Hub). It is "" only for a reference whose
	// first part has a '.' but is not a host name ("a_b.c/x"); Path then
	// holds the whole name.
	Domain string
	// Path is the repository path ("library/ubuntu" on Docker Hub).
	Path string
	// Tag is the tag; "latest" when neither tag nor digest was given.
	Tag string
	// Digest is "sha256:<hex>" (or sha384, sha512) when one was given.
	Digest string
}

// Name returns the repository name: domain and path.
func (r Ref) Name() string {
	if r.Domain == "" {
		return r.Path
	}
	return r.Domain + "/" + r.Path
}

// Canonical returns the fully qualified reference:
// "docker.io/library/ubuntu:22.04", "name@digest", "name:tag@digest".
// A Ref with neither tag nor digest gets the tag "latest".
func (r Ref) Canonical() string {
	s := r.Name()
	tag := r.Tag
	if tag == "" && r.Digest == "" {
		tag = DefaultTag
	}
	if tag != "" {
		s += ":" + tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// String returns r.Canonical().
func (r Ref) String() string { return r.Canonical() }

// Parse parses s as an image reference and normalises it: a name without
// registry is on Docker Hub ("docker.io"), a one-component Docker Hub
// name is in "library/", and a reference with neither tag nor digest has
// the tag "latest". See the package documentation for the grammar.
func Parse(s string) (Ref, error) {
	if s == "" {
		return Ref{}, errors.New("empty image reference")
	}
	for i := 0; i < len(s); i++ {
		if !refChar(s[i]) {
			return Ref{}, fmt.Errorf("invalid character %s", quoteByte(s, i))
		}
	}
	if isImageID(s) {
		return Ref{}, errors.New("64 hex digits read as an image ID, not a repository name")
	}

	// The registry: the first part, when it looks like a host.
	var r Ref
	var rest string
	first, after, found := strings.Cut(s, "/")
	switch {
	case !found:
		r.Domain, rest = DockerHub, s
	case first == "localhost":
		r.Domain, rest = first, after
	case first == legacyDockerHub:
		r.Domain, rest = DockerHub, after
	case strings.ContainsAny(first, ".:") || hasUpper(first):
		r.Domain, rest = first, after
	default:
		r.Domain, rest = DockerHub, s
	}
	if r.Domain == DockerHub && !strings.Contains(rest, "/") {
		rest = officialPrefix + rest
	}

	name, digest, hasDigest := strings.Cut(rest, "@")
	path, tag, hasTag := strings.Cut(name, ":")

	if !validDomain(r.Domain) {
		if !validComponent(r.Domain) {
			return Ref{}, fmt.Errorf("invalid registry %q", r.Domain)
		}
		// Not a host, but a valid first path component: Docker reads
		// the whole name as a path without registry.
		path = r.Domain + "/" + path
		r.Domain = ""
	}
	if err := checkPath(path); err != nil {
		return Ref{}, err
	}
	r.Path = path

	if hasTag {
		if err := checkTag(tag); err != nil {
			return Ref{}, err
		}
		r.Tag = tag
	}
	if hasDigest {
		if err := checkDigest(digest); err != nil {
			return Ref{}, err
		}
		r.Digest = digest
	}
	if !hasTag && !hasDigest {
		r.Tag = DefaultTag
	}
	return r, nil
}

// refChar reports whether c may appear somewhere in a reference.
func refChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == ':' || c == '@' || c == '[' || c == ']'
}

func quoteByte(s string, i int) string {
	if s[i] < 0x80 {
		return fmt.Sprintf("%q", s[i:i+1])
	}
	// The whole character when s is valid UTF-8 there.
	for _, r := range s[i:] {
		return fmt.Sprintf("%q", r)
	}
	return ""
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
func isAlnum(c byte) bool      { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isHex(c byte) bool        { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isLowerHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' }

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// isImageID reports whether s is 64 lowercase hex digits.
func isImageID(s string) bool {
	return len(s) == 64 && all(s, isLowerHex)
}

// validDomain reports whether d is host[:port], the host a domain name
// or a bracketed IPv6 address.
func validDomain(d string) bool {
	host, port, hasPort := d, "", false
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 {
			return false
		}
		addr := d[1:end]
		if addr == "" || !all(addr, func(c byte) bool { return isHex(c) || c == ':' }) {
			return false
		}
		switch tail := d[end+1:]; {
		case tail == "":
		case tail[0] == ':':
			port, hasPort = tail[1:], true
		default:
			return false
		}
	} else {
		host, port, hasPort = strings.Cut(d, ":")
		for label := range strings.SplitSeq(host, ".") {
			if !validLabel(label) {
				return false
			}
		}
	}
	return !hasPort || port != "" && all(port, isDigit)
}

// validLabel reports whether l is letters, digits and inner dashes.
func validLabel(l string) bool {
	if l == "" || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) {
		return false
	}
	return all(l, func(c byte) bool { return isAlnum(c) || c == '-' })
}

// validComponent reports whether c is runs of lowercase letters and
// digits joined by ".", "_", "__" or any number of dashes.
func validComponent(c string) bool {
	i := 0
	for {
		start := i
		for i < len(c) && isLowerAlnum(c[i]) {
			i++
		}
		if i == start {
			return false
		}
		if i == len(c) {
			return true
		}
		switch c[i] {
		case '.':
			i++
		case '_':
			i++
			if i < len(c) && c[i] == '_' {
				i++
			}
		case '-':
			for i < len(c) && c[i] == '-' {
				i++
			}
		default:
			return false
		}
	}
}

func checkPath(path string) error {
	for c := range strings.SplitSeq(path, "/") {
		switch {
		case validComponent(c):
		case c == "":
			return fmt.Errorf("empty component in repository name %q", path)
		case validComponent(strings.ToLower(c)):
			return fmt.Errorf("repository name must be lowercase: %q", c)
		default:
			return fmt.Errorf("invalid repository name component %q: lowercase letters and digits, joined by '.', '_', '__' or dashes", c)
		}
	}
	if len(path) > MaxPathLen {
		return fmt.Errorf("repository name longer than %d characters", MaxPathLen)
	}
	return nil
}

func checkTag(tag string) error {
	switch {
	case tag == "":
		return errors.New("empty tag after ':'")
	case len(tag) > MaxTagLen:
		return fmt.Errorf("tag longer than %d characters", MaxTagLen)
	}
	word := func(c byte) bool { return isAlnum(c) || c == '_' }
	if !word(tag[0]) || !all(tag, func(c byte) bool { return word(c) || c == '.' || c == '-' }) {
		return fmt.Errorf("invalid tag %q: letters, digits, '_', '.' and '-', not starting with '.' or '-'", tag)
	}
	return nil
}

// digestHexLen is the number of hex digits of each digest algorithm.
func digestHexLen(algorithm string) int {
	switch algorithm {
	case "sha256":
		return 64
	case "sha384":
		return 96
	case "sha512":
		return 128
	}
	return 0
}

func checkDigest(d string) error {
	algorithm, hex, _ := strings.Cut(d, ":")
	n := digestHexLen(algorithm)
	switch {
	case d == "":
		return errors.New("empty digest after '@'")
	case n == 0:
		return fmt.Errorf("invalid digest %q: want sha256:, sha384: or sha512: and hex digits", d)
	case len(hex) != n || !all(hex, isLowerHex):
		return fmt.Errorf("invalid digest %q: %s wants %d lowercase hex digits", d, algorithm, n)
	}
	return nil
}
