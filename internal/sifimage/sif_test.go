package sifimage

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apptainer/sif/v2/pkg/sif"
	"github.com/google/go-cmp/cmp"
)

// rootfsEntry is one entry of the test's root file system tar.
type rootfsEntry struct {
	name     string
	typ      byte
	mode     int64
	uid      int
	data     string // content or link target
	devmajor int64
}

// testRootfs is a small root file system as BuildKit's tar exporter
// streams it: a user's home owned by the user, files the layout replaces
// (/etc/hosts, with a hard link to it), a /singularity of its own, a
// sticky /tmp and a device node.
var testRootfs = []rootfsEntry{
	{name: "bin/", typ: tar.TypeDir, mode: 0o755},
	{name: "bin/sh", typ: tar.TypeReg, mode: 0o755, data: "#!/bin/true\n"},
	{name: "dev/", typ: tar.TypeDir, mode: 0o755},
	{name: "dev/null", typ: tar.TypeChar, mode: 0o666, devmajor: 1},
	{name: "etc/", typ: tar.TypeDir, mode: 0o755},
	{name: "etc/hosts", typ: tar.TypeReg, mode: 0o644, data: "127.0.0.1 localhost\n"},
	{name: "etc/hosts.link", typ: tar.TypeLink, data: "etc/hosts"},
	{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, data: "root:x:0:0::/root:/bin/sh\nsim:x:1000:1000::/home/sim:/bin/sh\n"},
	{name: "home/", typ: tar.TypeDir, mode: 0o755},
	{name: "home/sim/", typ: tar.TypeDir, mode: 0o750, uid: 1000},
	{name: "home/sim/app.conf", typ: tar.TypeReg, mode: 0o600, uid: 1000, data: "threads=2\n"},
	{name: "singularity", typ: tar.TypeReg, mode: 0o755, data: "#!/bin/sh\necho mine\n"},
	{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
}

func rootfsTar(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range testRootfs {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Uid: e.uid, Gid: e.uid,
			ModTime: time.Unix(1700000000, 0), Devmajor: e.devmajor}
		switch e.typ {
		case tar.TypeReg:
			hdr.Size = int64(len(e.data))
		case tar.TypeLink, tar.TypeSymlink:
			hdr.Linkname = e.data
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.data)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The rewritten stream keeps the root file system (owners, modes, the
// device, a /singularity of its own), drops what the layout replaces and
// adds the rest, parents first.
func TestRewrite(t *testing.T) {
	l, err := Lay(goldenConfig(t, "all-constructs", "all"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := l.Rewrite(&out, bytes.NewReader(rootfsTar(t))); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&out)
	var got []string
	data := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		data[key(hdr.Name)] = string(b)
		line := fmt.Sprintf("%c %04o %d:%d %s", hdr.Typeflag, hdr.Mode, hdr.Uid, hdr.Gid, hdr.Name)
		if hdr.Linkname != "" {
			line += " -> " + hdr.Linkname
		}
		got = append(got, line)
	}
	want := []string{
		"5 0755 0:0 bin/",
		"0 0755 0:0 bin/sh",
		"5 0755 0:0 dev/",
		"3 0666 0:0 dev/null",
		"5 0755 0:0 etc/",
		"0 0644 0:0 etc/passwd",
		"5 0755 0:0 home/",
		"5 0750 1000:1000 home/sim/",
		"0 0600 1000:1000 home/sim/app.conf",
		"0 0755 0:0 singularity",
		"5 1777 0:0 tmp/",
		"5 0755 0:0 .singularity.d/",
		"5 0755 0:0 .singularity.d/libs/",
		"5 0755 0:0 .singularity.d/actions/",
		"5 0755 0:0 .singularity.d/env/",
		"5 0755 0:0 proc/",
		"5 0755 0:0 root/",
		"5 0755 0:0 var/",
		"5 0755 0:0 var/tmp/",
		"5 0755 0:0 sys/",
		"0 0644 0:0 etc/hosts",
		"0 0644 0:0 etc/resolv.conf",
		"0 0755 0:0 .singularity.d/actions/exec",
		"0 0755 0:0 .singularity.d/actions/run",
		"0 0755 0:0 .singularity.d/actions/shell",
		"0 0755 0:0 .singularity.d/actions/start",
		"0 0755 0:0 .singularity.d/actions/test",
		"0 0755 0:0 .singularity.d/env/01-base.sh",
		"0 0755 0:0 .singularity.d/env/10-docker2singularity.sh",
		"0 0755 0:0 .singularity.d/env/90-environment.sh",
		"0 0755 0:0 .singularity.d/env/94-appsbase.sh",
		"0 0755 0:0 .singularity.d/env/95-apps.sh",
		"0 0755 0:0 .singularity.d/env/99-base.sh",
		"0 0755 0:0 .singularity.d/env/99-runtimevars.sh",
		"0 0755 0:0 .singularity.d/runscript",
		"0 0755 0:0 .singularity.d/startscript",
		"0 0644 0:0 .singularity.d/runscript.help",
		"0 0644 0:0 .singularity.d/labels.json",
		"0 0644 0:0 .singularity.d/Singularity",
		"2 0777 0:0 .run -> .singularity.d/actions/run",
		"2 0777 0:0 .exec -> .singularity.d/actions/exec",
		"2 0777 0:0 .test -> .singularity.d/actions/test",
		"2 0777 0:0 .shell -> .singularity.d/actions/shell",
		"2 0777 0:0 environment -> .singularity.d/env/90-environment.sh",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rewritten tar (-want +got):\n%s", diff)
	}
	if data["/etc/hosts"] != "" || data["/singularity"] != "#!/bin/sh\necho mine\n" {
		t.Errorf("/etc/hosts = %q (want empty), /singularity = %q (want the root file system's)", data["/etc/hosts"], data["/singularity"])
	}
}

// needMksquashfs returns mksquashfs's path; CI installs squashfs-tools, so
// there its absence is a failure, not a skip.
func needMksquashfs(t *testing.T) string {
	t.Helper()
	p, err := LookMksquashfs()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return p
}

// buildSIF makes a SIF of the test root file system with the all-constructs
// metadata and returns its path.
func buildSIF(t *testing.T, dir string) (string, *Layout) {
	t.Helper()
	mks := needMksquashfs(t)
	l, err := Lay(goldenConfig(t, "all-constructs", "all"))
	if err != nil {
		t.Fatal(err)
	}
	sq := filepath.Join(dir, "rootfs.squashfs")
	var log bytes.Buffer
	if err := l.Squash(context.Background(), mks, bytes.NewReader(rootfsTar(t)), sq, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "Squashfs 4.0 filesystem") {
		t.Errorf("mksquashfs's report: %q", log.String())
	}
	dest := filepath.Join(dir, "all.sif")
	if err := l.Write(dest, sq); err != nil {
		t.Fatal(err)
	}
	return dest, l
}

// The SIF read back with Apptainer's SIF library: the definition file, the
// JSON objects in name order and the squashfs system partition with its
// architecture, with deterministic header fields; the same input gives the
// same bytes; the squashfs keeps the owners of the root file system.
func TestWriteSIF(t *testing.T) {
	dir := t.TempDir()
	dest, l := buildSIF(t, dir)
	def, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "all-constructs", "want", "all", "Singularity.def"))
	if err != nil {
		t.Fatal(err)
	}

	f, err := sif.LoadContainerFromPath(dest, sif.OptLoadWithFlag(os.O_RDONLY))
	if err != nil {
		t.Fatal(err)
	}
	defer f.UnloadContainer()
	if f.PrimaryArch() != "amd64" || f.ID() != "00000000-0000-0000-0000-000000000000" || !f.CreatedAt().Equal(time.Time{}) {
		t.Errorf("header: arch %q, ID %s, created %v; want amd64, the nil ID and the zero time", f.PrimaryArch(), f.ID(), f.CreatedAt())
	}
	if string(f.LaunchScript()) != LaunchScript {
		t.Errorf("launch script %q", f.LaunchScript())
	}
	var got []string
	var partOffset int64
	f.WithDescriptors(func(d sif.Descriptor) bool {
		line := fmt.Sprintf("%d %s %q", d.ID(), d.DataType(), d.Name())
		data, err := d.GetData()
		if err != nil {
			t.Fatal(err)
		}
		switch d.DataType() {
		case sif.DataDeffile:
			// The emitted Singularity.def from its Bootstrap: line on,
			// as apptainer build stores it.
			_, body, _ := bytes.Cut(def, []byte("\nBootstrap: docker\n"))
			if want := append([]byte("Bootstrap: docker\n"), body...); !bytes.Equal(data, want) || !bytes.Equal(data, l.Deffile) {
				t.Errorf("deffile object:\n%s\nwant the emitted Singularity.def from its Bootstrap: line:\n%s", data, want)
			}
		case sif.DataGenericJSON:
			if !bytes.Equal(data, l.Objects[d.Name()]) {
				t.Errorf("object %s differs from the layout's", d.Name())
			}
		case sif.DataPartition:
			fs, pt, arch, err := d.PartitionMetadata()
			if err != nil {
				t.Fatal(err)
			}
			line += fmt.Sprintf(" %s %s %s", fs, pt, arch)
			partOffset = d.Offset()
			if !bytes.HasPrefix(data, []byte("hsqs")) {
				t.Errorf("the partition does not start with squashfs's magic")
			}
		}
		got = append(got, line)
		return false
	})
	want := []string{
		`1 Def.FILE ""`,
		`2 JSON.Generic "inspect-metadata.json"`,
		`3 JSON.Generic "oci-config.json"`,
		`4 FS "" Squashfs *System amd64`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptors (-want +got):\n%s", diff)
	}

	// Determinism: the same root file system and metadata, the same bytes,
	// also a second later (mksquashfs's tar mode stamps the root folder
	// with the clock).
	time.Sleep(1100 * time.Millisecond)
	dest2, _ := buildSIF(t, t.TempDir())
	a, _ := os.ReadFile(dest)
	b, _ := os.ReadFile(dest2)
	if !bytes.Equal(a, b) {
		t.Errorf("two SIFs of the same input differ (%d and %d bytes)", len(a), len(b))
	}

	// The squashfs as Apptainer mounts it.
	unsquashfs, err := exec.LookPath("unsquashfs")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(unsquashfs, "-o", fmt.Sprint(partOffset), "-lln", dest)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	list, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("unsquashfs: %v\n%s", err, list)
	}
	if !strings.Contains(string(list), "drwxr-xr-x 0/0                     229 1970-01-01 00:00 squashfs-root\n") {
		t.Errorf("the root folder is not root's, 0755 and of time 0:\n%s", list)
	}
	for _, w := range []string{
		"drwxr-xr-x 0/0 squashfs-root\n",
		"drwxr-x--- 1000/1000 squashfs-root/home/sim\n",
		"-rw------- 1000/1000 squashfs-root/home/sim/app.conf\n",
		"crw-rw-rw- 0/0 squashfs-root/dev/null\n",
		"drwxrwxrwt 0/0 squashfs-root/tmp\n",
		"-rwxr-xr-x 0/0 squashfs-root/.singularity.d/runscript\n",
		"lrwxrwxrwx 0/0 squashfs-root/environment -> .singularity.d/env/90-environment.sh\n",
	} {
		if !strings.Contains(modeOwnerPath(string(list)), w) {
			t.Errorf("unsquashfs -lln has no %q:\n%s", w, list)
		}
	}
	cat, err := exec.Command(unsquashfs, "-o", fmt.Sprint(partOffset), "-cat", dest, ".singularity.d/runscript").CombinedOutput()
	if err != nil {
		t.Fatalf("unsquashfs -cat: %v\n%s", err, cat)
	}
	if want := "#!/bin/sh\n\ncd /home/sim/work || exit\n"; !strings.HasPrefix(string(cat), want) {
		t.Errorf("runscript in the squashfs = %q, want it to start with %q", cat, want)
	}
}

