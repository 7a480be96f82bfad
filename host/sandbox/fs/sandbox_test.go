package sandboxfs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	sandboxfs "github.com/toolhost/toolhost/host/sandbox/fs"
)

// tree is a host directory layout with a read-write mount, a read-only
// mount and, next to them, an outside directory the guest must never reach.
type tree struct {
	base    string // parent of the three
	data    string // mounted read-write at /data (preopen fd 3)
	ro      string // mounted read-only at /ro (preopen fd 4)
	outside string // not mounted
}

const (
	outsideSecret = "outside-secret"
	outsideHard   = "outside-hard"
)

// newTree builds:
//
//	outside/secret             "outside-secret"
//	outside/hardsrc            "outside-hard"
//	data/hello.txt             "hello"
//	data/sub/inner.txt         "inner"
//	data/empty/
//	data/link-etc       -> /etc                (absolute, outside)
//	data/link-rel       -> ../../..            (relative, outside)
//	data/link-sib       -> ../outside          (sibling directory, outside)
//	data/link-abs       -> <base>/outside      (absolute, outside)
//	data/link-dangle    -> ../outside/created  (dangling, outside)
//	data/link-in        -> hello.txt           (inside)
//	data/hardlink          hard link to outside/hardsrc, made by the host
//	ro/ro.txt                  "read-only"
//	ro/rosub/
func newTree(t *testing.T) tree {
	t.Helper()
	base := t.TempDir()
	tr := tree{
		base:    base,
		data:    filepath.Join(base, "data"),
		ro:      filepath.Join(base, "ro"),
		outside: filepath.Join(base, "outside"),
	}
	for _, d := range []string{tr.outside, filepath.Join(tr.data, "sub"), filepath.Join(tr.data, "empty"), filepath.Join(tr.ro, "rosub")} {
		mustDo(t, os.MkdirAll(d, 0o755))
	}
	for name, content := range map[string]string{
		filepath.Join(tr.outside, "secret"):     outsideSecret,
		filepath.Join(tr.outside, "hardsrc"):    outsideHard,
		filepath.Join(tr.data, "hello.txt"):     "hello",
		filepath.Join(tr.data, "sub/inner.txt"): "inner",
		filepath.Join(tr.ro, "ro.txt"):          "read-only",
	} {
		mustDo(t, os.WriteFile(name, []byte(content), 0o644))
	}
	for link, target := range map[string]string{
		"link-etc":    "/etc",
		"link-rel":    "../../..",
		"link-sib":    "../outside",
		"link-abs":    tr.outside,
		"link-dangle": "../outside/created",
		"link-in":     "hello.txt",
	} {
		mustDo(t, os.Symlink(target, filepath.Join(tr.data, link)))
	}
	mustDo(t, os.Link(filepath.Join(tr.outside, "hardsrc"), filepath.Join(tr.data, "hardlink")))
	return tr
}

func (tr tree) mounts() []sandboxfs.Mount {
	return []sandboxfs.Mount{
		{Host: tr.data, Guest: "/data"},
		{Host: tr.ro, Guest: "/ro", ReadOnly: true},
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// hostState checks files on the host after a guest run.
type hostState func(t *testing.T, tr tree)

func fileIs(rel, want string) hostState {
	return func(t *testing.T, tr tree) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(tr.base, rel))
		if err != nil {
			t.Errorf("host file %s: %v", rel, err)
		} else if string(b) != want {
			t.Errorf("host file %s = %q, want %q", rel, b, want)
		}
	}
}

func absent(rel string) hostState {
	return func(t *testing.T, tr tree) {
		t.Helper()
		if _, err := os.Lstat(filepath.Join(tr.base, rel)); !os.IsNotExist(err) {
			t.Errorf("host path %s exists (err=%v), want it absent", rel, err)
		}
	}
}

func isDir(rel string) hostState {
	return func(t *testing.T, tr tree) {
		t.Helper()
		if fi, err := os.Lstat(filepath.Join(tr.base, rel)); err != nil || !fi.IsDir() {
			t.Errorf("host path %s is not a directory (err=%v)", rel, err)
		}
	}
}

func modeIs(rel string, want fs.FileMode) hostState {
	return func(t *testing.T, tr tree) {
		t.Helper()
		fi, err := os.Stat(filepath.Join(tr.base, rel))
		if err != nil {
			t.Errorf("host path %s: %v", rel, err)
		} else if fi.Mode().Perm() != want {
			t.Errorf("host path %s mode %v, want %v", rel, fi.Mode().Perm(), want)
		}
	}
}

// roUntouched is the read-only mount exactly as newTree made it.
var roUntouched = []hostState{fileIs("ro/ro.txt", "read-only"), isDir("ro/rosub"), modeIs("ro/ro.txt", 0o644)}

// outsideUntouched is the outside directory exactly as newTree made it.
var outsideUntouched = []hostState{fileIs("outside/secret", outsideSecret), fileIs("outside/hardsrc", outsideHard), absent("outside/created"), absent("outside/pwn"), absent("outside/x")}

