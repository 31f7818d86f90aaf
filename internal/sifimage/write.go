package sifimage

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/apptainer/sif/v2/pkg/sif"
)

// LaunchScript is the SIF's launch script, Apptainer's: with the run-
// singularity helper installed, the SIF runs as a program.
const LaunchScript = "#!/usr/bin/env run-singularity\n"

// Write writes the SIF dest as `apptainer build` does: the definition
// file, the JSON objects in name order, then the squashfs as the primary
// system partition with the layout's architecture. The SIF's ID and times
// are the SIF library's deterministic ones (a zero ID and time), so the
// same squashfs and metadata give the same bytes. dest is written through
// a temporary file beside it and renamed into place.
func (l *Layout) Write(dest, squashfs string) error {
	var dis []sif.DescriptorInput
	def, err := sif.NewDescriptorInput(sif.DataDeffile, bytes.NewReader(l.Deffile))
	if err != nil {
		return err
	}
	dis = append(dis, def)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range l.Objects {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		in, err := sif.NewDescriptorInput(sif.DataGenericJSON, bytes.NewReader(l.Objects[name]), sif.OptObjectName(name))
		if err != nil {
			return err
		}
		dis = append(dis, in)
	}
	fs, err := os.Open(squashfs)
	if err != nil {
		return err
	}
	defer fs.Close()
	part, err := sif.NewDescriptorInput(sif.DataPartition, fs, sif.OptPartitionMetadata(sif.FsSquash, sif.PartPrimSys, l.Arch))
	if err != nil {
		return fmt.Errorf("SIF partition for architecture %q: %w", l.Arch, err)
	}
	dis = append(dis, part)

	// A SIF is a program (its launch script): 0755 less the umask, as
	// Apptainer creates it.
	tmpName := filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp"+strconv.Itoa(os.Getpid()))
	tmp, err := os.OpenFile(tmpName, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	f, err := sif.CreateContainer(tmp,
		sif.OptCreateWithDescriptors(dis...),
		sif.OptCreateDeterministic(),
		sif.OptCreateWithLaunchScript(LaunchScript),
		sif.OptCreateWithCloseOnUnload(false),
	)
	if err != nil {
		tmp.Close()
		return fmt.Errorf("writing the SIF: %w", err)
	}
	if err := f.UnloadContainer(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the SIF: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}
