package sandboxfs_test

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/experimental/sys"

	sandboxfs "github.com/toolhost/toolhost/host/sandbox/fs"
)

// newFS opens one mount of a fresh tree directly, for the paths and calls
// wazero's WASI layer never lets through (it rejects ".." and absolute
// paths itself, and WASI p1 has no chmod).
func newFS(t *testing.T, readOnly bool) (sys.FS, tree) {
	t.Helper()
	tr := newTree(t)
	fsys, closer, err := sandboxfs.New(sandboxfs.Mount{Host: tr.data, Guest: "/data", ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mustDo(t, closer.Close()) })
	return fsys, tr
}

// TestFSRefusesOnItsOwn sends escaping paths straight to the sys.FS, so the
// refusal is this package's (os.Root's), not wazero's path cleaning.
func TestFSRefusesOnItsOwn(t *testing.T) {
	open := func(p string, flag sys.Oflag) func(sys.FS) sys.Errno {
		return func(fsys sys.FS) sys.Errno {
			f, errno := fsys.OpenFile(p, flag, 0o644)
			if errno == 0 {
				_ = f.Close()
			}
			return errno
		}
	}
	stat := func(p string) func(sys.FS) sys.Errno {
		return func(fsys sys.FS) sys.Errno { _, errno := fsys.Stat(p); return errno }
	}
	tests := []struct {
		name     string
		readOnly bool
		op       func(sys.FS) sys.Errno
		want     sys.Errno
		host     []hostState
	}{
		{"open ../outside/secret", false, open("../outside/secret", sys.O_RDONLY), sys.EPERM, nil},
		{"open sub/../../outside/secret", false, open("sub/../../outside/secret", sys.O_RDONLY), sys.EPERM, nil},
		{"open absolute /etc/passwd", false, open("/etc/passwd", sys.O_RDONLY), sys.EPERM, nil},
		{"open via absolute symlink", false, open("link-abs/secret", sys.O_RDONLY), sys.EPERM, nil},
		{"open via relative symlink", false, open("link-rel/etc/passwd", sys.O_RDONLY), sys.EPERM, nil},
		{"create via dangling symlink", false, open("link-dangle", sys.O_WRONLY|sys.O_CREAT), sys.EPERM, outsideUntouched},
		{"stat ..", false, stat(".."), sys.EPERM, nil},
		{"stat via symlink to /etc", false, stat("link-etc/passwd"), sys.EPERM, nil},
		{"lstat ../outside", false, func(fsys sys.FS) sys.Errno { _, e := fsys.Lstat("../outside"); return e }, sys.EPERM, nil},
		{"readlink ../data/link-etc", false, func(fsys sys.FS) sys.Errno { _, e := fsys.Readlink("../data/link-etc"); return e }, sys.EPERM, nil},
		{"mkdir ../x", false, func(fsys sys.FS) sys.Errno { return fsys.Mkdir("../x", 0o755) }, sys.EPERM, []hostState{absent("x")}},
		{"unlink ../outside/secret", false, func(fsys sys.FS) sys.Errno { return fsys.Unlink("../outside/secret") }, sys.EPERM, outsideUntouched},
		{"unlink via symlink", false, func(fsys sys.FS) sys.Errno { return fsys.Unlink("link-sib/secret") }, sys.EPERM, outsideUntouched},
		{"rmdir via symlink", false, func(fsys sys.FS) sys.Errno { return fsys.Rmdir("link-abs/../outside") }, sys.EPERM, nil},
		{"rename to ../outside/x", false, func(fsys sys.FS) sys.Errno { return fsys.Rename("hello.txt", "../outside/x") }, sys.EPERM, outsideUntouched},
		{"rename from via symlink", false, func(fsys sys.FS) sys.Errno { return fsys.Rename("link-sib/secret", "stolen") }, sys.EPERM, outsideUntouched},
		{"chmod via symlink", false, func(fsys sys.FS) sys.Errno { return fsys.Chmod("link-sib/secret", 0o777) }, sys.EPERM, []hostState{modeIs("outside/secret", 0o644)}},
		{"chmod ../outside/secret", false, func(fsys sys.FS) sys.Errno { return fsys.Chmod("../outside/secret", 0o777) }, sys.EPERM, []hostState{modeIs("outside/secret", 0o644)}},
		{"chmod inside works", false, func(fsys sys.FS) sys.Errno { return fsys.Chmod("hello.txt", 0o600) }, 0, []hostState{modeIs("data/hello.txt", 0o600)}},
		{"utimens via symlink", false, func(fsys sys.FS) sys.Errno { return fsys.Utimens("link-sib/secret", 0, 0) }, sys.EPERM, nil},
		{"symlink refused", false, func(fsys sys.FS) sys.Errno { return fsys.Symlink("hello.txt", "l") }, sys.EPERM, []hostState{absent("data/l")}},
		{"link refused", false, func(fsys sys.FS) sys.Errno { return fsys.Link("hello.txt", "l") }, sys.EPERM, []hostState{absent("data/l")}},
		{"ro: chmod", true, func(fsys sys.FS) sys.Errno { return fsys.Chmod("hello.txt", 0o777) }, sys.EROFS, []hostState{modeIs("data/hello.txt", 0o644)}},
		{"ro: open for write", true, open("hello.txt", sys.O_WRONLY), sys.EROFS, []hostState{fileIs("data/hello.txt", "hello")}},
		{"ro: open rdonly with trunc", true, open("hello.txt", sys.O_RDONLY|sys.O_TRUNC), sys.EROFS, []hostState{fileIs("data/hello.txt", "hello")}},
		{"ro: symlink", true, func(fsys sys.FS) sys.Errno { return fsys.Symlink("hello.txt", "l") }, sys.EROFS, []hostState{absent("data/l")}},
		{"ro: link", true, func(fsys sys.FS) sys.Errno { return fsys.Link("hello.txt", "l") }, sys.EROFS, []hostState{absent("data/l")}},
		{"ro: utimens", true, func(fsys sys.FS) sys.Errno { return fsys.Utimens("hello.txt", 0, 0) }, sys.EROFS, nil},
		{"ro: read works", true, open("hello.txt", sys.O_RDONLY), 0, nil},
		{"O_NOFOLLOW on a symlink", false, open("link-in", sys.O_RDONLY|sys.O_NOFOLLOW), sys.ELOOP, nil},
		{"O_DIRECTORY on a file", false, open("hello.txt", sys.O_RDONLY|sys.O_DIRECTORY), sys.ENOTDIR, nil},
		{"open a directory for writing", false, open("sub", sys.O_WRONLY), sys.EISDIR, nil},
		{"empty path is the mount root", false, open("", sys.O_RDONLY|sys.O_DIRECTORY), 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, tr := newFS(t, tc.readOnly)
			if got := tc.op(fsys); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, check := range tc.host {
				check(t, tr)
			}
		})
	}
}

