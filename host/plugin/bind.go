package plugin

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	wsys "github.com/tetratelabs/wazero/sys"

	"github.com/toolhost/toolhost/host/internal/engine"
	sandboxfs "github.com/toolhost/toolhost/host/sandbox/fs"
)

// A binding ties one instance's WASI side to the call it is running. wazero
// asks a ModuleConfig for sleeps, stdio and the filesystem without any
// context, so each instance gets its own ModuleConfig whose hooks read the
// current call from here (docs/threat-model.md, "Gaps the escape suite
// found"):
//
//   - sleeps (WASI poll_oneoff) end when the call's context ends, so a guest
//     cannot sleep past runtime_config.timeout: wazero's own nanosleep is a
//     plain time.Sleep that WithCloseOnContextDone cannot interrupt;
//   - filesystem refusals that reach the mounts are logged with the tool;
//   - stdout and stderr lines are logged per instance, and a guest runtime's
//     "out of memory" report marks the call, so that its trap can name
//     runtime_config.memory_limit.
type binding struct {
	p   *Plugin
	cur atomic.Pointer[boundCall]
	out *lineLogger
	fs  io.Closer // the instance's own os.Root handles
}

// boundCall is the call (or the instantiation) an instance is running.
type boundCall struct {
	ctx  context.Context
	tool string
	oom  atomic.Bool
}

// newBinding returns a binding and the ModuleConfig of a new instance.
func (p *Plugin) newBinding() (*binding, wazero.ModuleConfig, error) {
	b := &binding{p: p}
	b.out = &lineLogger{log: p.log, onLine: b.sawLine}
	fsConfig, closer, err := b.fsConfig()
	if err != nil {
		return nil, nil, err
	}
	b.fs = closer
	mc := p.moduleConfig.
		WithNanosleep(b.sleep).
		WithStdout(b.out).WithStderr(b.out).
		WithFSConfig(fsConfig)
	return b, mc, nil
}

// begin binds a call's context (tool "" for instantiation and catalog
// reads); end unbinds it.
func (b *binding) begin(ctx context.Context, tool string) *boundCall {
	c := &boundCall{ctx: ctx, tool: tool}
	b.cur.Store(c)
	return c
}

func (b *binding) end() { b.cur.Store(nil) }

func (b *binding) close() error {
	if b.fs == nil {
		return nil
	}
	return b.fs.Close()
}

// sleep serves WASI sleeps: like time.Sleep, but it returns as soon as the
// bound call's context is done. wazero then stops the guest at its next
// function call or loop iteration.
func (b *binding) sleep(ns int64) {
	if ns <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	var done <-chan struct{}
	if c := b.cur.Load(); c != nil {
		done = c.ctx.Done()
	}
	select {
	case <-t.C:
	case <-done:
	}
}

// sawLine watches guest stdout and stderr for a runtime's out-of-memory
// report: Go's "fatal error: out of memory", Rust's "memory allocation of N
// bytes failed". The guest controls this text, but all it can gain is a
// memory_limit hint in its own call's error.
func (b *binding) sawLine(line string) {
	if !strings.Contains(line, "out of memory") && !strings.Contains(line, "memory allocation of") {
		return
	}
	if c := b.cur.Load(); c != nil {
		c.oom.Store(true)
	}
}

// fsConfig mounts the plugin's allowed_paths for one instance, each mount
// wrapped so that the refusals it answers are logged.
func (b *binding) fsConfig() (wazero.FSConfig, io.Closer, error) {
	cfg := wazero.NewFSConfig()
	var closers multiCloser
	for _, m := range b.p.cfg.Runtime.AllowedPaths {
		fsys, closer, err := sandboxfs.New(sandboxfs.Mount{Host: m.Host, Guest: m.Guest, ReadOnly: m.ReadOnly})
		if err != nil {
			closers.Close()
			return nil, nil, err
		}
		closers = append(closers, closer)
		cfg = cfg.(sysfs.FSConfig).WithSysFSMount(&auditFS{FS: fsys, b: b, guest: m.Guest, readOnly: m.ReadOnly}, m.Guest)
	}
	return cfg, closers, nil
}

