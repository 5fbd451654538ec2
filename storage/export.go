package storage

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Export writes every record as one JSON document:
//
//	{"schema": 2, "groups": [...], "posts": [...], "answers": [...],
//	 "members": [...], "schedules": [...], "bags": {...}}
//
// Answers carry the user, card, post, points and time. The scores and ranks
// buckets are left out: they are derived from the answers.
func (d *DB) Export(w io.Writer) error {
	bw := bufio.NewWriter(w)
	err := d.db.View(func(tx *bolt.Tx) error {
		fmt.Fprintf(bw, "{\n  \"schema\": %d", SchemaVersion)
		bucket := func(name []byte) func(func(k, v []byte) error) error {
			return tx.Bucket(name).ForEach
		}
		members := func(fn func(k, v []byte) error) error { return forEachMember(tx, nil, fn) }
		for _, sec := range []struct {
			name string
			each func(func(k, v []byte) error) error
		}{{"groups", bucket(bGroups)}, {"posts", bucket(bPosts)}, {"answers", bucket(bAnswers)}, {"members", members}, {"schedules", bucket(bSchedules)}} {
			fmt.Fprintf(bw, ",\n  %q: [", sec.name)
			n := 0
			err := sec.each(func(k, v []byte) error {
				if n > 0 {
					bw.WriteString(",")
				}
				bw.WriteString("\n    ")
				n++
				_, err := bw.Write(v)
				return err
			})
			if err != nil {
				return err
			}
			if n > 0 {
				bw.WriteString("\n  ")
			}
			bw.WriteString("]")
		}
		bw.WriteString(",\n  \"bags\": {")
		n := 0
		err := tx.Bucket(bBags).ForEach(func(k, v []byte) error {
			if n > 0 {
				bw.WriteString(",")
			}
			n++
			name, _ := json.Marshal(string(k))
			fmt.Fprintf(bw, "\n    %s: %s", name, v)
			return nil
		})
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("}\n}\n")
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
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

// ServeBackup answers backup requests on l until it is closed: each
// connection receives an 8-byte big-endian length, then a consistent copy
// of the database.
func (d *DB) ServeBackup(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			d.db.View(func(tx *bolt.Tx) error {
				if err := binary.Write(c, binary.BigEndian, uint64(tx.Size())); err != nil {
					return err
				}
				_, err := tx.WriteTo(c)
				return err
			})
		}()
	}
}

// RemoteBackup asks the process that has dbPath open for a copy, through
// its backup socket, and writes it to w.
func RemoteBackup(dbPath string, w io.Writer) (int64, error) {
	c, err := net.Dial("unix", SocketPath(dbPath))
	if err != nil {
		return 0, fmt.Errorf("the database is in use and its process does not answer on %s: %w", SocketPath(dbPath), err)
	}
	defer c.Close()
	var size uint64
	if err := binary.Read(c, binary.BigEndian, &size); err != nil {
		return 0, fmt.Errorf("backup socket: %w", err)
	}
	n, err := io.Copy(w, io.LimitReader(c, int64(size)))
	if err == nil && uint64(n) != size {
		err = fmt.Errorf("backup cut short: got %d of %d bytes", n, size)
	}
	return n, err
}
