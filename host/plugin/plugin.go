package plugin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/internal/engine"
	"github.com/toolhost/toolhost/host/sandbox/egress"
	sandboxfs "github.com/toolhost/toolhost/host/sandbox/fs"
)

// Catalog is what a plugin exposes, with plugin-local names, after the
// operator's skip_* filters.
type Catalog struct {
	Tools     []abi.Tool
	Prompts   []abi.Prompt
	Resources []abi.Resource
	Templates []abi.ResourceTemplate
}

// A Plugin is one loaded plugin. It is safe for concurrent use.
type Plugin struct {
	name     string
	cfg      config.Plugin
	version  abi.Version
	exports  map[string]bool
	log      *slog.Logger
	onChange func(*Plugin, Lists)

	engine       *engine.Engine
	module       atomic.Pointer[engine.Module]         // nil until compiled (lazy plugins: first call)
	compileMu    sync.Mutex                            // guards source and compiling
	compiling    *compilation                          // a lazy plugin's first compilation, while it runs or once it succeeded
	source       func(context.Context) ([]byte, error) // a lazy plugin's module bytes
	digest       [sha256.Size]byte
	cmd          *command // for abi.Command plugins instead of compiled
	moduleConfig wazero.ModuleConfig
	fsCloser     io.Closer
	host         []hostFunc // hostFunctions(), indexed as engineFuncs()
	egress       *egress.Client

	catalog atomic.Pointer[Catalog]

	slots chan struct{} // caps concurrent calls (runtime_config.max_concurrency)

	mu       sync.Mutex
	idle     []*engine.Instance
	sessions map[string]*sessionSlot
	closed   bool
	wg       sync.WaitGroup // calls in flight, waited for by Close
}

type sessionSlot struct {
	lock chan struct{} // one call at a time on the session's instance
	inst *engine.Instance
}

