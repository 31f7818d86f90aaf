// Package imageref parses container image references ("ubuntu:22.04",
// "quay.io/org/image:1.0@sha256:…") and normalises them the way Docker
// does ("docker.io/library/ubuntu:22.04").
//
// It owns the grammar envc accepts for an image reference: the same
// references, with the same normalised form, as ParseNormalizedNamed and
// TagNameOnly of github.com/distribution/reference, which Docker and
// BuildKit parse them with. It is written by hand, without regular
// expressions, so that importing it costs nothing at start-up.
//
// The grammar:
//
//	reference  := name [ ":" tag ] [ "@" digest ]
//	name       := [ domain "/" ] path
//	domain     := host [ ":" port ]
//	host       := domain-name | "[" ipv6 "]"
//	domain-name:= label { "." label }      ; label: [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//	ipv6       := [a-fA-F0-9:]+
//	port       := [0-9]+
//	path       := component { "/" component }   ; at most 255 characters
//	component  := [a-z0-9]+ { separator [a-z0-9]+ }
//	separator  := "." | "_" | "__" | "-"+
//	tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//	digest     := "sha256:" 64 hex | "sha384:" 96 hex | "sha512:" 128 hex   ; lowercase hex
//
// The first "/"-separated part of a reference is its domain when it is
// "localhost", contains '.' or ':', or has an uppercase letter; otherwise
// the reference is on Docker Hub (docker.io), where a one-component path
// gets "library/" and "index.docker.io" is written docker.io. A first
// part with a '.' that is not a host name but is a valid path component
// ("a_b.c/x") leaves the reference without a domain, as Docker does. A
// reference of 64 lowercase hex digits alone is refused: it reads as an
// image ID.
//
// Docker's parser accepts a sha384 or sha512 digest only in a program
// that links those hashes (Docker and BuildKit do); Parse always does.
package imageref