// TestGuestAttempts runs the WASI guest against Config's mounts and checks
// the exact outcome of each attempt, then what is on the host disk.
func TestGuestAttempts(t *testing.T) {
	g := newGuest(t)
	const dataListing = "empty,hardlink,hello.txt,link-abs,link-dangle,link-etc,link-in,link-rel,link-sib,sub"
	tests := []struct {
		name string
		args []string
		want string
		host []hostState
	}{
		// Legitimate use.
		{"read rw file", []string{"read", "/data/hello.txt"}, "ok hello", nil},
		{"read ro file", []string{"read", "/ro/ro.txt"}, "ok read-only", roUntouched},
		{"two mounts in one run", []string{"read", "/data/sub/inner.txt", ";", "readdir", "/ro"}, "ok inner\nok ro.txt,rosub", nil},
		{"write then read back", []string{"write", "/data/new.txt", "abc", ";", "append", "/data/new.txt", "de", ";", "read", "/data/new.txt"}, "ok\nok\nok abcde", []hostState{fileIs("data/new.txt", "abcde")}},
		{"fd operations: pwrite seek write truncate sync pread fstat", []string{"rwfile", "/data/rw.bin"}, "ok b456 size=8", []hostState{fileIs("data/rw.bin", "01ab4567")}},
		{"mkdir then readdir", []string{"mkdir", "/data/newdir", ";", "write", "/data/newdir/f", "x", ";", "readdir", "/data/newdir", ";", "stat", "/data/newdir"}, "ok\nok\nok f\nok dir", []hostState{fileIs("data/newdir/f", "x")}},
		{"readdir mount root lists only the mount", []string{"readdir", "/data"}, "ok " + dataListing, nil},
		{"rename within the mount", []string{"rename", "/data/hello.txt", "/data/sub/moved.txt", ";", "read", "/data/sub/moved.txt"}, "ok\nok hello", []hostState{absent("data/hello.txt"), fileIs("data/sub/moved.txt", "hello")}},
		{"unlink and rmdir on rw", []string{"unlink", "/data/sub/inner.txt", ";", "rmdir", "/data/sub", ";", "rmdir", "/data/hello.txt", ";", "unlink", "/data/empty"}, "ok\nok\nENOTDIR\nEISDIR", []hostState{absent("data/sub"), fileIs("data/hello.txt", "hello"), isDir("data/empty")}},
		{"truncate and utimes on rw", []string{"truncate", "/data/hello.txt", "2", ";", "utimes", "/data/hello.txt", ";", "read", "/data/hello.txt"}, "ok\nok\nok he", []hostState{fileIs("data/hello.txt", "he")}},
		{"symlink inside the mount is followed", []string{"read", "/data/link-in", ";", "lstat", "/data/link-in"}, "ok hello\nok symlink", nil},

		// Lexical escapes.
		{"dotdot through Go's path cleaning", []string{"read", "/data/../../etc/passwd"}, "EBADF", nil},
		{"dotdot raw at the preopen", []string{"rawopen", "3", "../../etc/passwd"}, "EPERM", nil},
		{"dotdot raw into the sibling", []string{"rawopen", "3", "sub/../../outside/secret"}, "EPERM", outsideUntouched},
		{"absolute path outside every mount", []string{"read", "/etc/passwd"}, "EBADF", nil},
		{"readdir of / sees no host root", []string{"readdir", "/", ";", "stat", "/"}, "EBADF\nEBADF", nil},

		// Symlinks planted on the host.
		{"symlink to /etc (absolute)", []string{"read", "/data/link-etc/passwd", ";", "readdir", "/data/link-etc", ";", "stat", "/data/link-etc"}, "EPERM\nEPERM\nEPERM", nil},
		{"symlink to ../../.. (relative)", []string{"read", "/data/link-rel/etc/passwd", ";", "readdir", "/data/link-rel"}, "EPERM\nEPERM", nil},
		{"symlink to a sibling dir", []string{"read", "/data/link-sib/secret", ";", "read", "/data/link-abs/secret"}, "EPERM\nEPERM", outsideUntouched},
		{"write through an escaping symlink", []string{"write", "/data/link-sib/pwn", "x", ";", "mkdir", "/data/link-sib/x", ";", "utimes", "/data/link-sib/secret", ";", "truncate", "/data/link-abs/secret", "0"}, "EPERM\nEPERM\nEPERM\nEPERM", outsideUntouched},
		{"create through a dangling escaping symlink", []string{"write", "/data/link-dangle", "x", ";", "createexcl", "/data/link-dangle"}, "EPERM\nEEXIST", outsideUntouched},
		{"readlink returns only text", []string{"readlink", "/data/link-etc", ";", "lstat", "/data/link-etc"}, "ok /etc\nok symlink", nil},
		{"unlink an escaping symlink removes the link", []string{"unlink", "/data/link-sib"}, "ok", append([]hostState{absent("data/link-sib")}, outsideUntouched...)},

		// Guest-made links.
		{"symlink creation (absolute target)", []string{"symlink", "/etc", "/data/evil"}, "EPERM", []hostState{absent("data/evil")}},
		{"symlink creation (relative inside target)", []string{"symlink", "hello.txt", "/data/evil"}, "EPERM", []hostState{absent("data/evil")}},
		{"hard link creation", []string{"link", "/data/hello.txt", "/data/hl", ";", "link", "/data/hardlink", "/data/hl"}, "EPERM\nEPERM", []hostState{absent("data/hl")}},

		// Renames that try to leave.
		{"rename escaping via dotdot (cleaned by Go)", []string{"rename", "/data/hello.txt", "/data/../outside/x"}, "EBADF", append([]hostState{fileIs("data/hello.txt", "hello")}, outsideUntouched...)},
		{"rename escaping via raw dotdot", []string{"rawrename", "3", "hello.txt", "3", "../outside/x"}, "EPERM", append([]hostState{fileIs("data/hello.txt", "hello")}, outsideUntouched...)},
		{"rename escaping via symlink", []string{"rename", "/data/hello.txt", "/data/link-sib/x", ";", "rename", "/data/link-abs/secret", "/data/stolen"}, "EPERM\nEPERM", append([]hostState{fileIs("data/hello.txt", "hello"), absent("data/stolen")}, outsideUntouched...)},
		// wazero refuses a rename between two preopens before asking either FS.
		{"rename across mounts", []string{"rename", "/data/hello.txt", "/ro/x", ";", "rename", "/ro/ro.txt", "/data/x"}, "ENOSYS\nENOSYS", append([]hostState{fileIs("data/hello.txt", "hello"), absent("data/x")}, roUntouched...)},

		// Read-only mount.
		{"ro: create", []string{"write", "/ro/new.txt", "x"}, "EROFS", append([]hostState{absent("ro/new.txt")}, roUntouched...)},
		{"ro: overwrite", []string{"write", "/ro/ro.txt", "x", ";", "append", "/ro/ro.txt", "x", ";", "createexcl", "/ro/x"}, "EROFS\nEROFS\nEROFS", roUntouched},
		{"ro: truncate", []string{"truncate", "/ro/ro.txt", "0"}, "EROFS", roUntouched},
		{"ro: mkdir rmdir unlink", []string{"mkdir", "/ro/d", ";", "rmdir", "/ro/rosub", ";", "unlink", "/ro/ro.txt"}, "EROFS\nEROFS\nEROFS", append([]hostState{absent("ro/d")}, roUntouched...)},
		{"ro: rename", []string{"rename", "/ro/ro.txt", "/ro/x", ";", "rawrename", "4", "ro.txt", "4", "x"}, "EROFS\nEROFS", append([]hostState{absent("ro/x")}, roUntouched...)},
		{"ro: utimes", []string{"utimes", "/ro/ro.txt"}, "EROFS", roUntouched},
		{"ro: chmod is a stat in WASI p1 and changes nothing", []string{"chmod", "/ro/ro.txt"}, "ok", roUntouched},
		{"ro: symlink and link", []string{"symlink", "/etc", "/ro/evil", ";", "link", "/ro/ro.txt", "/ro/hl"}, "EROFS\nEROFS", append([]hostState{absent("ro/evil"), absent("ro/hl")}, roUntouched...)},

		// Not promised: a hard link the host operator made is the outside file.
		{"host-made hard link is the operator's grant", []string{"read", "/data/hardlink"}, "ok " + outsideHard, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTree(t)
			cfg, closer, err := sandboxfs.Config(tr.mounts())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { mustDo(t, closer.Close()) }()
			if got := g.run(t, cfg, tc.args...); got != tc.want {
				t.Errorf("guest %s\n got: %q\nwant: %q", strings.Join(tc.args, " "), got, tc.want)
			}
			for _, check := range tc.host {
				check(t, tr)
			}
		})
	}
}

// TestControlDirMountEscapes runs the symlink attempts against wazero's own
// WithDirMount: they read the outside file. This proves the guest and the
// tree above really attempt an escape, so the EPERMs there are earned.
func TestControlDirMountEscapes(t *testing.T) {
	g := newGuest(t)
	tr := newTree(t)
	cfg := wazero.NewFSConfig().WithDirMount(tr.data, "/data")
	got := g.run(t, cfg, "read", "/data/link-sib/secret", ";", "read", "/data/link-abs/secret")
	if want := "ok " + outsideSecret + "\nok " + outsideSecret; got != want {
		t.Fatalf("wazero dir mount: got %q, want %q (the escape the sandbox must stop)", got, want)
	}
}

// TestNoMounts checks that Config(nil) gives the guest no filesystem.
func TestNoMounts(t *testing.T) {
	g := newGuest(t)
	cfg, closer, err := sandboxfs.Config(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { mustDo(t, closer.Close()) }()
	if got, want := g.run(t, cfg, "readdir", "/", ";", "read", "/etc/passwd"), "EBADF\nEBADF"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