// newPlugin sets a plugin up. With a remembered catalog (listed) it is
// served from that and compiled on first use; otherwise it is compiled and
// instantiated now and its catalog read, and returned unfiltered as well.
func newPlugin(ctx context.Context, l *Loader, cfg *config.Plugin, version abi.Version, exports []string, wasm []byte, digest [sha256.Size]byte, listed *Catalog) (*Plugin, *Catalog, error) {
	rt := cfg.Runtime
	p := &Plugin{
		name:     cfg.Name,
		cfg:      *cfg,
		version:  version,
		exports:  map[string]bool{},
		log:      l.log.With("plugin", cfg.Name),
		onChange: l.opts.OnCatalogChange,
		engine:   l.engine,
		digest:   digest,
		slots:    make(chan struct{}, max(rt.MaxConcurrency, 1)),
		sessions: map[string]*sessionSlot{},
	}
	for _, e := range exports {
		p.exports[e] = true
	}

	mounts := make([]sandboxfs.Mount, len(rt.AllowedPaths))
	for i, m := range rt.AllowedPaths {
		mounts[i] = sandboxfs.Mount{Host: m.Host, Guest: m.Guest, ReadOnly: m.ReadOnly}
	}
	fsConfig, fsCloser, err := sandboxfs.Config(mounts)
	if err != nil {
		return nil, nil, fmt.Errorf("plugin[%s] runtime_config.allowed_paths: %w", cfg.Name, err)
	}
	p.fsCloser = fsCloser

	policy, err := egress.ParseRules(rt.AllowedHosts)
	if err != nil {
		p.fsCloser.Close()
		return nil, nil, fmt.Errorf("plugin[%s] runtime_config.allowed_hosts: %w", cfg.Name, err)
	}
	creds := make([]egress.Credential, len(rt.Secrets))
	for i, s := range rt.Secrets {
		creds[i] = egress.Credential{Host: s.Host, Header: s.Header, Value: s.Value.Reveal()}
	}
	p.egress = egress.New(egress.Options{
		Policy: policy, Credentials: creds, Timeout: rt.Timeout,
		MaxResponseBytes: int64(rt.MaxOutput), Logger: p.log,
	})

	// The guest gets a real clock, real randomness and nothing of the host's
	// environment, arguments or stdio (toolchains.md §7.9). Its stdout and
	// stderr go to the debug log, never to the process's stdout, which may
	// be the MCP stdio transport.
	logw := &lineLogger{log: p.log}
	p.moduleConfig = wazero.NewModuleConfig().
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithFSConfig(fsConfig).
		WithStdout(logw).WithStderr(logw)

	if version == abi.Command {
		if p.cmd, err = newCommand(ctx, l.cache, rt, wasm); err != nil {
			p.fsCloser.Close()
			return nil, nil, fmt.Errorf("plugin[%s] (%s): compiling: %w", cfg.Name, cfg.Location.URL, err)
		}
		p.exports[abi.ExportListTools], p.exports[abi.ExportCallTool] = true, true
		c, err := p.readCatalog(ctx, nil)
		if err != nil {
			p.closeAll(ctx)
			return nil, nil, fmt.Errorf("%w; %s is a WASI command module, and as a command plugin it must answer {\"method\":\"list_tools\"} on stdin with {\"tools\":[...]} on stdout "+
				"(if it is meant to be an Extism plugin, build it as a reactor: -buildmode=c-shared)", err, cfg.Location.URL)
		}
		p.catalog.Store(c)
		return p, nil, nil
	}

	p.host = p.hostFunctions()
	if listed != nil {
		p.source = func(ctx context.Context) ([]byte, error) { return l.fetch(ctx, cfg) }
		if cfg.Location.Scheme == "http" || cfg.Location.Scheme == "https" {
			p.source = func(context.Context) ([]byte, error) { return wasm, nil }
		}
		p.catalog.Store(p.filter(listed))
		return p, listed, nil
	}
	m, err := p.compile(ctx, wasm)
	if err != nil {
		p.fsCloser.Close()
		return nil, nil, fmt.Errorf("plugin[%s] (%s): compiling: %w", cfg.Name, cfg.Location.URL, err)
	}
	p.module.Store(m)

	// Instantiate once now, so a module that cannot start fails at load,
	// and read the catalog with it; the instance then joins the pool. A
	// start function gets runtime_config.timeout, as calls do.
	ictx, cancel := context.WithTimeout(ctx, rt.Timeout)
	inst, err := p.newInstance(ictx)
	cancel()
	if err != nil {
		p.closeAll(ctx)
		return nil, nil, err
	}
	listed, err = p.listCatalog(ctx, inst)
	if err != nil {
		p.closeInstance(inst)
		p.closeAll(ctx)
		return nil, nil, err
	}
	p.catalog.Store(p.filter(listed))
	p.idle = append(p.idle, inst)
	return p, listed, nil
}

// compile compiles the plugin's module with its memory limit.
func (p *Plugin) compile(ctx context.Context, wasm []byte) (*engine.Module, error) {
	m, err := p.engine.Compile(ctx, wasm, engine.CompileOptions{MemoryLimitPages: p.cfg.Runtime.MemoryLimit.Pages()})
	if err != nil {
		return nil, err
	}
	if !m.Interruptible {
		p.log.Info("module could not be instrumented for interruption; its calls are stopped by wazero's close-on-context-done, which makes CPU-bound guests several times slower")
	}
	return m, nil
}

// Name is the configured plugin name.
func (p *Plugin) Name() string { return p.name }

// Config is the plugin's configuration.
func (p *Plugin) Config() *config.Plugin { return &p.cfg }

// ABI is the detected ABI version.
func (p *Plugin) ABI() abi.Version { return p.version }

// Exports reports whether the module exports the named function.
func (p *Plugin) Exports(name string) bool { return p.exports[name] }

// Interruptible reports whether the plugin's module was instrumented with
// the interrupt flag (RATIONALE.md, "Why instrument modules with an
// interrupt flag?"), false when it runs on wazero's close-on-context-done
// fallback. compiled is false while a lazily loaded plugin has not been
// compiled yet; command plugins are never instrumented.
func (p *Plugin) Interruptible() (interruptible, compiled bool) {
	m := p.module.Load()
	if m == nil {
		return false, p.cmd != nil
	}
	return m.Interruptible, true
}

