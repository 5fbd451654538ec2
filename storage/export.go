package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/storage/dump"
)

// Export writes every record as the JSON document of dump.WriteExport
// (the same bytes as the export of the same data in PostgreSQL), from one
// read transaction. A file of an older schema opened read-only is refused
// (see Dump).
func (d *DB) Export(w io.Writer) error {
	return dump.WriteExport(context.Background(), w, d)
}

// Backup writes a consistent copy of the database to w while it stays in
// use (a read transaction sees one committed state).
func (d *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := d.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a consistent copy to path, atomically: a temporary file
// in the same folder, synced, then renamed.
func BackupFile(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("cannot write the backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("cannot write the backup: %w", err)
	}
	return n, nil
}

// SocketPath is where a process that has the database open listens for
// backup requests from other processes (bbolt's file lock keeps them from
// opening the file themselves).
func SocketPath(dbPath string) string { return dbPath + ".sock" }

// Backup socket limits: a client may be slow, but one that stops reading
// for backupIdle is cut off; at most maxBackups copies are made at once,
// and a further request waits up to backupIdle for its turn.
var (
	backupIdle = 30 * time.Second
	maxBackups = 2
)

// ServeBackup answers backup requests on l until it is closed: each
// connection receives an 8-byte big-endian length, then a consistent copy
// of the database.
//
// The copy is first written to an unnamed temporary file beside the
// database, which takes as long as the disk needs and no longer, and only
// then streamed to the client: a client that stops reading (a suspended
// `prepbot backup`, a raw connection) holds a file, never a read
// transaction, which would keep bbolt from growing its map and so stall
// every write. A listener from ListenBackup lets only the user prepbot runs
// as (and root) have a copy; others are told so.
func (d *DB) ServeBackup(l net.Listener) error {
	slots := make(chan struct{}, maxBackups)
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			if why := refused(c); why != "" {
				w := &deadlineWriter{c: c, idle: backupIdle}
				binary.Write(w, binary.BigEndian, backupRefused)
				io.WriteString(w, why)
				return
			}
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-time.After(backupIdle):
				return // the client sees a cut-short backup and says so
			}
			d.serveOneBackup(c)
		}()
	}
}

func (d *DB) serveOneBackup(c net.Conn) error {
	snap, err := os.CreateTemp(filepath.Dir(d.path), "."+filepath.Base(d.path)+".backup-*")
	if err != nil {
		return err
	}
	os.Remove(snap.Name()) // unnamed: gone with the last descriptor, also after a crash
	defer snap.Close()
	var size int64
	err = d.db.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		_, err := tx.WriteTo(snap)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := snap.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w := &deadlineWriter{c: c, idle: backupIdle}
	if err := binary.Write(w, binary.BigEndian, uint64(size)); err != nil {
		return err
	}
	_, err = io.Copy(w, snap)
	return err
}

// deadlineWriter cuts a connection off when a write makes no progress for
// idle.
type deadlineWriter struct {
	c    net.Conn
	idle time.Duration
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.c.SetWriteDeadline(time.Now().Add(w.idle))
	return w.c.Write(p)
}

// backupRefused, in place of a length, says a refusal follows.
const backupRefused = ^uint64(0)

// RemoteBackup asks the process that has dbPath open for a copy, through
// its backup socket, and writes it to w.
func RemoteBackup(dbPath string, w io.Writer) (int64, error) {
	sock := SocketPath(dbPath)
	c, err := net.Dial("unix", sock)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return 0, fmt.Errorf("the database is in use, and this user may not use its backup socket %s (permission denied): run prepbot backup as the user that runs prepbot, or as root", sock)
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED):
		return 0, fmt.Errorf("the database is in use by another process, and no running prepbot answers on %s: stop that process and run the backup again", sock)
	case err != nil:
		return 0, fmt.Errorf("the database is in use, and its backup socket %s cannot be reached: %w", sock, err)
	}
	defer c.Close()
	var size uint64
	if err := binary.Read(c, binary.BigEndian, &size); err != nil {
		return 0, fmt.Errorf("the running prepbot sent no backup through %s (%v): look at its log, and try again", sock, err)
	}
	if size == backupRefused {
		why, _ := io.ReadAll(io.LimitReader(c, 1<<10))
		return 0, fmt.Errorf("the running prepbot refused the backup: %s", why)
	}
	n, err := io.Copy(w, io.LimitReader(c, int64(size)))
	if err == nil && uint64(n) != size {
		err = fmt.Errorf("backup cut short: got %d of %d bytes", n, size)
	}
	return n, err
}
