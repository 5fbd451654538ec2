package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// errDamaged is what a damaged file reports; the message says what to do.
var errDamaged = errors.New("damaged")

func damaged(path, why string) error {
	return fmt.Errorf("%s is damaged (%s): %w; restore it from a backup (prepbot backup makes one), or give another --db", path, why, errDamaged)
}

// bbolt's file header: two meta pages, each a page header of 16 bytes and
// then magic, version, page size, flags (4 bytes each), the root bucket
// (root page, sequence), the freelist page, the high-water page, the
// transaction id and a checksum of what comes before it (8 bytes each),
// in the machine's byte order.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
	noFreelist     = ^uint64(0)
)

type fileMeta struct {
	pageSize                   uint32
	root, freelist, pgid, txid uint64
}

// readMeta reads the meta at off; ok is false when it is not a valid one.
func readMeta(f io.ReaderAt, off int64) (fileMeta, bool) {
	buf := make([]byte, metaSize)
	if _, err := f.ReadAt(buf, off+pageHeaderSize); err != nil {
		return fileMeta{}, false
	}
	e := binary.NativeEndian
	h := fnv.New64a()
	h.Write(buf[:56])
	if e.Uint32(buf[0:]) != boltMagic || e.Uint32(buf[4:]) != boltVersion || e.Uint64(buf[56:]) != h.Sum64() {
		return fileMeta{}, false
	}
	return fileMeta{pageSize: e.Uint32(buf[8:]), root: e.Uint64(buf[16:]), freelist: e.Uint64(buf[32:]),
		pgid: e.Uint64(buf[40:]), txid: e.Uint64(buf[48:])}, true
}

// checkFile looks at an existing database file before bbolt maps it: bbolt
// trusts its header, so a truncated copy or a broken header makes it read
// past the end of the file and crash the process instead of failing. It
// returns nil for a file that does not exist or is empty (a new database).
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot open the database %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot open the database %s: %w", path, err)
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	first, ok0 := readMeta(f, 0)
	pageSize := int64(first.pageSize)
	if !ok0 {
		pageSize = int64(os.Getpagesize())
	}
	second, ok1 := readMeta(f, pageSize)
	if !ok0 && !ok1 {
		if size < 2*pageHeaderSize+metaSize {
			return damaged(path, "it is too short to be a database")
		}
		return fmt.Errorf("%s is not a prepbot database or is damaged (no valid bbolt header): restore it from a backup, or give another --db: %w", path, errDamaged)
	}
	// bbolt uses the valid meta with the newer transaction
	m := first
	if !ok0 || ok1 && second.txid > first.txid {
		m = second
	}
	ps := uint64(m.pageSize)
	switch {
	case ps < 512 || ps&(ps-1) != 0:
		return damaged(path, fmt.Sprintf("its header gives a page size of %d", ps))
	case m.pgid*ps > uint64(size):
		return damaged(path, fmt.Sprintf("it is cut short: %d of the %d bytes it claims", size, m.pgid*ps))
	case m.root >= m.pgid || m.freelist != noFreelist && m.freelist >= m.pgid:
		return damaged(path, "its header points past its end")
	}
	return nil
}
