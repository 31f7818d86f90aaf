package sifimage

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// In tar mode (-tar), mksquashfs 4.5 gives the root folder the time it
// runs and the uid and gid of who runs it, ignoring -root-time, -root-uid
// and -root-gid (4.6 honours them). fixRoot sets them in the finished
// file system instead: the root inode's time, and its owner to root. It
// needs the inode table stored uncompressed (-noI, which also leaves the
// id table uncompressed), so that the inode is patched in place and
// nothing moves.

// Squashfs 4.0 superblock offsets and metadata block fields.
const (
	sqMagic            = 0x73717368
	sqSuperblockSize   = 96
	sqIDCount          = 26
	sqRootInode        = 32
	sqIDTableStart     = 48
	sqInodeTableStart  = 64
	sqMetaUncompressed = 0x8000
	sqMetaSizeMask     = 0x7fff
	sqIDsPerBlock      = 8192 / 4
	sqCompressionGzip  = 1
	sqCompressionField = 20
)

// fixRoot makes the root folder of the squashfs at path owned by root with
// the modification time mtime.
func fixRoot(path string, mtime uint32) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	sb := make([]byte, sqSuperblockSize)
	if _, err := f.ReadAt(sb, 0); err != nil {
		return fmt.Errorf("reading the squashfs superblock: %w", err)
	}
	le := binary.LittleEndian
	if le.Uint32(sb) != sqMagic {
		return errors.New("not a squashfs file system")
	}
	rootIdx, err := rootIDIndex(f, sb)
	if err != nil {
		return err
	}
	ref := le.Uint64(sb[sqRootInode:])
	inodeTable := int64(le.Uint64(sb[sqInodeTableStart:]))
	block, offset := inodeTable+int64(ref>>16), int(ref&0xffff)

	// The inode's header: type, mode, uid index, gid index, mtime, number.
	// It may run over into the next metadata block.
	var hdr [16]byte
	pos, err := metaPositions(f, block, offset, len(hdr))
	if err != nil {
		return fmt.Errorf("the root inode: %w", err)
	}
	for i, p := range pos {
		if _, err := f.ReadAt(hdr[i:i+1], p); err != nil {
			return err
		}
	}
	le.PutUint16(hdr[4:], rootIdx)
	le.PutUint16(hdr[6:], rootIdx)
	le.PutUint32(hdr[8:], mtime)
	for i := 4; i < 12; i++ {
		if _, err := f.WriteAt(hdr[i:i+1], pos[i]); err != nil {
			return err
		}
	}
	return f.Close()
}

// metaPositions returns the file positions of n bytes starting at offset
// in the uncompressed metadata block at block, going on into the blocks
// after it.
func metaPositions(f io.ReaderAt, block int64, offset, n int) ([]int64, error) {
	var pos []int64
	for len(pos) < n {
		var h [2]byte
		if _, err := f.ReadAt(h[:], block); err != nil {
			return nil, err
		}
		head := binary.LittleEndian.Uint16(h[:])
		if head&sqMetaUncompressed == 0 {
			return nil, errors.New("the inode table is compressed (mksquashfs needs -noI)")
		}
		size := int(head & sqMetaSizeMask)
		for ; offset < size && len(pos) < n; offset++ {
			pos = append(pos, block+2+int64(offset))
		}
		block, offset = block+2+int64(size), offset-size
	}
	return pos, nil
}

// rootIDIndex returns the index of id 0 in the squashfs's id table.
func rootIDIndex(f io.ReaderAt, sb []byte) (uint16, error) {
	le := binary.LittleEndian
	count := int(le.Uint16(sb[sqIDCount:]))
	start := int64(le.Uint64(sb[sqIDTableStart:]))
	for b := 0; b*sqIDsPerBlock < count; b++ {
		var p [8]byte
		if _, err := f.ReadAt(p[:], start+int64(8*b)); err != nil {
			return 0, err
		}
		data, err := readMeta(f, int64(le.Uint64(p[:])), le.Uint16(sb[sqCompressionField:]))
		if err != nil {
			return 0, fmt.Errorf("the id table: %w", err)
		}
		for i := 0; i+4 <= len(data) && b*sqIDsPerBlock+i/4 < count; i += 4 {
			if le.Uint32(data[i:]) == 0 {
				return uint16(b*sqIDsPerBlock + i/4), nil
			}
		}
	}
	return 0, errors.New("the id table has no entry for root")
}

// readMeta reads the metadata block at pos.
func readMeta(f io.ReaderAt, pos int64, compression uint16) ([]byte, error) {
	var h [2]byte
	if _, err := f.ReadAt(h[:], pos); err != nil {
		return nil, err
	}
	head := binary.LittleEndian.Uint16(h[:])
	data := make([]byte, head&sqMetaSizeMask)
	if _, err := f.ReadAt(data, pos+2); err != nil {
		return nil, err
	}
	if head&sqMetaUncompressed != 0 {
		return data, nil
	}
	if compression != sqCompressionGzip {
		return nil, fmt.Errorf("compressed with compressor %d, not gzip", compression)
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
