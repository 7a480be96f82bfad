package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/toolhost/toolhost/host/internal/wasmbin"
)

// LogLevel is an Extism log level, numbered as get_log_level reports it.
type LogLevel int32

// Extism log levels.
const (
	LogTrace LogLevel = iota
	LogDebug
	LogInfo
	LogWarn
	LogError
	LogOff LogLevel = math.MaxInt32
)

// A Func is a host function the engine serves to every module, beside the
// kernel's. Fn finds its instance (and through Instance.Data, its owner's
// state) in the call.
type Func struct {
	Module, Name    string
	Params, Results []api.ValueType
	Fn              func(ctx context.Context, in *Instance, stack []uint64)
}

// Config configures an Engine.
type Config struct {
	// Cache holds compiled code; nil means an in-memory cache.
	Cache wazero.CompilationCache
	// Funcs are the host functions beside the kernel's, in any import
	// module (KernelNamespace too, e.g. http_request).
	Funcs []Func
}

// An Engine compiles and runs plugin modules. Modules compiled with the same
// memory limit share one wazero runtime, and the same bytes are compiled
// once per runtime however many plugins use them. It is safe for
// concurrent use.
type Engine struct {
	cfg      Config
	mu       sync.Mutex
	runtimes map[runtimeKey]*runtime
	closed   bool
}

// runtimeKey is what must differ between wazero runtimes: both are
// runtime-wide settings in wazero.
type runtimeKey struct {
	pages       uint32 // memory limit in pages, 0 for wazero's default
	closeOnDone bool   // the fallback interruption for modules that could not be instrumented
}

type runtime struct {
	rt   wazero.Runtime
	mods map[[sha256.Size]byte]*compiled
}

type compiled struct {
	key   [sha256.Size]byte
	ready chan struct{} // closed when cm or err is set
	cm    wazero.CompiledModule
	err   error
	refs  int
}

// New returns an Engine. Close it after the modules it compiled.
func New(cfg Config) *Engine {
	if cfg.Cache == nil {
		cfg.Cache = wazero.NewCompilationCache()
	}
	return &Engine{cfg: cfg, runtimes: map[runtimeKey]*runtime{}}
}

// CompileOptions are the per-module settings of Compile.
type CompileOptions struct {
	// MemoryLimitPages caps each instance's linear memory (64 KiB pages);
	// 0 leaves wazero's 4 GiB.
	MemoryLimitPages uint32
}

// A Module is a compiled plugin module, ready to instantiate.
type Module struct {
	e  *Engine
	rt *runtime
	c  *compiled
	// Interruptible reports that the module checks an interrupt flag on
	// function entries and in loops (wasmbin.InstrumentInterrupt), so
	// calls are stopped at their deadline without wazero's costly
	// close-on-context-done; when false the module runs with the latter.
	Interruptible bool
	closeOnce     sync.Once
}

// interruptExport names the instrumented flag global.
const interruptExport = "__toolhost_interrupt"

// Compile instruments wasm with interrupt checks and compiles it. A module
// the instrumenter cannot handle (an instruction it does not know) is
// compiled unchanged on a runtime with wazero's own interruption instead,
// so it is still stopped at its deadline.
func (e *Engine) Compile(ctx context.Context, wasm []byte, opts CompileOptions) (*Module, error) {
	code, interruptible := wasm, false
	out, err := wasmbin.InstrumentInterrupt(wasm, interruptExport)
	switch {
	case err == nil:
		code, interruptible = out, true
	case errors.Is(err, wasmbin.ErrUnsupported):
	default:
		return nil, err
	}
	rt, err := e.runtime(ctx, runtimeKey{pages: opts.MemoryLimitPages, closeOnDone: !interruptible})
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256(code)
	e.mu.Lock()
	c := rt.mods[key]
	if c == nil {
		c = &compiled{key: key, ready: make(chan struct{})}
		rt.mods[key] = c
		c.refs++
		e.mu.Unlock()
		c.cm, c.err = rt.rt.CompileModule(ctx, code)
		close(c.ready)
	} else {
		c.refs++
		e.mu.Unlock()
		<-c.ready
	}
	m := &Module{e: e, rt: rt, c: c, Interruptible: interruptible}
	if c.err != nil {
		err := c.err
		m.Close(ctx)
		return nil, err
	}
	return m, nil
}

// Close releases the module's compiled code once no other plugin uses the
// same bytes. Instances must be closed first.
func (m *Module) Close(ctx context.Context) error {
	var err error
	m.closeOnce.Do(func() {
		e := m.e
		e.mu.Lock()
		m.c.refs--
		last := m.c.refs == 0
		if last {
			delete(m.rt.mods, m.c.key)
		}
		e.mu.Unlock()
		if last && m.c.cm != nil {
			err = m.c.cm.Close(ctx)
		}
	})
	return err
}

// runtime returns the shared runtime for k, creating it with the host
// modules on first use.
func (e *Engine) runtime(ctx context.Context, k runtimeKey) (*runtime, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("engine is closed")
	}
	if r := e.runtimes[k]; r != nil {
		return r, nil
	}
	rc := wazero.NewRuntimeConfig().
		WithCompilationCache(e.cfg.Cache).
		WithCloseOnContextDone(k.closeOnDone)
	if k.pages > 0 {
		rc = rc.WithMemoryLimitPages(k.pages)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	if err := e.instantiateHost(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	r := &runtime{rt: rt, mods: map[[sha256.Size]byte]*compiled{}}
	e.runtimes[k] = r
	return r, nil
}

func (e *Engine) instantiateHost(ctx context.Context, rt wazero.Runtime) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return fmt.Errorf("instantiating WASI: %w", err)
	}
	byModule := map[string][]Func{}
	var order []string
	for _, f := range e.cfg.Funcs {
		if _, ok := byModule[f.Module]; !ok {
			order = append(order, f.Module)
		}
		byModule[f.Module] = append(byModule[f.Module], f)
	}
	env := rt.NewHostModuleBuilder(KernelNamespace)
	kernelFuncs(env, byModule[KernelNamespace])
	if _, err := env.Instantiate(ctx); err != nil {
		return fmt.Errorf("instantiating %s: %w", KernelNamespace, err)
	}
	for _, name := range order {
		if name == KernelNamespace {
			continue
		}
		b := rt.NewHostModuleBuilder(name)
		for _, f := range byModule[name] {
			f := f
			b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, s []uint64) {
				f.Fn(ctx, mustInstance(ctx, f.Name), s)
			}), f.Params, f.Results).Export(f.Name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return fmt.Errorf("instantiating %s: %w", name, err)
		}
	}
	return nil
}

// Close closes every runtime, and with them all modules and instances.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	rts := e.runtimes
	e.runtimes, e.closed = nil, true
	e.mu.Unlock()
	var errs []error
	for _, r := range rts {
		errs = append(errs, r.rt.Close(ctx))
	}
	return errors.Join(errs...)
}