// Catalog returns the plugin's current catalog. Do not modify it.
func (p *Plugin) Catalog() *Catalog { return p.catalog.Load() }

// Prefix is the namespace prefix for the plugin's names: the plugin name
// unless runtime_config.prefix overrides it ("" = no prefix).
func (p *Plugin) Prefix() string {
	if p.cfg.Runtime.Prefix != nil {
		return *p.cfg.Runtime.Prefix
	}
	return p.name
}

func (p *Plugin) newInstance(ctx context.Context) (*engine.Instance, error) {
	module, err := p.ensureModule(ctx)
	if err != nil {
		return nil, err
	}
	b, mc, err := p.newBinding()
	if err != nil {
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Err: err,
			Msg: "could not create an instance: runtime_config.allowed_paths: " + err.Error()}
	}
	b.begin(ctx, "")
	inst, err := module.Instantiate(ctx, mc, engine.InstanceOptions{
		Config:         p.cfg.Runtime.EnvVars,
		LogLevel:       p.guestLogLevel(),
		Log:            p.guestLog,
		MaxKernelBytes: uint64(max(p.cfg.Runtime.MemoryLimit, 0)),
		Data:           b,
	})
	b.end()
	if err != nil {
		b.close()
		msg := "could not create an instance: " + sanitize(err.Error())
		if ctx.Err() == context.DeadlineExceeded {
			msg = fmt.Sprintf("could not create an instance: its start function or runtime initialiser was stopped after runtime_config.timeout (%s); raise timeout if it needs longer",
				p.cfg.Runtime.Timeout)
		}
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Err: err, Msg: msg}
	}
	return inst, nil
}

// guestLogLevel is the lowest Extism level the host logger would show.
func (p *Plugin) guestLogLevel() engine.LogLevel {
	for _, l := range []engine.LogLevel{engine.LogTrace, engine.LogInfo, engine.LogWarn, engine.LogError} {
		if p.log.Enabled(context.Background(), extismLevel(l)) {
			return l
		}
	}
	return engine.LogOff
}

func (p *Plugin) guestLog(level engine.LogLevel, msg string) {
	p.log.Log(context.Background(), extismLevel(level), "guest log", "message", msg)
}

