package sandboxfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/tetratelabs/wazero/experimental/sys"
	wsys "github.com/tetratelabs/wazero/sys"
)

// rootFS is a sys.FS whose every path operation goes through one os.Root.
// It holds no mutable state, so modules running concurrently may share it.
type rootFS struct {
	sys.UnimplementedFS

	root     *os.Root
	readOnly bool
	// escapes is the error os.Root wraps when a path or a symlink target
	// leaves the root (os.errPathEscapes, which is unexported); see
	// escapeError.
	escapes error
	name    string
}

var _ sys.FS = (*rootFS)(nil)

// escapeError finds the error value os.Root reports for a path that escapes
// it, by asking for "..". It returns nil (match nothing) if that is not a
// distinct, non-syscall error, so that mapping never turns an ordinary
// errno into EPERM.
func escapeError(root *os.Root) error {
	_, err := root.Lstat("..")
	var pe *os.PathError
	if !errors.As(err, &pe) {
		return nil
	}
	var errno syscall.Errno
	if errors.As(pe.Err, &errno) {
		return nil
	}
	return pe.Err
}

// String names the filesystem by its guest path, for wazero's diagnostics.
func (r *rootFS) String() string { return r.name }

// errno maps an os.Root error to a sys.Errno. A path that leaves the root is
// EPERM, the errno wazero itself returns for a ".." that leaves a preopen.
func (r *rootFS) errno(err error) sys.Errno {
	if err == nil {
		return 0
	}
	if r.escapes != nil && errors.Is(err, r.escapes) {
		return sys.EPERM
	}
	return sys.UnwrapOSError(err)
}

// rel turns a wazero path (relative, possibly "" or ending in "/") into a
// name for os.Root. Anything else, absolute paths and ".." included, is
// passed through: os.Root refuses what leaves the root.
func rel(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// OpenFile implements sys.FS.
func (r *rootFS) OpenFile(p string, flag sys.Oflag, perm fs.FileMode) (sys.File, sys.Errno) {
	name := rel(p)
	if r.readOnly && writes(flag) {
		return nil, sys.EROFS
	}
	if flag&sys.O_NOFOLLOW != 0 {
		// os.Root follows a final symlink that stays inside the root, so
		// O_NOFOLLOW is checked here. A swap after this check can only make
		// the open follow a link that os.Root still confines.
		if fi, err := r.root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, sys.ELOOP
		}
	}
	f, err := r.root.OpenFile(name, osFlag(flag), perm&fs.ModePerm)
	if err != nil {
		return nil, r.errno(err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, r.errno(err)
	}
	if flag&sys.O_DIRECTORY != 0 && !fi.IsDir() {
		_ = f.Close()
		return nil, sys.ENOTDIR
	}
	st := wsys.NewStat_t(fi)
	return &file{
		fsys:  r,
		name:  name,
		flag:  flag,
		f:     f,
		dev:   st.Dev,
		ino:   st.Ino,
		isDir: fi.IsDir(),
	}, 0
}

// writes reports whether an open with flag could change the file system.
func writes(flag sys.Oflag) bool {
	return flag&(sys.O_RDWR|sys.O_WRONLY) != 0 || flag&(sys.O_CREAT|sys.O_TRUNC|sys.O_APPEND) != 0
}

// osFlag translates flags os.Root understands. O_DIRECTORY and O_NOFOLLOW
// are checked by OpenFile, O_NONBLOCK has no effect on regular files and
// directories, and O_DSYNC and O_RSYNC are served by the stronger O_SYNC.
func osFlag(flag sys.Oflag) int {
	var f int
	switch flag & (sys.O_RDONLY | sys.O_RDWR | sys.O_WRONLY) {
	case sys.O_RDWR:
		f = os.O_RDWR
	case sys.O_WRONLY:
		f = os.O_WRONLY
	default:
		f = os.O_RDONLY
	}
	for _, m := range []struct {
		from sys.Oflag
		to   int
	}{
		{sys.O_APPEND, os.O_APPEND},
		{sys.O_CREAT, os.O_CREATE},
		{sys.O_EXCL, os.O_EXCL},
		{sys.O_TRUNC, os.O_TRUNC},
		{sys.O_SYNC | sys.O_DSYNC | sys.O_RSYNC, os.O_SYNC},
	} {
		if flag&m.from != 0 {
			f |= m.to
		}
	}
	return f
}

// Lstat implements sys.FS.
func (r *rootFS) Lstat(p string) (wsys.Stat_t, sys.Errno) {
	fi, err := r.root.Lstat(rel(p))
	if err != nil {
		return wsys.Stat_t{}, r.errno(err)
	}
	return wsys.NewStat_t(fi), 0
}

// Stat implements sys.FS.
func (r *rootFS) Stat(p string) (wsys.Stat_t, sys.Errno) {
	fi, err := r.root.Stat(rel(p))
	if err != nil {
		return wsys.Stat_t{}, r.errno(err)
	}
	return wsys.NewStat_t(fi), 0
}

// Readlink implements sys.FS. It returns the link text as stored; the text
// grants nothing, since following the link is confined to the root.
func (r *rootFS) Readlink(p string) (string, sys.Errno) {
	s, err := r.root.Readlink(rel(p))
	if err != nil {
		return "", r.errno(err)
	}
	return s, 0
}

// Mkdir implements sys.FS.
func (r *rootFS) Mkdir(p string, perm fs.FileMode) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	errno := r.errno(r.root.Mkdir(rel(p), perm&fs.ModePerm))
	if errno == sys.ENOTDIR { // a parent is a file: what wazero's DirFS reports
		errno = sys.ENOENT
	}
	return errno
}

