package sifimage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// ErrNoMksquashfs says that mksquashfs is not installed.
var ErrNoMksquashfs = errors.New("mksquashfs not found on PATH: a SIF needs squashfs-tools' mksquashfs (version 4.5 or later, for -tar); install the package squashfs-tools (apt-get install squashfs-tools on Debian and Ubuntu, dnf install squashfs-tools on Fedora and Rocky)")

// LookMksquashfs returns the path of mksquashfs, or ErrNoMksquashfs.
func LookMksquashfs() (string, error) {
	p, err := exec.LookPath("mksquashfs")
	if err != nil {
		return "", ErrNoMksquashfs
	}
	return p, nil
}

// SquashArgs are mksquashfs's arguments for reading a tar from standard
// input into dest: gzip, the compression Apptainer uses and every kernel
// and squashfuse reads, at gzip's own default level 6 rather than
// mksquashfs's 9 (the lolcow image: 15 s instead of 88 s, 0.3% larger);
// the file system's time and its root folder fixed,
// so that the same tar gives the same bytes (mksquashfs is reproducible by
// default); owners, modes and times of everything else as in the tar. The
// inode table is left uncompressed (-noI; a few hundred KiB more for a
// system of ten thousand files) for fixRoot.
func SquashArgs(dest string) []string {
	return []string{"-", dest, "-tar", "-noappend", "-comp", "gzip", "-Xcompression-level", "6", "-noI", "-no-progress",
		"-mkfs-time", "0", "-root-time", "0", "-root-mode", "0755", "-root-uid", "0", "-root-gid", "0"}
}

// Squash makes the squashfs dest from the root file system tar r with the
// layout laid into it, by mksquashfs (the path LookMksquashfs gives).
// mksquashfs's report goes to log.
func (l *Layout) Squash(ctx context.Context, mksquashfs string, r io.Reader, dest string, log io.Writer) error {
	cmd := exec.CommandContext(ctx, mksquashfs, SquashArgs(dest)...)
	// SOURCE_DATE_EPOCH would clash with the times given above.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SOURCE_DATE_EPOCH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var out strings.Builder
	w := io.Writer(&out)
	if log != nil {
		w = io.MultiWriter(&out, log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting mksquashfs: %w", err)
	}
	rewriteErr := l.Rewrite(stdin, r)
	closeErr := stdin.Close()
	waitErr := cmd.Wait()
	if waitErr != nil {
		return fmt.Errorf("mksquashfs failed (%w): %s", waitErr, lastLines(out.String(), 10))
	}
	if rewriteErr != nil {
		return rewriteErr
	}
	if closeErr != nil {
		return closeErr
	}
	return fixRoot(dest, uint32(ModTime.Unix()))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
