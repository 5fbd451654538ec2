package storage_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/storage"
)

// fill records n answers of distinct members, from 32 goroutines (so they
// share commits), and the file spans many pages.
func fill(t *testing.T, db *storage.DB, from, n int) {
	t.Helper()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := from + w; i < from+n; i += 32 {
				a := answer(fmt.Sprintf("member-%06d", i), uint64(i+1), 10, true, at)
				a.UserName = strings.Repeat("n", 500)
				if _, err := db.Record(ctx, a); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A damaged file (a truncated copy, a broken header, a schema no prepbot
// wrote, a garbage page) is refused with a message that says it is damaged
// and what to do: never a panic or a crash.
func TestDamagedFilesAreRefusedClearly(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := storage.Open(good, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 0, 300)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	damage := map[string]func([]byte) []byte{
		"cut to a third":     func(b []byte) []byte { return b[:len(b)/3] },
		"cut inside header":  func(b []byte) []byte { return b[:100] },
		"both headers wiped": func(b []byte) []byte { clear(b[:2*page]); return b },
		"garbage pages": func(b []byte) []byte {
			for i := 2 * page; i < len(b); i++ {
				b[i] = byte(i * 7)
			}
			return b
		},
	}
	for name, f := range damage {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
		for _, ro := range []bool{false, true} {
			// a copy for each: a panic inside bbolt's open leaves the file locked
			try := path + fmt.Sprint(ro)
			if err := os.WriteFile(try, f(bytes.Clone(data)), 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := storage.Open(try, storage.Options{ReadOnly: ro})
			if err == nil {
				db.Close()
				t.Errorf("%s (read-only %v): opened", name, ro)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "damaged") || !strings.Contains(msg, "restore it from a backup") {
				t.Errorf("%s (read-only %v): %v", name, ro, err)
			}
		}
	}
	// a schema version no prepbot ever wrote
	for _, v := range []string{"-1", "seven"} {
		path := filepath.Join(dir, "schema"+v+".db")
		bdb, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		bdb.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucket([]byte("meta"))
			return b.Put([]byte("schema"), []byte(v))
		})
		bdb.Close()
		_, err = storage.Open(path, storage.Options{})
		if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), fmt.Sprintf("%q", v)) {
			t.Errorf("schema %s: %v", v, err)
		}
	}
}