func extismLevel(l engine.LogLevel) slog.Level {
	switch l {
	case engine.LogTrace, engine.LogDebug:
		return slog.LevelDebug
	case engine.LogInfo:
		return slog.LevelInfo
	case engine.LogWarn:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// readCatalog calls the list exports on inst and applies skip_* filters.
func (p *Plugin) readCatalog(ctx context.Context, inst *engine.Instance) (*Catalog, error) {
	c, err := p.listCatalog(ctx, inst)
	if err != nil {
		return nil, err
	}
	return p.filter(c), nil
}

// filter applies the skip_* filters to a listed catalog.
func (p *Plugin) filter(listed *Catalog) *Catalog {
	rt := p.cfg.Runtime
	c := &Catalog{}
	for _, t := range listed.Tools {
		if !rt.SkipTools.Match(t.Name) {
			c.Tools = append(c.Tools, t)
		}
	}
	for _, x := range listed.Prompts {
		if !rt.SkipPrompts.Match(x.Name) {
			c.Prompts = append(c.Prompts, x)
		}
	}
	for _, x := range listed.Resources {
		if !rt.SkipResources.Match(x.URI) {
			c.Resources = append(c.Resources, x)
		}
	}
	for _, x := range listed.Templates {
		if !rt.SkipResourceTemplates.Match(x.URITemplate) {
			c.Templates = append(c.Templates, x)
		}
	}
	return c
}

// listCatalog calls the list exports on inst: the catalog as the guest
// lists it, before filters.
func (p *Plugin) listCatalog(ctx context.Context, inst *engine.Instance) (*Catalog, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Runtime.Timeout)
	defer cancel()
	req := Request{ID: "toolhost-list"}
	c := &Catalog{}
	list := func(export string) ([]byte, error) {
		if !p.exports[export] {
			return nil, nil
		}
		out, _, err := p.invoke(ctx, inst, req, export, "", abi.ListInput(req.context()))
		return out, err
	}
	decodeErr := func(export string, err error) error {
		return &CallError{Plugin: p.name, Export: export, Kind: BadOutput, Err: err, Msg: "invalid output: " + err.Error()}
	}
	toolsExport := abi.ExportListTools
	if p.version == abi.V1 {
		toolsExport = abi.ExportDescribe
	}
	out, err := list(toolsExport)
	if err != nil {
		return nil, err
	}
	tools, err := abi.DecodeTools(out)
	if err != nil {
		return nil, decodeErr(toolsExport, err)
	}
	c.Tools = tools
	if p.version == abi.V1 {
		return c, nil
	}
	if out, err = list(abi.ExportListPrompts); err != nil {
		return nil, err
	} else if out != nil {
		if c.Prompts, err = abi.DecodePrompts(out); err != nil {
			return nil, decodeErr(abi.ExportListPrompts, err)
		}
	}
	if out, err = list(abi.ExportListResources); err != nil {
		return nil, err
	} else if out != nil {
		if c.Resources, err = abi.DecodeResources(out); err != nil {
			return nil, decodeErr(abi.ExportListResources, err)
		}
	}
	if out, err = list(abi.ExportListResourceTemplates); err != nil {
		return nil, err
	} else if out != nil {
		if c.Templates, err = abi.DecodeResourceTemplates(out); err != nil {
			return nil, decodeErr(abi.ExportListResourceTemplates, err)
		}
	}
	return c, nil
}

// Call runs one export with the plugin's limits and returns its raw output.
// tool names the tool for error messages and logs ("" if none).
func (p *Plugin) Call(ctx context.Context, req Request, export, tool string, input []byte) ([]byte, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, &CallError{Plugin: p.name, Export: export, Tool: tool, Kind: Unavailable, Msg: "plugin is shut down"}
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()

	cerr := func(kind ErrorKind, msg string, err error) error {
		return &CallError{Plugin: p.name, Export: export, Tool: tool, Kind: kind, Msg: msg, Err: err}
	}
	if p.cmd == nil && p.module.Load() == nil {
		// A lazy plugin's first call: compile before the timeout starts,
		// which bounds the guest, not the host's compiler.
		if _, err := p.ensureModule(ctx); err != nil {
			var ce *CallError
			if errors.As(err, &ce) { // shared by the calls that waited: copy it
				named := *ce
				named.Export, named.Tool = export, tool
				return nil, &named
			}
			return nil, err
		}
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Runtime.Timeout)
	defer cancel()
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		if parent.Err() != nil {
			return nil, cerr(Canceled, "cancelled while waiting for a free instance", parent.Err())
		}
		return nil, cerr(Busy, fmt.Sprintf("all %d instances stayed busy for %s: raise runtime_config.max_concurrency or timeout",
			cap(p.slots), p.cfg.Runtime.Timeout), ctx.Err())
	}
	defer func() { <-p.slots }()

	if p.cmd != nil {
		out, _, err := p.invoke(ctx, nil, req, export, tool, input)
		return out, err
	}
	inst, release, err := p.take(ctx, req.Session)
	if err != nil {
		if ctx.Err() != nil {
			return nil, cerr(Canceled, "cancelled while waiting for the session's instance", err)
		}
		var ce *CallError
		if errors.As(err, &ce) {
			ce.Export, ce.Tool = export, tool
		}
		return nil, err
	}
	out, state, err := p.invoke(ctx, inst, req, export, tool, input)
	if err != nil {
		// Give parent cancellation its own kind: the client went away.
		if parent.Err() != nil && KindOf(err) == Timeout {
			err = cerr(Canceled, "cancelled by the client", parent.Err())
		}
		discard := KindOf(err) != GuestError && KindOf(err) != OutputTooLarge
		release(discard)
		return nil, err
	}
	if state.changed != 0 {
		p.refresh(ctx, inst, state.changed)
	}
	release(false)
	return out, nil
}

