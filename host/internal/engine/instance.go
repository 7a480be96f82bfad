package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/toolhost/toolhost/host/internal/wasmbin"
)

// InstanceOptions are an instance's Extism-level settings.
type InstanceOptions struct {
	// Config answers the guest's config_get (hyper-mcp's env_vars).
	Config map[string]string
	// LogLevel is the lowest level the guest's log_* calls are passed on
	// at, and what get_log_level reports.
	LogLevel LogLevel
	// Log receives the guest's log_* messages; nil drops them.
	Log func(level LogLevel, msg string)
	// MaxKernelBytes caps the instance's kernel memory (input, output and
	// host-function blocks of one call); 0 means 1 GiB.
	MaxKernelBytes uint64
	// Data is the owner's per-instance state, for its host functions.
	Data any
}

func (o *InstanceOptions) logf(level LogLevel, format string, args ...any) {
	if o.Log != nil && level >= o.LogLevel {
		o.Log(level, fmt.Sprintf(format, args...))
	}
}

// An Instance is one instantiation of a Module with its own linear memory,
// kernel memory and vars. It is not safe for concurrent use: one call at a
// time.
type Instance struct {
	mod      api.Module
	k        *Kernel
	opts     InstanceOptions
	vars     map[string][]byte
	varBytes int
	fns      map[string]*export
	flag     api.MutableGlobal // the instrumented interrupt flag, nil on the fallback path
	stopped  atomic.Bool       // the flag was raised: the instance can no longer run
	stack    []uint64
}

// export is a looked-up guest export: wazero creates a call engine per
// lookup, so each export is looked up once per instance.
type export struct {
	fn      api.Function
	results int
}

type instanceKey struct{}

// mustInstance is the instance a host function was called from.
func mustInstance(ctx context.Context, fn string) *Instance {
	in, ok := ctx.Value(instanceKey{}).(*Instance)
	if !ok {
		panic(fmt.Sprintf("BUG: host function %s called outside an engine call", fn))
	}
	return in
}

// ErrInterrupted is returned by Call on an instance that was interrupted
// before: its guest was stopped mid-call, so it is discarded.
var ErrInterrupted = errors.New("instance was interrupted by its deadline or cancellation; create a new one")

// Instantiate creates an instance with mc (the WASI side: filesystem,
// clocks, stdio) and opts, and initialises the guest's language runtime
// as Extism does (hs_init, then WASI _initialize or __wasm_call_ctors).
// ctx bounds the initialisation: when it ends, a spinning initialiser is
// stopped.
func (m *Module) Instantiate(ctx context.Context, mc wazero.ModuleConfig, opts InstanceOptions) (*Instance, error) {
	maxKernel := opts.MaxKernelBytes
	if maxKernel == 0 {
		maxKernel = 1 << 30
	}
	in := &Instance{k: newKernel(maxKernel), opts: opts, fns: map[string]*export{}, stack: make([]uint64, 2)}
	ictx := context.WithValue(ctx, instanceKey{}, in)
	mod, err := m.rt.rt.InstantiateModule(ictx, m.c.cm, mc.WithName("").WithStartFunctions())
	if err != nil {
		return nil, fmt.Errorf("instantiating: %w", err)
	}
	in.mod = mod
	if m.Interruptible {
		g, ok := mod.ExportedGlobal(interruptExport).(api.MutableGlobal)
		if !ok {
			mod.Close(ctx)
			return nil, fmt.Errorf("BUG: instrumented module has no mutable %s", interruptExport)
		}
		in.flag = g
		// The module's start function, moved out of instantiation by the
		// instrumenter so that the flag can stop it, runs first.
		if start := in.lookup(wasmbin.StartExport(interruptExport)); start != nil {
			if err := in.run(ictx, start.fn); err != nil {
				mod.Close(ctx)
				return nil, fmt.Errorf("running the start function: %w", err)
			}
		}
	}
	if err := in.initRuntime(ictx); err != nil {
		mod.Close(ctx)
		return nil, fmt.Errorf("initialising the guest runtime: %w", err)
	}
	return in, nil
}

func (in *Instance) initRuntime(ctx context.Context) error {
	if hs := in.lookup("hs_init"); hs != nil {
		if init := in.lookup("_initialize"); init != nil && len(init.fn.Definition().ParamTypes()) == 0 {
			if err := in.run(ctx, init.fn); err != nil {
				return err
			}
		}
		if p := hs.fn.Definition().ParamTypes(); len(p) == 2 {
			in.stack[0], in.stack[1] = 0, 0
			return in.run(ctx, hs.fn)
		}
		return nil
	}
	for _, name := range []string{"_initialize", "__wasm_call_ctors"} {
		if f := in.lookup(name); f != nil && len(f.fn.Definition().ParamTypes()) == 0 {
			return in.run(ctx, f.fn)
		}
	}
	return nil
}

func (in *Instance) lookup(name string) *export {
	if e, ok := in.fns[name]; ok {
		return e
	}
	var e *export
	if f := in.mod.ExportedFunction(name); f != nil {
		e = &export{fn: f, results: len(f.Definition().ResultTypes())}
	}
	in.fns[name] = e
	return e
}

// run calls f with the instance's stack, raising the interrupt flag if ctx
// ends first.
func (in *Instance) run(ctx context.Context, f api.Function) error {
	if in.stopped.Load() {
		return ErrInterrupted
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if in.flag == nil || ctx.Done() == nil {
		return f.CallWithStack(ctx, in.stack)
	}
	stop := context.AfterFunc(ctx, in.interrupt)
	err := f.CallWithStack(ctx, in.stack)
	if !stop() {
		// The flag was (or is being) raised: the guest may have been
		// stopped anywhere, so this instance must not run again.
		in.stopped.Store(true)
	}
	return err
}

func (in *Instance) interrupt() {
	in.stopped.Store(true)
	in.flag.Set(1)
}

// Call calls an Extism export (no parameters, an optional i32 status) with
// input, as Extism's Plugin.Call does: the status, the output and the
// guest's error_set message as an error. Traps, and a call stopped by ctx,
// are returned as errors too; after those the instance must be closed.
func (in *Instance) Call(ctx context.Context, name string, input []byte) (uint32, []byte, error) {
	f := in.lookup(name)
	if f == nil {
		return 1, nil, fmt.Errorf("unknown function: %s", name)
	}
	if f.results > 1 || len(f.fn.Definition().ParamTypes()) > 0 {
		return 1, nil, fmt.Errorf("function %s is not an Extism export: it must take no parameters and return at most one i32", name)
	}
	in.k.reset()
	if err := in.k.setInput(input); err != nil {
		return 1, nil, err
	}
	in.stack[0] = 0
	err := in.run(context.WithValue(ctx, instanceKey{}, in), f.fn)
	rc := uint32(0)
	if f.results == 1 {
		rc = uint32(in.stack[0])
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		if exit.ExitCode() == 0 {
			err = nil
		} else if f.results == 0 {
			rc = exit.ExitCode()
		}
	} else if err != nil && f.results == 0 {
		rc = 1
	}
	if err != nil {
		return rc, nil, err
	}
	if msg := in.k.errorMessage(); msg != "" {
		return rc, nil, errors.New(msg)
	}
	return rc, append([]byte(nil), in.k.output()...), nil
}

// Kernel is the instance's kernel memory, for host functions.
func (in *Instance) Kernel() *Kernel { return in.k }

// Data is InstanceOptions.Data.
func (in *Instance) Data() any { return in.opts.Data }

// Close releases the instance.
func (in *Instance) Close(ctx context.Context) error { return in.mod.Close(ctx) }
