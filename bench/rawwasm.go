package bench

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// RawGuest runs the benchmark guest on plain wazero, without Extism: the
// Extism kernel imports the guest uses (extism:host/env) are served by a
// minimal kernel written in Go (kernel below), so call_tool can run with
// its real input and output. It runs the module as built (not instrumented
// with toolhost's interrupt flag) and, unless asked for
// WithCloseOnContextDone, cannot be interrupted. It is the floor a host
// could reach with the same guest code: every cost above it is the host's.
//
// A RawGuest is not safe for concurrent use.
type RawGuest struct {
	rt    wazero.Runtime
	mod   api.Module
	k     *kernel
	fns   map[string]api.Function
	stack []uint64
	out   []byte
}

// NewRawGuest compiles (through cache) and instantiates wasm on a runtime
// with or without WithCloseOnContextDone, and runs its _initialize.
func NewRawGuest(ctx context.Context, wasm []byte, cache wazero.CompilationCache, interrupt bool) (*RawGuest, error) {
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(interrupt)
	if cache != nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	g := &RawGuest{rt: rt, k: newKernel(), fns: map[string]api.Function{}, stack: make([]uint64, 4)}
	fail := func(err error) (*RawGuest, error) {
		rt.Close(ctx)
		return nil, err
	}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return fail(err)
	}
	if err := g.k.instantiate(ctx, rt); err != nil {
		return fail(err)
	}
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return fail(err)
	}
	mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().
		WithName("main").
		WithStartFunctions("_initialize").
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader))
	if err != nil {
		return fail(fmt.Errorf("instantiating: %w", err))
	}
	g.mod = mod
	return g, nil
}

// Func returns the exported function name, looked up once.
func (g *RawGuest) Func(name string) api.Function {
	f, ok := g.fns[name]
	if !ok {
		f = g.mod.ExportedFunction(name)
		g.fns[name] = f
	}
	return f
}

// Call calls a numeric export with params, reusing one stack (no
// allocation), and returns its first result.
func (g *RawGuest) Call(ctx context.Context, name string, params ...uint64) (uint64, error) {
	f := g.Func(name)
	if f == nil {
		return 0, fmt.Errorf("bench: guest has no export %q", name)
	}
	copy(g.stack, params)
	if err := f.CallWithStack(ctx, g.stack); err != nil {
		return 0, err
	}
	return g.stack[0], nil
}

// CallExtism calls an Extism-style export (no params, i32 status) with
// input, as Extism would: reset the kernel, set the input, call, read the
// error and the output. The output is valid until the next call.
func (g *RawGuest) CallExtism(ctx context.Context, export string, input []byte) (uint32, []byte, error) {
	g.k.reset()
	g.k.input = input
	rc, err := g.Call(ctx, export)
	if err != nil {
		return 1, nil, err
	}
	if msg := g.k.errorMessage(); msg != "" {
		return uint32(rc), nil, errors.New(msg)
	}
	g.out = append(g.out[:0], g.k.output()...)
	return uint32(rc), g.out, nil
}

// CountKernelCalls runs one CallExtism and returns how many times the guest
// called each kernel function.
func (g *RawGuest) CountKernelCalls(ctx context.Context, export string, input []byte) (map[string]int, error) {
	g.k.counting, g.k.counts = true, map[string]int{}
	defer func() { g.k.counting = false }()
	_, _, err := g.CallExtism(ctx, export, input)
	return g.k.counts, err
}

// Close releases the runtime.
func (g *RawGuest) Close(ctx context.Context) error { return g.rt.Close(ctx) }

// kernel is the smallest Extism kernel that serves a Go PDK guest: kernel
// memory is one Go byte arena with bump allocation, reset before each call;
// every function is a direct Go host function (no wasm kernel module, no
// per-call export lookup, no allocation).
type kernel struct {
	arena   []byte
	top     uint64
	lengths map[uint64]uint64
	input   []byte
	outOff  uint64
	outLen  uint64
	errOff  uint64

	counting bool           // count kernel calls (CountKernelCalls)
	counts   map[string]int // kernel function -> calls, while counting
}

func newKernel() *kernel {
	k := &kernel{arena: make([]byte, 64<<10), lengths: map[uint64]uint64{}}
	k.reset()
	return k
}

func (k *kernel) reset() {
	k.top = 8 // offset 0 is the null block
	clear(k.lengths)
	k.input, k.outOff, k.outLen, k.errOff = nil, 0, 0, 0
}

