package plugin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/internal/wasmbin"
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

	compiled     *extism.CompiledPlugin
	cmd          *command // for abi.Command plugins instead of compiled
	moduleConfig wazero.ModuleConfig
	fsCloser     io.Closer
	bindings     sync.Map // *extism.Plugin -> *binding of each live instance
	egress       *egress.Client

	catalog atomic.Pointer[Catalog]

	slots chan struct{} // caps concurrent calls (runtime_config.max_concurrency)

	mu       sync.Mutex
	idle     []*extism.Plugin
	sessions map[string]*sessionSlot
	closed   bool
	wg       sync.WaitGroup // calls in flight, waited for by Close
}

type sessionSlot struct {
	lock chan struct{} // one call at a time on the session's instance
	inst *extism.Plugin
}

func newPlugin(ctx context.Context, l *Loader, cfg *config.Plugin, version abi.Version, mod *wasmbin.Module, wasm []byte) (*Plugin, error) {
	rt := cfg.Runtime
	p := &Plugin{
		name:     cfg.Name,
		cfg:      *cfg,
		version:  version,
		exports:  map[string]bool{},
		log:      l.log.With("plugin", cfg.Name),
		onChange: l.opts.OnCatalogChange,
		slots:    make(chan struct{}, max(rt.MaxConcurrency, 1)),
		sessions: map[string]*sessionSlot{},
	}
	for _, e := range mod.Exports {
		if e.Kind == wasmbin.Func {
			p.exports[e.Name] = true
		}
	}

	mounts := make([]sandboxfs.Mount, len(rt.AllowedPaths))
	for i, m := range rt.AllowedPaths {
		mounts[i] = sandboxfs.Mount{Host: m.Host, Guest: m.Guest, ReadOnly: m.ReadOnly}
	}
	fsConfig, fsCloser, err := sandboxfs.Config(mounts)
	if err != nil {
		return nil, fmt.Errorf("plugin[%s] runtime_config.allowed_paths: %w", cfg.Name, err)
	}
	p.fsCloser = fsCloser

	policy, err := egress.ParseRules(rt.AllowedHosts)
	if err != nil {
		p.fsCloser.Close()
		return nil, fmt.Errorf("plugin[%s] runtime_config.allowed_hosts: %w", cfg.Name, err)
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
			return nil, fmt.Errorf("plugin[%s] (%s): compiling: %w", cfg.Name, cfg.Location.URL, err)
		}
		p.exports[abi.ExportListTools], p.exports[abi.ExportCallTool] = true, true
		c, err := p.readCatalog(ctx, nil)
		if err != nil {
			p.closeAll(ctx)
			return nil, fmt.Errorf("%w; %s is a WASI command module, and as a command plugin it must answer {\"method\":\"list_tools\"} on stdin with {\"tools\":[...]} on stdout "+
				"(if it is meant to be an Extism plugin, build it as a reactor: -buildmode=c-shared)", err, cfg.Location.URL)
		}
		p.catalog.Store(c)
		return p, nil
	}

	manifest := extism.Manifest{
		Wasm:   []extism.Wasm{extism.WasmData{Data: wasm, Name: "main"}},
		Config: rt.EnvVars,
		// AllowedHosts and AllowedPaths stay empty: the egress guard and the
		// os.Root filesystem replace Extism's (toolchains.md §7.7, §7.8).
	}
	if rt.MemoryLimit > 0 {
		manifest.Memory = &extism.ManifestMemory{MaxPages: rt.MemoryLimit.Pages()}
	}
	runtimeConfig := wazero.NewRuntimeConfig().
		WithCompilationCache(l.cache).
		// Interrupt a busy guest when its call's context ends (timeout or
		// client cancellation); see RATIONALE.md on what this costs.
		WithCloseOnContextDone(true)
	funcs := append(append(p.userFunctions(), p.httpFunctions()...), p.toolhostFunctions()...)
	p.compiled, err = extism.NewCompiledPlugin(ctx, manifest, extism.PluginConfig{
		EnableWasi:    true,
		RuntimeConfig: runtimeConfig,
	}, funcs)
	if err != nil {
		p.fsCloser.Close()
		return nil, fmt.Errorf("plugin[%s] (%s): compiling: %w", cfg.Name, cfg.Location.URL, err)
	}

	// Instantiate once now, so a module that cannot start fails at load,
	// and read the catalog with it; the instance then joins the pool. A
	// start function gets runtime_config.timeout, as calls do.
	ictx, cancel := context.WithTimeout(ctx, rt.Timeout)
	inst, err := p.newInstance(ictx)
	cancel()
	if err != nil {
		p.closeAll(ctx)
		return nil, err
	}
	c, err := p.readCatalog(ctx, inst)
	if err != nil {
		p.closeInstance(inst)
		p.closeAll(ctx)
		return nil, err
	}
	p.catalog.Store(c)
	p.idle = append(p.idle, inst)
	return p, nil
}

