//go:build !linux

package storage

import "net"

// refused: elsewhere than on Linux, the socket's mode (0600, see
// ListenBackup) is the only check.
func refused(net.Conn) string { return "" }