// TestFileDescriptorOps covers the sys.File methods a Go guest does not
// reach through WASI: SetAppend, futimens, directory rewind, and use after
// close.
func TestFileDescriptorOps(t *testing.T) {
	tests := []struct {
		name     string
		readOnly bool
		run      func(t *testing.T, fsys sys.FS, tr tree)
	}{
		{"SetAppend reopens and keeps writing to the same file", false, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_WRONLY)
			mustErrno(t, f.SetAppend(true), 0)
			if !f.IsAppend() {
				t.Error("IsAppend false after SetAppend(true)")
			}
			mustWrite(t, f, "!")
			mustErrno(t, f.SetAppend(false), 0)
			if _, errno := f.Seek(0, io.SeekStart); errno != 0 {
				t.Fatal(errno)
			}
			mustWrite(t, f, "J")
			mustErrno(t, f.Close(), 0)
			fileIs("data/hello.txt", "Jello!")(t, tr)
		}},
		{"SetAppend refuses a replaced name", false, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_WRONLY)
			defer f.Close()
			mustDo(t, os.Rename(filepath.Join(tr.data, "sub/inner.txt"), filepath.Join(tr.data, "hello.txt")))
			mustErrno(t, f.SetAppend(true), sys.ENOENT)
		}},
		{"futimens sets times through the root", false, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_RDONLY)
			defer f.Close()
			want := time.Unix(1_000_000_000, 0)
			mustErrno(t, f.Utimens(want.UnixNano(), sys.UTIME_OMIT), 0)
			st, errno := f.Stat()
			mustErrno(t, errno, 0)
			if st.Atim != want.UnixNano() {
				t.Errorf("atime %d, want %d", st.Atim, want.UnixNano())
			}
		}},
		{"ro: fd writes fail", true, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_RDONLY)
			defer f.Close()
			_, errno := f.Write([]byte("x"))
			mustErrno(t, errno, sys.EBADF)
			_, errno = f.Pwrite([]byte("x"), 0)
			mustErrno(t, errno, sys.EBADF)
			mustErrno(t, f.Truncate(0), sys.EROFS)
			mustErrno(t, f.Utimens(0, 0), sys.EROFS)
			mustErrno(t, f.SetAppend(true), sys.EROFS)
			fileIs("data/hello.txt", "hello")(t, tr)
		}},
		{"readdir, rewind, readdir again", false, func(t *testing.T, fsys sys.FS, tr tree) {
			d := mustOpen(t, fsys, "sub", sys.O_RDONLY|sys.O_DIRECTORY)
			defer d.Close()
			for range 2 {
				ents, errno := d.Readdir(-1)
				mustErrno(t, errno, 0)
				if names := direntNames(ents); len(names) != 1 || names[0] != "inner.txt" {
					t.Fatalf("readdir = %v, want [inner.txt]", names)
				}
				ents, errno = d.Readdir(1)
				mustErrno(t, errno, 0)
				if len(ents) != 0 {
					t.Fatalf("readdir past the end = %v, want none", direntNames(ents))
				}
				_, errno = d.Seek(0, io.SeekStart)
				mustErrno(t, errno, 0)
			}
			_, errno := d.Seek(1, io.SeekStart)
			mustErrno(t, errno, sys.EISDIR)
			_, errno = d.Read(make([]byte, 1))
			mustErrno(t, errno, sys.EISDIR)
			if ino, _ := d.Ino(); ino == 0 {
				t.Error("directory inode is 0")
			}
		}},
		{"readdir on a file", false, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_RDONLY)
			defer f.Close()
			_, errno := f.Readdir(-1)
			mustErrno(t, errno, sys.EBADF)
		}},
		{"use after close", false, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_RDWR)
			mustErrno(t, f.Close(), 0)
			mustErrno(t, f.Close(), 0)
			_, errno := f.Read(make([]byte, 1))
			mustErrno(t, errno, sys.EBADF)
			_, errno = f.Write([]byte("x"))
			mustErrno(t, errno, sys.EBADF)
			_, errno = f.Stat()
			mustErrno(t, errno, sys.EBADF)
			mustErrno(t, f.Sync(), sys.EBADF)
			mustErrno(t, f.Truncate(0), sys.EBADF)
		}},
		{"nonblock is recorded and files poll ready", false, func(t *testing.T, fsys sys.FS, tr tree) {
			f := mustOpen(t, fsys, "hello.txt", sys.O_RDONLY)
			defer f.Close()
			pf, ok := f.(sys.PollableFile)
			if !ok {
				t.Fatal("file is not a sys.PollableFile")
			}
			mustErrno(t, pf.SetNonblock(true), 0)
			if !pf.IsNonblock() {
				t.Error("IsNonblock false after SetNonblock(true)")
			}
			ready, errno := pf.Poll(sys.POLLIN, 0)
			mustErrno(t, errno, 0)
			if !ready {
				t.Error("regular file not ready")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys, tr := newFS(t, tc.readOnly)
			tc.run(t, fsys, tr)
		})
	}
}