// take gets an instance for a call: the session's own in per-session mode,
// else one from the shared pool. release(discard) gives it back, or closes
// it when discard is set (after a trap, timeout or cancellation).
func (p *Plugin) take(ctx context.Context, session string) (*engine.Instance, func(discard bool), error) {
	if session != "" && p.cfg.Runtime.Instances == config.PerSession {
		p.mu.Lock()
		slot := p.sessions[session]
		if slot == nil {
			slot = &sessionSlot{lock: make(chan struct{}, 1)}
			p.sessions[session] = slot
		}
		p.mu.Unlock()
		select {
		case slot.lock <- struct{}{}:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		if slot.inst == closedInstance {
			// The session ended while this call waited: run it on a
			// throwaway instance so nothing outlives the session.
			<-slot.lock
			inst, err := p.newInstance(ctx)
			if err != nil {
				return nil, nil, err
			}
			return inst, func(bool) { p.closeInstance(inst) }, nil
		}
		if slot.inst == nil {
			inst, err := p.newInstance(ctx)
			if err != nil {
				<-slot.lock
				return nil, nil, err
			}
			slot.inst = inst
		}
		inst := slot.inst
		return inst, func(discard bool) {
			if discard {
				p.closeInstance(inst)
				slot.inst = nil
			}
			<-slot.lock
		}, nil
	}

	p.mu.Lock()
	var inst *engine.Instance
	if n := len(p.idle); n > 0 {
		inst = p.idle[n-1]
		p.idle = p.idle[:n-1]
	}
	p.mu.Unlock()
	if inst == nil {
		var err error
		if inst, err = p.newInstance(ctx); err != nil {
			return nil, nil, err
		}
	}
	return inst, func(discard bool) {
		if !discard {
			p.mu.Lock()
			if !p.closed && len(p.idle) < cap(p.slots) {
				p.idle = append(p.idle, inst)
				inst = nil
			}
			p.mu.Unlock()
		}
		if inst != nil {
			p.closeInstance(inst)
		}
	}, nil
}

// closedInstance marks a session slot whose session ended.
var closedInstance = &engine.Instance{}

// invoke calls export on inst and classifies the outcome.
func (p *Plugin) invoke(ctx context.Context, inst *engine.Instance, req Request, export, tool string, input []byte) ([]byte, *callState, error) {
	state := &callState{plugin: p, req: req}
	cctx := context.WithValue(ctx, callStateKey{}, state)
	if tool != "" {
		cctx = context.WithValue(cctx, toolKey{}, tool)
	}
	cerr := func(kind ErrorKind, msg string, err error) error {
		return &CallError{Plugin: p.name, Export: export, Tool: tool, Kind: kind, Msg: msg, Err: err}
	}
	if p.cmd != nil {
		out, err := p.invokeCommand(cctx, export, tool, input)
		return out, state, err
	}
	var bound *boundCall
	if b := bindingOf(inst); b != nil {
		bound = b.begin(cctx, tool)
		defer b.end()
	}
	rc, out, err := inst.Call(cctx, export, input)
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, state, cerr(Timeout, fmt.Sprintf("stopped after runtime_config.timeout (%s); raise it if the tool needs longer", p.cfg.Runtime.Timeout), ctx.Err())
	case ctx.Err() != nil:
		return nil, state, cerr(Canceled, "cancelled by the client", ctx.Err())
	case state.denied != nil:
		return nil, state, cerr(Denied, sanitize(state.denied.Error()), state.denied)
	case err != nil && isTrap(err):
		p.log.Warn("guest trapped", "export", export, "tool", tool, "error", err.Error())
		if bound != nil && bound.oom.Load() {
			return nil, state, cerr(Trap, p.outOfMemory()+sanitize(err.Error()), err)
		}
		return nil, state, cerr(Trap, "the plugin crashed (wasm trap): "+sanitize(err.Error()), err)
	case err != nil:
		return nil, state, cerr(GuestError, "the plugin reported an error: "+sanitize(err.Error()), err)
	case rc != 0:
		return nil, state, cerr(GuestError, fmt.Sprintf("the plugin returned status %d without an error message", rc), nil)
	}
	if limit := int(p.cfg.Runtime.MaxOutput); limit > 0 && len(out) > limit {
		return nil, state, cerr(OutputTooLarge, fmt.Sprintf("output of %d bytes exceeds runtime_config.max_output (%s)", len(out), p.cfg.Runtime.MaxOutput), nil)
	}
	return out, state, nil
}

