package sandboxfs

import (
	"errors"
	"io"
	"os"

	"github.com/tetratelabs/wazero/experimental/sys"
	wsys "github.com/tetratelabs/wazero/sys"
)

// file adapts an *os.File opened through os.Root to sys.File, mapping
// errors the way wazero's own os adapter (internal/sysfs) does. wazero
// exports no adapter for an *os.File (experimental/sysfs offers only DirFS,
// ReadFS and AdaptFS, whose files cannot be written), hence this one.
//
// Like every sys.File it is used by one module at a time and is not safe
// for concurrent use.
type file struct {
	sys.UnimplementedFile

	fsys *rootFS
	name string // path inside the root, as opened; used to reopen and for futimens
	flag sys.Oflag
	f    *os.File

	// dev, ino and isDir are cached at open: a descriptor's file never
	// changes identity.
	dev   uint64
	ino   wsys.Inode
	isDir bool

	nonblock bool
	closed   bool
}

var _ sys.PollableFile = (*file)(nil)

// Dev implements sys.File.
func (f *file) Dev() (uint64, sys.Errno) { return f.dev, 0 }

// Ino implements sys.File.
func (f *file) Ino() (wsys.Inode, sys.Errno) { return f.ino, 0 }

// IsDir implements sys.File.
func (f *file) IsDir() (bool, sys.Errno) { return f.isDir, 0 }

// IsAppend implements sys.File.
func (f *file) IsAppend() bool { return f.flag&sys.O_APPEND != 0 }

// SetAppend implements sys.File. os.File cannot change O_APPEND in place, so
// the file is reopened through the root with the new flag and kept only if
// it is still the same file; the offset carries over.
func (f *file) SetAppend(enable bool) sys.Errno {
	switch {
	case f.closed:
		return sys.EBADF
	case f.isDir:
		return sys.EISDIR
	case enable == f.IsAppend():
		return 0
	case f.fsys.readOnly:
		return sys.EROFS
	}
	flag := f.flag &^ (sys.O_CREAT | sys.O_EXCL | sys.O_TRUNC | sys.O_APPEND)
	if enable {
		flag |= sys.O_APPEND
	}
	nf, err := f.fsys.root.OpenFile(f.name, osFlag(flag), 0)
	if err != nil {
		return f.fsys.errno(err)
	}
	if errno := f.sameFile(nf); errno != 0 {
		_ = nf.Close()
		return errno
	}
	off, err := f.f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = nf.Seek(off, io.SeekStart)
	}
	if err != nil {
		_ = nf.Close()
		return sys.UnwrapOSError(err)
	}
	_ = f.f.Close()
	f.f, f.flag = nf, flag
	return 0
}

// sameFile reports ENOENT when other is not the file f has open, for
// example because the name was renamed or replaced since f was opened.
func (f *file) sameFile(other *os.File) sys.Errno {
	a, err := f.f.Stat()
	if err != nil {
		return sys.UnwrapOSError(err)
	}
	b, err := other.Stat()
	if err != nil {
		return sys.UnwrapOSError(err)
	}
	if !os.SameFile(a, b) {
		return sys.ENOENT
	}
	return 0
}

// IsNonblock implements sys.PollableFile.
func (f *file) IsNonblock() bool { return f.nonblock }

// SetNonblock implements sys.PollableFile. Regular files and directories
// never block in the poll sense (POSIX: they always poll ready), so the
// flag is only recorded.
func (f *file) SetNonblock(enable bool) sys.Errno {
	if f.closed {
		return sys.EBADF
	}
	f.nonblock = enable
	return 0
}

// Poll implements sys.Pollable: regular files and directories are always
// ready for reading and writing.
func (f *file) Poll(sys.Pflag, int32) (bool, sys.Errno) {
	if f.closed {
		return false, sys.EBADF
	}
	return true, 0
}

// Stat implements sys.File.
func (f *file) Stat() (wsys.Stat_t, sys.Errno) {
	if f.closed {
		return wsys.Stat_t{}, sys.EBADF
	}
	fi, err := f.f.Stat()
	if err != nil {
		return wsys.Stat_t{}, sys.UnwrapOSError(err)
	}
	return wsys.NewStat_t(fi), 0
}

// fileErr is the errno for a failed data operation: EBADF once closed and
// EISDIR on a directory take precedence over what the OS said.
func (f *file) fileErr(err error) sys.Errno {
	switch {
	case err == nil || errors.Is(err, io.EOF):
		return 0
	case f.closed:
		return sys.EBADF
	case f.isDir:
		return sys.EISDIR
	}
	return sys.UnwrapOSError(err)
}