// backupOver asks a ServeBackup of db on a fresh socket for a copy.
func serveBackup(t *testing.T, db *storage.DB) {
	t.Helper()
	l, err := storage.ListenBackup(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go db.ServeBackup(l)
}

// A backup client that stops reading holds nothing the writer needs: the
// copy comes from a snapshot, so answers keep being recorded (also when the
// file grows, which in bbolt waits for every read transaction to end), and
// the client is cut off once it has not read for the idle limit.
func TestStalledBackupClientDoesNotBlockWrites(t *testing.T) {
	defer storage.SetBackupIdle(300 * time.Millisecond)()
	path := filepath.Join(t.TempDir(), "live.db")
	db := bottest.OpenDBAt(t, path)
	fill(t, db, 0, 2000) // a few MB: more than the socket buffers hold
	serveBackup(t, db)
	stalled, err := net.Dial("unix", storage.SocketPath(path))
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	var size uint64
	if err := binary.Read(stalled, binary.BigEndian, &size); err != nil {
		t.Fatal(err)
	}
	// the client reads no more; the file grows to several times its size
	done := make(chan struct{})
	go func() {
		defer close(done)
		fill(t, db, 2000, 8000)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("writes are blocked while a backup client does not read")
	}
	if st, _ := os.Stat(path); uint64(st.Size()) < 2*size {
		t.Fatalf("the file did not grow (%d bytes, backup %d): the test proves nothing", st.Size(), size)
	}
	// cut off: what it gets ends before the size it was promised
	n, _ := io.Copy(io.Discard, stalled)
	if uint64(n) >= size {
		t.Fatalf("the stalled client got all %d bytes", n)
	}
	// another client still gets a whole, consistent copy
	out := filepath.Join(t.TempDir(), "copy.db")
	if _, err := storage.BackupFile(out, func(w io.Writer) (int64, error) { return storage.RemoteBackup(path, w) }); err != nil {
		t.Fatal(err)
	}
	cp := bottest.OpenDBAt(t, out)
	if m, err := cp.Member(ctx, "g", "member-009999"); err != nil || m.Points != 10 {
		t.Fatalf("the copy lacks the last answer: %v %+v", err, m)
	}
}

// The backup socket is the user's alone, whatever the umask.
func TestBackupSocketIsPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "p.db")
	db := bottest.OpenDBAt(t, path)
	serveBackup(t, db)
	st, err := os.Stat(storage.SocketPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want a socket with 0600", st.Mode())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".prepbot-sock-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// A write that hangs shows in WriteStalled (which /readyz reads).
func TestWriteStalled(t *testing.T) {
	db := bottest.OpenDB(t)
	if d := db.WriteStalled(); d != 0 {
		t.Fatalf("stalled %v with no write under way", d)
	}
	release := storage.HoldWrite(db)
	time.Sleep(20 * time.Millisecond) // a real hang, measured by the wall clock
	if d := db.WriteStalled(); d < 20*time.Millisecond {
		release()
		t.Fatalf("stalled %v while a write hangs", d)
	}
	release()
	if d := db.WriteStalled(); d != 0 {
		t.Fatalf("stalled %v after the write finished", d)
	}
}

// backup and export open the file read-only: the copy taken before an
// upgrade leaves the original as it was, and export refuses an older
// schema instead of migrating it.
func TestReadOnlyOpenNeverMigrates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	writeSchema6(t, path)
	before, _ := os.ReadFile(path)
	db, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy.db")
	if _, err := storage.BackupFile(out, db.Backup); err != nil {
		t.Fatal(err)
	}
	err = db.Export(io.Discard)
	if err == nil || !strings.Contains(err.Error(), "older prepbot (schema 6") {
		t.Errorf("export of schema 6: %v", err)
	}
	if _, err := db.Record(ctx, answer("ann", 1, 10, true, time.Now())); err == nil {
		t.Error("an answer was recorded in a file opened read-only")
	}
	db.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) || schemaOf(t, path) != "6" || schemaOf(t, out) != "6" {
		t.Fatalf("the file changed (schema %s, copy %s)", schemaOf(t, path), schemaOf(t, out))
	}
}

var _ = bot.KindAnswer

// Another user on the machine gets no copy of the database: the socket's
// mode keeps them out, and were it opened up, the server checks who is
// asking. Either way the message says what is wrong and what to do. Needs
// root, to act as another user.
func TestBackupRefusesOtherUsers(t *testing.T) {
	if path := os.Getenv("PREPBOT_BACKUP_CLIENT"); path != "" {
		_, err := storage.RemoteBackup(path, io.Discard)
		fmt.Printf("CLIENT: %v\n", err)
		return
	}
	if os.Getuid() != 0 {
		t.Skip("acting as another user needs root; run the tests as root to check the backup socket against other users")
	}
	dir, err := os.MkdirTemp("", "prepbot-peer-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	exe, _ := os.ReadFile(os.Args[0])
	client := filepath.Join(dir, "client.test")
	if err := os.WriteFile(client, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.db")
	db := bottest.OpenDBAt(t, path)
	serveBackup(t, db)
	asNobody := func() string {
		cmd := exec.Command(client, "-test.run=^TestBackupRefusesOtherUsers$")
		cmd.Env = []string{"PREPBOT_BACKUP_CLIENT=" + path}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	out := asNobody()
	if !strings.Contains(out, "CLIENT: the database is in use, and this user may not use its backup socket") || !strings.Contains(out, "permission denied") {
		t.Fatalf("another user, socket 0600:\n%s", out)
	}
	os.Chmod(storage.SocketPath(path), 0o666) // as if someone opened it up
	out = asNobody()
	if !strings.Contains(out, "CLIENT: the running prepbot refused the backup: user 65534 may not copy the database") {
		t.Fatalf("another user, socket 0666:\n%s", out)
	}
}