func (k *kernel) alloc(n uint64) uint64 {
	off := k.top
	k.top += (n + 7) &^ 7
	if n := uint64(len(k.arena)); k.top > n {
		k.arena = append(k.arena, make([]byte, max(n, k.top-n))...)
	}
	k.lengths[off] = n
	return off
}

func (k *kernel) block(off uint64) []byte {
	n, ok := k.lengths[off]
	if !ok {
		return nil
	}
	return k.arena[off : off+n]
}

func (k *kernel) output() []byte { return k.arena[k.outOff : k.outOff+k.outLen] }

func (k *kernel) errorMessage() string {
	if k.errOff == 0 {
		return ""
	}
	return string(k.block(k.errOff))
}

func (k *kernel) check(off, n uint64) {
	if off == 0 || off+n > k.top {
		panic(fmt.Errorf("kernel: access of %d bytes at %d out of bounds", n, off))
	}
}

func (k *kernel) instantiate(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder("extism:host/env")
	i32, i64 := api.ValueTypeI32, api.ValueTypeI64
	fn := func(name string, params, results []api.ValueType, f func(ctx context.Context, s []uint64)) {
		g := func(ctx context.Context, s []uint64) {
			if k.counting {
				k.counts[name]++
			}
			f(ctx, s)
		}
		b.NewFunctionBuilder().WithGoFunction(api.GoFunc(g), params, results).Export(name)
	}
	none := []api.ValueType{}
	fn("alloc", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = k.alloc(s[0]) })
	fn("free", []api.ValueType{i64}, none, func(context.Context, []uint64) {})
	fn("length", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = k.lengths[s[0]] })
	fn("length_unsafe", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = k.lengths[s[0]] })
	fn("load_u8", []api.ValueType{i64}, []api.ValueType{i32}, func(_ context.Context, s []uint64) {
		k.check(s[0], 1)
		s[0] = uint64(k.arena[s[0]])
	})
	fn("load_u64", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) {
		k.check(s[0], 8)
		s[0] = binary.LittleEndian.Uint64(k.arena[s[0]:])
	})
	fn("store_u8", []api.ValueType{i64, i32}, none, func(_ context.Context, s []uint64) {
		k.check(s[0], 1)
		k.arena[s[0]] = byte(s[1])
	})
	fn("store_u64", []api.ValueType{i64, i64}, none, func(_ context.Context, s []uint64) {
		k.check(s[0], 8)
		binary.LittleEndian.PutUint64(k.arena[s[0]:], s[1])
	})
	fn("input_length", none, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = uint64(len(k.input)) })
	fn("input_offset", none, []api.ValueType{i64}, func(_ context.Context, s []uint64) {
		off := k.alloc(uint64(len(k.input)))
		copy(k.arena[off:], k.input)
		s[0] = off
	})
	fn("input_load_u8", []api.ValueType{i64}, []api.ValueType{i32}, func(_ context.Context, s []uint64) { s[0] = uint64(k.input[s[0]]) })
	fn("input_load_u64", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) {
		s[0] = binary.LittleEndian.Uint64(k.input[s[0]:])
	})
	fn("output_set", []api.ValueType{i64, i64}, none, func(_ context.Context, s []uint64) {
		k.check(s[0], s[1])
		k.outOff, k.outLen = s[0], s[1]
	})
	fn("error_set", []api.ValueType{i64}, none, func(_ context.Context, s []uint64) { k.errOff = s[0] })
	fn("error_get", none, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = k.errOff })
	fn("config_get", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = 0 })
	fn("var_get", []api.ValueType{i64}, []api.ValueType{i64}, func(_ context.Context, s []uint64) { s[0] = 0 })
	fn("var_set", []api.ValueType{i64, i64}, none, func(context.Context, []uint64) {})
	// get_log_level doubles as the interrupt poll of bench_lcg_polled: it
	// returns a large value once the call's context is done.
	fn("get_log_level", none, []api.ValueType{i32}, func(ctx context.Context, s []uint64) {
		if ctx.Err() != nil {
			s[0] = 1 << 20
			return
		}
		s[0] = 0
	})
	for _, name := range []string{"log_trace", "log_debug", "log_info", "log_warn", "log_error"} {
		fn(name, []api.ValueType{i64}, none, func(context.Context, []uint64) {})
	}
	_, err := b.Instantiate(ctx)
	return err
}