// modeOwnerPath keeps the mode, the owner and the path (and link target)
// of each line of unsquashfs -lln.
func modeOwnerPath(list string) string {
	var b strings.Builder
	for _, line := range strings.Split(list, "\n") {
		f := strings.Fields(line)
		i := strings.Index(line, "squashfs-root")
		if len(f) < 2 || i < 0 {
			continue
		}
		b.WriteString(f[0] + " " + f[1] + " " + line[i:] + "\n")
	}
	return b.String()
}

// A missing mksquashfs is an error naming the package to install.
func TestNoMksquashfs(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := LookMksquashfs()
	if err == nil || !strings.Contains(err.Error(), "squashfs-tools") {
		t.Errorf("LookMksquashfs with an empty PATH: %v, want an error naming squashfs-tools", err)
	}
}

// fixRoot makes the root folder root's with the given time, whoever ran
// mksquashfs and whenever (here a root folder made another user's and
// stamped now, in directory mode, which honours -root-uid).
func TestFixRoot(t *testing.T) {
	mks := needMksquashfs(t)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	sq := filepath.Join(t.TempDir(), "x.squashfs")
	out, err := exec.Command(mks, src, sq, "-noappend", "-noI", "-quiet", "-no-progress", "-root-uid", "1234", "-root-gid", "1234").CombinedOutput()
	if err != nil {
		t.Fatalf("mksquashfs: %v\n%s", err, out)
	}
	list := func() string {
		cmd := exec.Command("unsquashfs", "-lln", sq)
		cmd.Env = append(os.Environ(), "TZ=UTC")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("unsquashfs: %v\n%s", err, b)
		}
		return modeOwnerPath(string(b))
	}
	before := list()
	if !strings.Contains(before, "1234/1234 squashfs-root\n") {
		t.Fatalf("the test's root folder is not 1234's:\n%s", before)
	}
	fileLine := func(l string) string {
		_, f, _ := strings.Cut(l, "squashfs-root\n")
		return f
	}
	if err := fixRoot(sq, 86400); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unsquashfs", "-lln", sq)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("unsquashfs after fixRoot: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), " 1970-01-02 00:00 squashfs-root\n") || !strings.Contains(list(), "0/0 squashfs-root\n") {
		t.Errorf("after fixRoot the root folder is not root's with the time 1970-01-02:\n%s", b)
	}
	if after := list(); fileLine(after) != fileLine(before) || !strings.Contains(after, "squashfs-root/f\n") {
		t.Errorf("fixRoot changed the file below the root:\n%s\nbefore:\n%s", after, before)
	}
}