// Read implements sys.File. End of file is n == 0 with no error.
func (f *file) Read(buf []byte) (int, sys.Errno) {
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.Read(buf)
	return n, f.fileErr(err)
}

// Pread implements sys.File.
func (f *file) Pread(buf []byte, off int64) (int, sys.Errno) {
	if off < 0 {
		return 0, sys.EINVAL
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.ReadAt(buf, off)
	return n, f.fileErr(err)
}

// seekOffset is int64 under another name. go vet's stdmethods check wants
// every Seek(int64, int) to return error as io.Seeker does, but sys.File's
// Seek returns sys.Errno; the alias is the same type to the compiler and
// spares the false report.
type seekOffset = int64

// Seek implements sys.File. On a directory only a rewind to offset zero is
// allowed; it restarts Readdir.
func (f *file) Seek(offset seekOffset, whence int) (int64, sys.Errno) {
	if whence < io.SeekStart || whence > io.SeekEnd {
		return 0, sys.EINVAL
	}
	if f.isDir && (offset != 0 || whence != io.SeekStart) {
		if f.closed {
			return 0, sys.EBADF
		}
		return 0, sys.EISDIR
	}
	// On a directory, os.File.Seek also drops its buffered entries.
	n, err := f.f.Seek(offset, whence)
	if err != nil {
		if f.closed {
			return 0, sys.EBADF
		}
		return 0, sys.UnwrapOSError(err)
	}
	return n, 0
}

// Readdir implements sys.File. Entries are lstat'ed relative to the open
// directory, never by a host path.
func (f *file) Readdir(n int) ([]sys.Dirent, sys.Errno) {
	if f.closed || !f.isDir {
		return nil, sys.EBADF
	}
	fis, err := f.f.Readdir(n)
	if err != nil && !errors.Is(err, io.EOF) {
		if errno := sys.UnwrapOSError(err); errno != sys.EINVAL {
			return nil, errno
		}
		return nil, sys.EBADF
	}
	dirents := make([]sys.Dirent, 0, len(fis))
	for _, fi := range fis {
		st := wsys.NewStat_t(fi)
		dirents = append(dirents, sys.Dirent{Name: fi.Name(), Ino: st.Ino, Type: fi.Mode().Type()})
	}
	return dirents, 0
}

// Write implements sys.File.
func (f *file) Write(buf []byte) (int, sys.Errno) {
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.Write(buf)
	return n, f.fileErr(err)
}

// Pwrite implements sys.File.
func (f *file) Pwrite(buf []byte, off int64) (int, sys.Errno) {
	if off < 0 {
		return 0, sys.EINVAL
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.WriteAt(buf, off)
	return n, f.fileErr(err)
}

// Truncate implements sys.File.
func (f *file) Truncate(size int64) sys.Errno {
	switch {
	case f.closed:
		return sys.EBADF
	case f.isDir:
		return sys.EISDIR
	case size < 0:
		return sys.EINVAL
	case f.fsys.readOnly:
		return sys.EROFS
	}
	return f.fileErr(f.f.Truncate(size))
}

// Sync implements sys.File.
func (f *file) Sync() sys.Errno {
	if f.closed {
		return sys.EBADF
	}
	return sys.UnwrapOSError(f.f.Sync())
}

// Datasync implements sys.File with a full sync.
func (f *file) Datasync() sys.Errno { return f.Sync() }

// Utimens implements sys.File. os.File has no futimens, so the times are set
// by name through the root, after checking that the name still refers to
// this descriptor's file.
func (f *file) Utimens(atim, mtim int64) sys.Errno {
	switch {
	case f.closed:
		return sys.EBADF
	case f.fsys.readOnly:
		return sys.EROFS
	}
	nf, err := f.fsys.root.Open(f.name)
	if err != nil {
		return f.fsys.errno(err)
	}
	errno := f.sameFile(nf)
	_ = nf.Close()
	if errno != 0 {
		return errno
	}
	return f.fsys.errno(f.fsys.root.Chtimes(f.name, toTime(atim), toTime(mtim)))
}

// Close implements sys.File. Closing twice is not an error.
func (f *file) Close() sys.Errno {
	if f.closed {
		return 0
	}
	f.closed = true
	return sys.UnwrapOSError(f.f.Close())
}