// isTrap tells a wasm trap (or a host-function panic, which wazero turns
// into one) from an error message the guest set with error_set. wazero
// returns a native call-stack overflow as a bare *wasmruntime.Error ("stack
// overflow", with no "wasm error" prefix or stack trace), whose package is
// internal, so it is recognised by its type name.
func isTrap(err error) bool {
	s := err.Error()
	return strings.Contains(s, "wasm stack trace") || strings.HasPrefix(s, "wasm error") ||
		strings.Contains(s, "module closed with exit_code") || strings.Contains(s, "failed to initialize runtime") ||
		fmt.Sprintf("%T", err) == "*wasmruntime.Error"
}

// refresh re-reads the catalog after a guest said it changed, on the same
// instance (whose state holds the change), then tells the front.
func (p *Plugin) refresh(ctx context.Context, inst *engine.Instance, changed Lists) {
	c, err := p.readCatalog(ctx, inst)
	if err != nil {
		p.log.Warn("could not re-read the catalog after a list_changed notification; keeping the old one", "error", err)
		return
	}
	p.catalog.Store(c)
	if p.onChange != nil {
		p.onChange(p, changed)
	}
}

// EndSession closes the instance of an MCP session that ended. A call
// still running on it finishes first.
func (p *Plugin) EndSession(session string) {
	p.mu.Lock()
	slot := p.sessions[session]
	delete(p.sessions, session)
	p.mu.Unlock()
	if slot == nil {
		return
	}
	go func() {
		slot.lock <- struct{}{}
		if slot.inst != nil {
			p.closeInstance(slot.inst)
		}
		slot.inst = closedInstance
		<-slot.lock
	}()
}

func (p *Plugin) closeInstance(inst *engine.Instance) {
	if inst == closedInstance {
		return
	}
	if err := inst.Close(context.Background()); err != nil {
		p.log.Debug("closing instance", "error", err)
	}
	if b := bindingOf(inst); b != nil {
		if err := b.close(); err != nil {
			p.log.Debug("closing instance mounts", "error", err)
		}
	}
}

// Close waits for calls in flight (bounded by their timeouts), then
// releases the instances, the compiled module and the mounts.
func (p *Plugin) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
	return p.closeAll(ctx)
}

func (p *Plugin) closeAll(ctx context.Context) error {
	p.mu.Lock()
	idle, sessions := p.idle, p.sessions
	p.idle, p.sessions = nil, map[string]*sessionSlot{}
	p.mu.Unlock()
	for _, inst := range idle {
		p.closeInstance(inst)
	}
	for _, s := range sessions {
		if s.inst != nil {
			p.closeInstance(s.inst)
		}
	}
	var errs []error
	p.compileMu.Lock()
	c := p.compiling
	p.source = nil
	p.compileMu.Unlock()
	if c != nil {
		<-c.done // a first compilation whose caller gave up may still run
	}
	if m := p.module.Swap(nil); m != nil {
		errs = append(errs, m.Close(ctx))
	}
	if p.cmd != nil {
		errs = append(errs, p.cmd.close(ctx))
	}
	if p.fsCloser != nil {
		errs = append(errs, p.fsCloser.Close())
	}
	return errors.Join(errs...)
}

// lineLogger turns guest stdout/stderr into debug log lines, at most 4 KiB
// of text per line so a flooding guest cannot grow the host's memory.
type lineLogger struct {
	log    *slog.Logger
	onLine func(string) // if set, sees every line
	mu     sync.Mutex
	buf    []byte
}

func (w *lineLogger) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	const maxLine = 4 << 10
	for _, c := range b {
		if c == '\n' || len(w.buf) >= maxLine {
			w.log.Debug("guest output", "line", string(w.buf))
			if w.onLine != nil {
				w.onLine(string(w.buf))
			}
			w.buf = w.buf[:0]
			if c == '\n' {
				continue
			}
		}
		w.buf = append(w.buf, c)
	}
	return len(b), nil
}