// refused logs a filesystem refusal. The guest already has its errno; the
// log tells the operator what was refused, for which tool, and the key that
// governs it.
func (b *binding) refused(op, guestPath string, errno sys.Errno, readOnly bool) {
	tool := ""
	if c := b.cur.Load(); c != nil {
		tool = c.tool
	}
	reason := "the path leaves the mount (a symlink, \"..\" or an absolute name)"
	switch {
	case errno == sys.EROFS:
		reason = "the mount is read-only"
	case op == "link" || op == "symlink":
		reason = "plugins may not create links"
	}
	grant := "runtime_config.allowed_paths"
	if readOnly && errno == sys.EROFS {
		grant = "runtime_config.allowed_paths (drop :ro to allow writes)"
	}
	b.p.log.Warn("filesystem access denied", "tool", tool, "op", op, "target", guestPath,
		"errno", errno.Error(), "reason", reason, "grant", grant)
}

type multiCloser []io.Closer

func (cs multiCloser) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// auditFS passes every operation to a sandboxfs mount and reports its
// policy refusals (EPERM: an escape or a link; EROFS: a write to a
// read-only mount). Refusals that wazero answers before the mount is
// reached (".." or an absolute name, a path outside every mount) are not
// seen here.
type auditFS struct {
	sys.FS
	b        *binding
	guest    string
	readOnly bool
}

// at is the guest's name for a path relative to the mount.
func (a *auditFS) at(p string) string { return path.Join(a.guest, p) }

func (a *auditFS) check(op, target string, errno sys.Errno) sys.Errno {
	if errno == sys.EPERM || errno == sys.EROFS {
		a.b.refused(op, target, errno, a.readOnly)
	}
	return errno
}

func (a *auditFS) OpenFile(p string, flag sys.Oflag, perm fs.FileMode) (sys.File, sys.Errno) {
	f, errno := a.FS.OpenFile(p, flag, perm)
	return f, a.check("open", a.at(p), errno)
}

func (a *auditFS) Lstat(p string) (wsys.Stat_t, sys.Errno) {
	st, errno := a.FS.Lstat(p)
	return st, a.check("lstat", a.at(p), errno)
}

func (a *auditFS) Stat(p string) (wsys.Stat_t, sys.Errno) {
	st, errno := a.FS.Stat(p)
	return st, a.check("stat", a.at(p), errno)
}

func (a *auditFS) Mkdir(p string, perm fs.FileMode) sys.Errno {
	return a.check("mkdir", a.at(p), a.FS.Mkdir(p, perm))
}

func (a *auditFS) Chmod(p string, perm fs.FileMode) sys.Errno {
	return a.check("chmod", a.at(p), a.FS.Chmod(p, perm))
}

func (a *auditFS) Rename(from, to string) sys.Errno {
	return a.check("rename", a.at(from)+" -> "+a.at(to), a.FS.Rename(from, to))
}

func (a *auditFS) Rmdir(p string) sys.Errno { return a.check("rmdir", a.at(p), a.FS.Rmdir(p)) }

func (a *auditFS) Unlink(p string) sys.Errno { return a.check("unlink", a.at(p), a.FS.Unlink(p)) }

func (a *auditFS) Link(oldPath, newPath string) sys.Errno {
	return a.check("link", a.at(newPath), a.FS.Link(oldPath, newPath))
}

func (a *auditFS) Symlink(oldPath, linkName string) sys.Errno {
	return a.check("symlink", a.at(linkName), a.FS.Symlink(oldPath, linkName))
}

func (a *auditFS) Readlink(p string) (string, sys.Errno) {
	s, errno := a.FS.Readlink(p)
	return s, a.check("readlink", a.at(p), errno)
}

func (a *auditFS) Utimens(p string, atim, mtim int64) sys.Errno {
	return a.check("utimens", a.at(p), a.FS.Utimens(p, atim, mtim))
}

// bindingOf returns the binding of a live instance, or nil.
func bindingOf(inst *engine.Instance) *binding {
	b, _ := inst.Data().(*binding)
	return b
}

// outOfMemory starts the message of a trap that followed an out-of-memory
// report, naming the limit that applied.
func (p *Plugin) outOfMemory() string {
	if limit := p.cfg.Runtime.MemoryLimit; limit > 0 {
		return fmt.Sprintf("the plugin ran out of memory under runtime_config.memory_limit (%s) and crashed; raise memory_limit if the tool needs more (wasm trap): ", limit)
	}
	return "the plugin ran out of memory and crashed (no runtime_config.memory_limit is set, so it had the 4 GiB wasm maximum) (wasm trap): "
}