// Chmod implements sys.FS. WASI preview 1 has no chmod; this serves hosts
// that call the FS directly.
func (r *rootFS) Chmod(p string, perm fs.FileMode) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	return r.errno(r.root.Chmod(rel(p), perm&fs.ModePerm))
}

// Rename implements sys.FS. Both names are resolved inside the root.
func (r *rootFS) Rename(from, to string) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	if from == to {
		return 0
	}
	return r.errno(r.root.Rename(rel(from), rel(to)))
}

// Rmdir implements sys.FS.
func (r *rootFS) Rmdir(p string) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	name := rel(p)
	fi, err := r.root.Lstat(name)
	if err != nil {
		return r.errno(err)
	}
	if !fi.IsDir() {
		return sys.ENOTDIR
	}
	return r.errno(r.root.Remove(name))
}

// Unlink implements sys.FS. A symlink is removed itself, never its target.
func (r *rootFS) Unlink(p string) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	name := rel(p)
	fi, err := r.root.Lstat(name)
	if err != nil {
		return r.errno(err)
	}
	if fi.IsDir() {
		return sys.EISDIR
	}
	return r.errno(r.root.Remove(name))
}

// Link implements sys.FS: the guest may never create hard links.
func (r *rootFS) Link(_, _ string) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	return sys.EPERM
}

// Symlink implements sys.FS: the guest may never create symlinks.
func (r *rootFS) Symlink(_, _ string) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	return sys.EPERM
}

// Utimens implements sys.FS. A final symlink is followed inside the root.
func (r *rootFS) Utimens(p string, atim, mtim int64) sys.Errno {
	if r.readOnly {
		return sys.EROFS
	}
	return r.errno(r.root.Chtimes(rel(p), toTime(atim), toTime(mtim)))
}

// toTime converts a sys timestamp; UTIME_OMIT becomes the zero time, which
// os.Root.Chtimes leaves unchanged.
func toTime(nanos int64) time.Time {
	if nanos == sys.UTIME_OMIT {
		return time.Time{}
	}
	return time.Unix(0, nanos)
}
