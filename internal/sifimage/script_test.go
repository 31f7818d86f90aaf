package sifimage

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/envc-dev/envc/emitters/singularity"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// A script section becomes a file as Apptainer writes it: its own "#!"
// line or #!/bin/sh, the section's arguments (up to a comment) added to
// that line.
func TestScript(t *testing.T) {
	for _, tc := range []struct {
		in   singularity.Script
		want string
	}{
		{singularity.Script{Body: "echo hi\n"}, "#!/bin/sh\n\necho hi\n\n"},
		{singularity.Script{Body: "#!/bin/bash\necho hi\n"}, "#!/bin/bash\n\necho hi\n\n"},
		{singularity.Script{Args: "-e # strict", Body: "false\n"}, "#!/bin/sh -e \n\nfalse\n\n"},
	} {
		if got := script(tc.in); got != tc.want {
			t.Errorf("script(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Without %runscript the image's entrypoint and command run, as docker
// run does (what Apptainer's docker bootstrap leaves).
func TestConfigRunscript(t *testing.T) {
	got := configRunscript(ocispecs.ImageConfig{Entrypoint: []string{"/entry", "it's"}, Cmd: []string{"serve"}})
	want := "#!/bin/sh\n# No %runscript: run the image's entrypoint and command.\n" +
		`if [ "$#" -gt 0 ]; then exec '/entry' 'it'"'"'s' "$@"; fi` + "\n" +
		"exec '/entry' 'it'\"'\"'s' 'serve'\n"
	if got != want {
		t.Errorf("configRunscript = %q, want %q", got, want)
	}
}

// An inode header that runs over the end of one uncompressed metadata
// block goes on after the next block's header.
func TestMetaPositions(t *testing.T) {
	var b bytes.Buffer
	b.Write([]byte{0xAA, 0xAA}) // anything before the block
	block := int64(b.Len())
	for _, size := range []int{10, 20} {
		var h [2]byte
		binary.LittleEndian.PutUint16(h[:], uint16(size)|sqMetaUncompressed)
		b.Write(h[:])
		b.Write(make([]byte, size))
	}
	pos, err := metaPositions(bytes.NewReader(b.Bytes()), block, 6, 8)
	if err != nil {
		t.Fatal(err)
	}
	// Block 1's data is at 4..13, block 2's at 16..35.
	if want := []int64{10, 11, 12, 13, 16, 17, 18, 19}; !slices.Equal(pos, want) {
		t.Errorf("positions %v, want %v", pos, want)
	}
	// A compressed block cannot be patched in place.
	compressed := []byte{10, 0}
	if _, err := metaPositions(bytes.NewReader(compressed), 0, 0, 4); err == nil {
		t.Error("a compressed block gave no error")
	}
}
