package storage

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// ListenBackup opens the backup socket of the database at dbPath (see
// ServeBackup) so that no other user can connect to it, whatever the
// umask: the socket is made in a private folder (mode 0700), set to 0600
// and only then moved into place beside the database. A socket left
// behind by a killed process is replaced. On Linux, ServeBackup also
// checks the connecting process's user (SO_PEERCRED).
func ListenBackup(dbPath string) (net.Listener, error) {
	sock := SocketPath(dbPath)
	private, err := os.MkdirTemp(filepath.Dir(sock), ".prepbot-sock-")
	if err != nil {
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	defer os.RemoveAll(private)
	tmp := filepath.Join(private, "s")
	l, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	if err := os.Rename(tmp, sock); err != nil {
		l.Close()
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	return &backupListener{Listener: l, path: sock}, nil
}

// backupListener removes its socket when closed.
type backupListener struct {
	net.Listener
	path string
}

func (l *backupListener) Close() error {
	err := l.Listener.Close()
	os.Remove(l.path)
	return err
}
