package sifimage

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// ModTime is the modification time of every entry envc lays, so that the
// same build gives the same image.
var ModTime = time.Unix(0, 0).UTC()

// key is the absolute clean path of a tar entry's name ("./etc/hosts",
// "etc/hosts" and "/etc/hosts" are all "/etc/hosts").
func key(name string) string { return path.Clean("/" + name) }

// Rewrite copies the root file system tar r to w with the layout laid into
// it: entries the layout replaces are left out, then the layout's entries
// are added (with the folders above them that the tar lacks), each owned
// by root. Everything else, owners, modes and times included, is copied
// as it is.
func (l *Layout) Rewrite(w io.Writer, r io.Reader) error {
	replaced := map[string]bool{}
	for _, e := range l.Entries {
		if !e.IfMissing {
			replaced[e.Path] = true
		}
	}
	seen := map[string]bool{"/": true}
	tr := tar.NewReader(r)
	tw := tar.NewWriter(w)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the root file system: %w", err)
		}
		k := key(hdr.Name)
		if replaced[k] {
			continue
		}
		if hdr.Typeflag == tar.TypeLink && replaced[key(hdr.Linkname)] {
			// A hard link to a file the layout replaces would find no
			// target.
			continue
		}
		seen[k] = true
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("rewriting %s: %w", hdr.Name, err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return fmt.Errorf("rewriting %s: %w", hdr.Name, err)
		}
	}
	add := func(e Entry) error {
		hdr := &tar.Header{
			Name:    strings.TrimPrefix(e.Path, "/"),
			Mode:    int64(e.Mode.Perm()),
			ModTime: ModTime,
		}
		switch e.Kind {
		case Dir:
			hdr.Typeflag = tar.TypeDir
			hdr.Name += "/"
		case File:
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(e.Data))
		case Symlink:
			hdr.Typeflag = tar.TypeSymlink
			hdr.Linkname = string(e.Data)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		seen[e.Path] = true
		if e.Kind == File {
			_, err := tw.Write(e.Data)
			return err
		}
		return nil
	}
	for _, e := range l.Entries {
		if e.IfMissing && seen[e.Path] {
			continue
		}
		for _, p := range parents(e.Path) {
			if !seen[p] {
				if err := add(Entry{Path: p, Kind: Dir, Mode: 0o755}); err != nil {
					return err
				}
			}
		}
		if err := add(e); err != nil {
			return fmt.Errorf("adding %s: %w", e.Path, err)
		}
	}
	return tw.Close()
}