// TestClosedRoot checks that lookups fail once the closer ran.
func TestClosedRoot(t *testing.T) {
	tr := newTree(t)
	fsys, closer, err := sandboxfs.New(sandboxfs.Mount{Host: tr.data, Guest: "/data"})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, closer.Close())
	mustDo(t, closer.Close())
	if _, errno := fsys.OpenFile("hello.txt", sys.O_RDONLY, 0); errno != sys.EBADF {
		t.Fatalf("open after close: %v, want EBADF", errno)
	}
}

func mustOpen(t *testing.T, fsys sys.FS, p string, flag sys.Oflag) sys.File {
	t.Helper()
	f, errno := fsys.OpenFile(p, flag, 0o644)
	if errno != 0 {
		t.Fatalf("open %s: %v", p, errno)
	}
	return f
}

func mustWrite(t *testing.T, f sys.File, s string) {
	t.Helper()
	if n, errno := f.Write([]byte(s)); errno != 0 || n != len(s) {
		t.Fatalf("write %q: n=%d errno=%v", s, n, errno)
	}
}

func mustErrno(t *testing.T, got, want sys.Errno) {
	t.Helper()
	if got != want {
		t.Fatalf("errno %v, want %v", got, want)
	}
}

func direntNames(ents []sys.Dirent) []string {
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return names
}