// Name is the configured plugin name.
func (p *Plugin) Name() string { return p.name }

// Config is the plugin's configuration.
func (p *Plugin) Config() *config.Plugin { return &p.cfg }

// ABI is the detected ABI version.
func (p *Plugin) ABI() abi.Version { return p.version }

// Exports reports whether the module exports the named function.
func (p *Plugin) Exports(name string) bool { return p.exports[name] }

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

func (p *Plugin) newInstance(ctx context.Context) (*extism.Plugin, error) {
	b, mc, err := p.newBinding()
	if err != nil {
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Err: err,
			Msg: "could not create an instance: runtime_config.allowed_paths: " + err.Error()}
	}
	b.begin(ctx, "")
	inst, err := p.compiled.Instance(ctx, extism.PluginInstanceConfig{ModuleConfig: mc})
	b.end()
	if err != nil {
		b.close()
		msg := "could not create an instance: " + sanitize(err.Error())
		if ctx.Err() == context.DeadlineExceeded {
			msg = fmt.Sprintf("could not create an instance within runtime_config.timeout (%s): its start function did not return: %s",
				p.cfg.Runtime.Timeout, sanitize(err.Error()))
		}
		return nil, &CallError{Plugin: p.name, Kind: Unavailable, Err: err, Msg: msg}
	}
	p.bindings.Store(inst, b)
	inst.SetLogger(func(level extism.LogLevel, msg string) {
		p.log.Log(context.Background(), extismLevel(level), "guest log", "message", msg)
	})
	return inst, nil
}

func extismLevel(l extism.LogLevel) slog.Level {
	switch l {
	case extism.LogLevelTrace, extism.LogLevelDebug:
		return slog.LevelDebug
	case extism.LogLevelInfo:
		return slog.LevelInfo
	case extism.LogLevelWarn:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// readCatalog calls the list exports on inst and applies skip_* filters.
func (p *Plugin) readCatalog(ctx context.Context, inst *extism.Plugin) (*Catalog, error) {
	rt := p.cfg.Runtime
	ctx, cancel := context.WithTimeout(ctx, rt.Timeout)
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
	for _, t := range tools {
		if !rt.SkipTools.Match(t.Name) {
			c.Tools = append(c.Tools, t)
		}
	}
	if p.version == abi.V1 {
		return c, nil
	}
	if out, err = list(abi.ExportListPrompts); err != nil {
		return nil, err
	} else if out != nil {
		prompts, err := abi.DecodePrompts(out)
		if err != nil {
			return nil, decodeErr(abi.ExportListPrompts, err)
		}
		for _, x := range prompts {
			if !rt.SkipPrompts.Match(x.Name) {
				c.Prompts = append(c.Prompts, x)
			}
		}
	}
	if out, err = list(abi.ExportListResources); err != nil {
		return nil, err
	} else if out != nil {
		resources, err := abi.DecodeResources(out)
		if err != nil {
			return nil, decodeErr(abi.ExportListResources, err)
		}
		for _, x := range resources {
			if !rt.SkipResources.Match(x.URI) {
				c.Resources = append(c.Resources, x)
			}
		}
	}
	if out, err = list(abi.ExportListResourceTemplates); err != nil {
		return nil, err
	} else if out != nil {
		templates, err := abi.DecodeResourceTemplates(out)
		if err != nil {
			return nil, decodeErr(abi.ExportListResourceTemplates, err)
		}
		for _, x := range templates {
			if !rt.SkipResourceTemplates.Match(x.URITemplate) {
				c.Templates = append(c.Templates, x)
			}
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

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Runtime.Timeout)
	defer cancel()

	cerr := func(kind ErrorKind, msg string, err error) error {
		return &CallError{Plugin: p.name, Export: export, Tool: tool, Kind: kind, Msg: msg, Err: err}
	}
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
func (p *Plugin) take(ctx context.Context, session string) (*extism.Plugin, func(discard bool), error) {
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
	var inst *extism.Plugin
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
var closedInstance = &extism.Plugin{}

// invoke calls export on inst and classifies the outcome.
func (p *Plugin) invoke(ctx context.Context, inst *extism.Plugin, req Request, export, tool string, input []byte) ([]byte, *callState, error) {
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
	if b := p.bindingOf(inst); b != nil {
		bound = b.begin(cctx, tool)
		defer b.end()
	}
	rc, out, err := inst.CallWithContext(cctx, export, input)
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
func (p *Plugin) refresh(ctx context.Context, inst *extism.Plugin, changed Lists) {
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

func (p *Plugin) closeInstance(inst *extism.Plugin) {
	if inst == closedInstance {
		return
	}
	if err := inst.Close(context.Background()); err != nil {
		p.log.Debug("closing instance", "error", err)
	}
	if b := p.bindingOf(inst); b != nil {
		p.bindings.Delete(inst)
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
	if p.compiled != nil {
		errs = append(errs, p.compiled.Close(ctx))
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
