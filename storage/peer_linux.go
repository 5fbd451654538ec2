package storage

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// refused says why the process at the other end of a backup connection may
// not have a copy: only the user prepbot runs as, and root, may.
func refused(c net.Conn) string {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ""
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return "cannot tell who is asking"
	}
	var cred *syscall.Ucred
	var credErr error
	raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if credErr != nil {
		return "cannot tell who is asking"
	}
	if cred.Uid != 0 && int(cred.Uid) != os.Getuid() {
		return fmt.Sprintf("user %d may not copy the database; run prepbot backup as the user that runs prepbot (%d), or as root", cred.Uid, os.Getuid())
	}
	return ""
}
