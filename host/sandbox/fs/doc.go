// Package sandboxfs gives WebAssembly guests the directories a plugin was
// granted (runtime_config.allowed_paths) and nothing else, as wazero
// filesystems whose every path operation goes through an [os.Root].
//
// wazero's own dir mounts (WithDirMount, WithReadOnlyDirMount, and so the
// Extism AllowedPaths field) join the guest path onto the host directory as
// a string and let the kernel follow symlinks, so a symlink inside the mount
// that points outside it is an escape. Here each [Mount] is opened once with
// os.OpenRoot, and every lookup walks the path one component at a time with
// openat(O_NOFOLLOW) under that root: "..", absolute paths, and symlinks
// whose target (absolute or relative) leaves the root are refused, and a
// directory swapped for a symlink between a check and a use cannot redirect
// the walk. Mount the result with [Config], which returns a wazero.FSConfig,
// or mount single filesystems from [New] yourself with the
// experimental/sysfs FSConfig.WithSysFSMount. Leave Extism's
// Manifest.AllowedPaths empty: when it is set, Extism replaces the module's
// FSConfig with its own dir mounts.
//
// # Promises
//
//   - Containment. No guest path reaches a file outside Mount.Host, with
//     the single exception of hard links (below). An escaping path fails
//     with EPERM. Absolute guest paths outside every mount match no
//     preopened directory and fail before reaching this package (EBADF in a
//     Go guest), and wazero itself answers EPERM to a ".." that leaves a
//     preopen; this package refuses both again on its own.
//   - Symlinks made by the host operator inside the mount keep working when
//     their target stays inside it. Readlink returns a link's text whatever
//     it says; the text is only a string, and following the link is still
//     confined to the root.
//   - The guest cannot create links. Symlink and Link fail with EPERM on a
//     read-write mount. EPERM, not ENOSYS, because it is what POSIX returns
//     for a filesystem that does not permit the link type (symlink(2),
//     link(2)): the call exists and the policy refuses it, and a guest must
//     not read it as "try another way". Without this a guest could plant a
//     hard link to a file it can already reach and keep it after the grant
//     changes, or a relative symlink that only escapes once the directory is
//     moved.
//   - Read-only. On a Mount with ReadOnly set, every path operation that
//     writes (open for write, create, truncate or append, mkdir, rmdir,
//     unlink, rename, chmod, utimes, link, symlink) fails with EROFS.
//     Descriptors are only ever opened for reading, so fd writes fail with
//     EBADF, and ftruncate and futimens fail with EROFS.
//   - Nothing but the mounts is visible: [Config] mounts exactly the given
//     directories at their guest paths, and there is no root directory
//     unless a Mount's Guest is "/".
//
// # Not promised
//
//   - Hard links made on the host. A hard link inside the mount to a file
//     outside it is the same file, and os.Root cannot tell it apart from any
//     other file. Creating one is the operator's choice and grants the guest
//     that file (with the mount's read-only or read-write access).
//   - Bind mounts and mount points inside Host are entered like ordinary
//     directories. The root is the directory itself: if Host is a symlink,
//     os.OpenRoot follows it once when the mount is opened.
//   - Exact POSIX semantics where they do not affect containment. Unlink and
//     Rmdir check the file type before removing, and O_NOFOLLOW checks for a
//     symlink before opening; a concurrent host-side swap in between can make
//     them act on the other type of entry, still inside the root. Rename
//     refuses to replace an existing directory (EEXIST), as os.Root does.
//     Timestamps set through a descriptor (futimens) are applied by path
//     after checking that the path still names the descriptor's file.
//   - Resource limits: file sizes, the number of files and disk usage are
//     not bounded here.
//   - Side channels: stat results (inode numbers, owners, times) of files
//     inside the mount are passed through.
//   - chmod is not part of WASI preview 1 (Go guests emulate it with stat),
//     so only hosts that call the FS directly reach Chmod.
//
// The returned io.Closer releases the os.Root handles. Close it after every
// module using the filesystems has been closed: descriptors the guest
// already holds keep working, but new lookups fail with EBADF.
package sandboxfs
