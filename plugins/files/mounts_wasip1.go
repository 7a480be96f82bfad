//go:build wasip1

package main

import (
	"errors"
	"strings"
	"syscall"
	"unsafe"
)

//go:wasmimport wasi_snapshot_preview1 fd_prestat_get
func fdPrestatGet(fd int32, prestat unsafe.Pointer) int32

//go:wasmimport wasi_snapshot_preview1 fd_prestat_dir_name
func fdPrestatDirName(fd int32, path unsafe.Pointer, pathLen int32) int32

// mounts lists the guest paths of the WASI preopens, the directories the
// operator mounted. Preopens are numbered from fd 3 without gaps.
func mounts() []string {
	out := []string{}
	for fd := int32(3); fd < 3+256; fd++ {
		var st [2]uint32 // {u8 tag, pad, u32 name length}
		if fdPrestatGet(fd, unsafe.Pointer(&st[0])) != 0 {
			break
		}
		if st[0]&0xff != 0 || st[1] == 0 || st[1] > 4096 { // 0 = directory
			continue
		}
		buf := make([]byte, st[1])
		if fdPrestatDirName(fd, unsafe.Pointer(&buf[0]), int32(len(buf))) != 0 {
			continue
		}
		name := strings.TrimRight(string(buf), "\x00")
		if name != "/" {
			name = strings.TrimRight(name, "/")
		}
		if !strings.HasPrefix(name, "/") {
			name = "/" + name
		}
		out = append(out, name)
	}
	return out
}

// refused reports errors that WASI gives for paths outside every preopen or
// without the needed rights.
func refused(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	return errno == syscall.EBADF || errno == syscall.ENOTCAPABLE || errno == syscall.EACCES || errno == syscall.EPERM
}
