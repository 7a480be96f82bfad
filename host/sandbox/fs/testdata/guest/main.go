// Command guest is the WASI (wasip1) test fixture for package sandboxfs. It
// is an attacker-shaped tool: it runs the file operations named on its
// command line against whatever the host mounted and prints one line per
// operation, either "ok" (with a result) or the WASI errno by name.
//
// Operations are separated by a ";" argument, for example
//
//	guest write /data/a hello ";" read /data/a
//
// prints
//
//	ok
//	ok hello
//
// Each operation maps onto one WASI call where Go allows it, so the errno
// printed is the one the host returned. "rawopen" and "rawrename" issue
// path_open and path_rename with the path bytes exactly as given, relative
// to a preopened descriptor, bypassing the lexical cleaning that Go's
// syscall package applies to absolute paths.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	var cmd []string
	for _, a := range append(os.Args[1:], ";") {
		if a != ";" {
			cmd = append(cmd, a)
			continue
		}
		if len(cmd) > 0 {
			fmt.Println(run(cmd))
		}
		cmd = nil
	}
}

func run(cmd []string) string {
	arg := func(i int) string {
		if i < len(cmd) {
			return cmd[i]
		}
		return ""
	}
	switch cmd[0] {
	case "read":
		b, err := os.ReadFile(arg(1))
		return result(string(b), err)
	case "write": // create or truncate, then write
		return result("", os.WriteFile(arg(1), []byte(arg(2)), 0o644))
	case "append":
		f, err := os.OpenFile(arg(1), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return result("", err)
		}
		_, err = f.WriteString(arg(2))
		return result("", errors.Join(err, f.Close()))
	case "createexcl":
		f, err := os.OpenFile(arg(1), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return result("", err)
		}
		return result("", f.Close())
	case "rwfile": // exercises pwrite, pread, seek, fstat, ftruncate and fsync on one descriptor
		return rwfile(arg(1))
	case "mkdir":
		return result("", syscall.Mkdir(arg(1), 0o755))
	case "rmdir":
		return result("", syscall.Rmdir(arg(1)))
	case "unlink":
		return result("", syscall.Unlink(arg(1)))
	case "rename":
		return result("", syscall.Rename(arg(1), arg(2)))
	case "truncate":
		n, _ := strconv.ParseInt(arg(2), 10, 64)
		return result("", os.Truncate(arg(1), n))
	case "chmod": // WASI p1 has no chmod: Go implements it as a stat
		return result("", os.Chmod(arg(1), 0o777))
	case "utimes":
		t := time.Unix(1_000_000_000, 0)
		return result("", os.Chtimes(arg(1), t, t))
	case "symlink": // symlink TARGET LINK
		return result("", syscall.Symlink(arg(1), arg(2)))
	case "link": // link EXISTING NEW
		return result("", syscall.Link(arg(1), arg(2)))
	case "readlink":
		s, err := os.Readlink(arg(1))
		return result(s, err)
	case "readdir":
		es, err := os.ReadDir(arg(1))
		names := make([]string, 0, len(es))
		for _, e := range es {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return result(strings.Join(names, ","), err)
	case "stat", "lstat":
		stat := os.Stat
		if cmd[0] == "lstat" {
			stat = os.Lstat
		}
		fi, err := stat(arg(1))
		if err != nil {
			return result("", err)
		}
		return result(kind(fi), nil)
	case "rawopen": // rawopen FD PATH: path_open relative to FD, then read
		fd, _ := strconv.Atoi(arg(1))
		nfd, err := syscall.Openat(fd, arg(2), syscall.O_RDONLY, 0)
		if err != nil {
			return result("", err)
		}
		f := os.NewFile(uintptr(nfd), arg(2))
		b, err := io.ReadAll(f)
		return result(string(b), errors.Join(err, f.Close()))
	case "rawrename": // rawrename FD OLD FD NEW
		ofd, _ := strconv.Atoi(arg(1))
		nfd, _ := strconv.Atoi(arg(3))
		return result("", rawRename(int32(ofd), arg(2), int32(nfd), arg(4)))
	case "loopread": // loopread PATH N: counts each distinct outcome of N reads
		n, _ := strconv.Atoi(arg(2))
		seen := map[string]int{}
		for range n {
			seen[result(readOnce(arg(1)))]++
		}
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, fmt.Sprintf("%s=%d", k, seen[k]))
		}
		sort.Strings(keys)
		return strings.Join(keys, "|")
	}
	return "bad op " + cmd[0]
}

func readOnce(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}

func rwfile(p string) string {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return result("", err)
	}
	defer f.Close()
	steps := []func() error{
		func() error { _, err := f.WriteAt([]byte("0123456789"), 0); return err },
		func() error { _, err := f.Seek(2, io.SeekStart); return err },
		func() error { _, err := f.Write([]byte("ab")); return err },
		func() error { return f.Truncate(8) },
		func() error { return f.Sync() },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return result("", err)
		}
	}
	buf := make([]byte, 4)
	if _, err := f.ReadAt(buf, 3); err != nil {
		return result("", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return result("", err)
	}
	return result(fmt.Sprintf("%s size=%d", buf, fi.Size()), nil)
}

func kind(fi os.FileInfo) string {
	switch {
	case fi.IsDir():
		return "dir"
	case fi.Mode()&os.ModeSymlink != 0:
		return "symlink"
	case fi.Mode().IsRegular():
		return "file size=" + strconv.FormatInt(fi.Size(), 10)
	}
	return "other"
}

// result formats one outcome: "ok", "ok VALUE" or the errno name.
func result(v string, err error) string {
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			if name, ok := errnoNames[errno]; ok {
				return name
			}
			return fmt.Sprintf("errno(%d)", uint32(errno))
		}
		return "error " + err.Error()
	}
	if v == "" {
		return "ok"
	}
	return "ok " + v
}

var errnoNames = map[syscall.Errno]string{
	syscall.EACCES:      "EACCES",
	syscall.EBADF:       "EBADF",
	syscall.EEXIST:      "EEXIST",
	syscall.EINVAL:      "EINVAL",
	syscall.EIO:         "EIO",
	syscall.EISDIR:      "EISDIR",
	syscall.ELOOP:       "ELOOP",
	syscall.ENOENT:      "ENOENT",
	syscall.ENOSYS:      "ENOSYS",
	syscall.ENOTCAPABLE: "ENOTCAPABLE",
	syscall.ENOTDIR:     "ENOTDIR",
	syscall.ENOTEMPTY:   "ENOTEMPTY",
	syscall.ENOTSUP:     "ENOTSUP",
	syscall.EPERM:       "EPERM",
	syscall.EROFS:       "EROFS",
	syscall.EXDEV:       "EXDEV",
}

//go:wasmimport wasi_snapshot_preview1 path_rename
//go:noescape
func pathRename(oldFd int32, oldPath *byte, oldLen uint32, newFd int32, newPath *byte, newLen uint32) uint32

func rawRename(ofd int32, from string, nfd int32, to string) error {
	if errno := pathRename(ofd, unsafe.StringData(from), uint32(len(from)), nfd, unsafe.StringData(to), uint32(len(to))); errno != 0 {
		return syscall.Errno(errno)
	}
	return nil
}
