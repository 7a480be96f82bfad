package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// KernelNamespace is the import module of the Extism kernel functions.
const KernelNamespace = "extism:host/env"

// Kernel is one instance's Extism kernel memory: the blocks guest and host
// exchange (input, output, error, host-function arguments and results),
// addressed by non-zero offsets (plugin-abi.md). It is a Go byte arena with
// bump allocation, reset before every call, instead of Extism's kernel
// module: a guest's load_u64 is then a bounds check and a slice read rather
// than a call into a second wasm module (RATIONALE.md, "Why our own Extism
// kernel?").
//
// Offsets are opaque to the guest, so any offset it passes is checked: a
// read or write outside the arena, or of a block that does not exist, traps
// the guest with a message naming the offset.
type Kernel struct {
	arena  []byte
	top    uint64
	max    uint64
	blocks map[uint64]uint64 // block offset -> length

	inOff, inLen   uint64
	outOff, outLen uint64
	errOff         uint64
}

// kernelBase is the first block offset: 0 means "no block".
const kernelBase = 8

// keepArena is the arena capacity kept across calls; a call that needed more
// gives it back when the next one starts.
const keepArena = 64 << 10

func newKernel(max uint64) *Kernel {
	k := &Kernel{max: max, blocks: make(map[uint64]uint64, 8)}
	k.reset()
	return k
}

func (k *Kernel) reset() {
	if cap(k.arena) > keepArena {
		k.arena = nil
	}
	k.top = kernelBase
	clear(k.blocks)
	k.inOff, k.inLen, k.outOff, k.outLen, k.errOff = 0, 0, 0, 0, 0
}

// errKernelFull is returned by Alloc past the kernel memory limit.
var errKernelFull = errors.New("kernel memory limit reached")

// Alloc returns the offset of a new block of n bytes, or an error when it
// would exceed the instance's kernel memory limit (its memory_limit).
func (k *Kernel) Alloc(n uint64) (uint64, error) {
	size := (n + 7) &^ 7
	if n > k.max || k.top-kernelBase+size > k.max {
		return 0, fmt.Errorf("%w: a block of %d bytes does not fit in %d", errKernelFull, n, k.max)
	}
	off := k.top
	k.top += size
	if k.top > uint64(len(k.arena)) {
		grown := make([]byte, max(k.top, 2*uint64(len(k.arena)), 4096))
		copy(grown, k.arena)
		k.arena = grown
	}
	clear(k.arena[off:k.top])
	k.blocks[off] = n
	return off, nil
}

// Free releases a block: it is no longer a block (Length reports 0), but
// its bytes stay readable until the next call resets the arena, as in
// Extism's kernel, where guests read a block after a host function freed
// it and free blocks twice (go-pdk's HTTP response, for one).
func (k *Kernel) Free(off uint64) error {
	delete(k.blocks, off)
	return nil
}

// Length is the length of the block at off, 0 if there is none.
func (k *Kernel) Length(off uint64) (uint64, error) {
	n, ok := k.blocks[off]
	if !ok {
		return 0, fmt.Errorf("no kernel memory block at offset %d", off)
	}
	return n, nil
}

// ReadBytes returns a copy of the block at off.
func (k *Kernel) ReadBytes(off uint64) ([]byte, error) {
	b, err := k.block(off)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// WriteBytes copies b into a new block and returns its offset.
func (k *Kernel) WriteBytes(b []byte) (uint64, error) {
	off, err := k.Alloc(uint64(len(b)))
	if err != nil {
		return 0, err
	}
	copy(k.arena[off:], b)
	return off, nil
}

// block is the block at off, aliasing the arena.
func (k *Kernel) block(off uint64) ([]byte, error) {
	n, ok := k.blocks[off]
	if !ok {
		return nil, fmt.Errorf("no kernel memory block at offset %d", off)
	}
	return k.arena[off : off+n], nil
}

// setInput copies the call's input into a block.
func (k *Kernel) setInput(in []byte) error {
	off, err := k.WriteBytes(in)
	if err != nil {
		return fmt.Errorf("input of %d bytes: %w", len(in), err)
	}
	k.inOff, k.inLen = off, uint64(len(in))
	return nil
}

func (k *Kernel) output() []byte { return k.arena[k.outOff : k.outOff+k.outLen] }

func (k *Kernel) errorMessage() string {
	if k.errOff == 0 {
		return ""
	}
	b, err := k.block(k.errOff)
	if err != nil {
		return ""
	}
	return string(b)
}

// span checks a guest access of n bytes at off and returns it.
func (k *Kernel) span(fn string, off, n uint64) []byte {
	if off < kernelBase || n > k.top || off > k.top-n {
		panic(fmt.Errorf("%s: offset %d (+%d bytes) is outside kernel memory (%d bytes in use)", fn, off, n, k.top))
	}
	return k.arena[off : off+n]
}

func (k *Kernel) inputSpan(fn string, i, n uint64) []byte {
	if n > k.inLen || i > k.inLen-n {
		panic(fmt.Errorf("%s: input offset %d (+%d bytes) is past the input's %d bytes", fn, i, n, k.inLen))
	}
	return k.arena[k.inOff+i : k.inOff+i+n]
}

// kernelFuncs are the Extism kernel functions, served from Go. fn finds the
// calling instance in ctx.
func kernelFuncs(b wazero.HostModuleBuilder, extra []Func) {
	i32, i64 := api.ValueTypeI32, api.ValueTypeI64
	type sig = []api.ValueType
	def := func(name string, params, results sig, f func(ctx context.Context, in *Instance, s []uint64)) {
		b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, s []uint64) {
			f(ctx, mustInstance(ctx, name), s)
		}), params, results).Export(name)
	}
	def("alloc", sig{i64}, sig{i64}, func(_ context.Context, in *Instance, s []uint64) {
		off, err := in.k.Alloc(s[0])
		if err != nil {
			in.opts.logf(LogWarn, "kernel alloc of %d bytes failed: %v", s[0], err)
		}
		s[0] = off
	})
	def("free", sig{i64}, nil, func(_ context.Context, in *Instance, s []uint64) { _ = in.k.Free(s[0]) })
	length := func(_ context.Context, in *Instance, s []uint64) { s[0] = in.k.blocks[s[0]] }
	def("length", sig{i64}, sig{i64}, length)
	def("length_unsafe", sig{i64}, sig{i64}, length)
	def("load_u8", sig{i64}, sig{i32}, func(_ context.Context, in *Instance, s []uint64) {
		s[0] = uint64(in.k.span("load_u8", s[0], 1)[0])
	})
	def("load_u64", sig{i64}, sig{i64}, func(_ context.Context, in *Instance, s []uint64) {
		s[0] = binary.LittleEndian.Uint64(in.k.span("load_u64", s[0], 8))
	})
	def("store_u8", sig{i64, i32}, nil, func(_ context.Context, in *Instance, s []uint64) {
		in.k.span("store_u8", s[0], 1)[0] = byte(s[1])
	})
	def("store_u64", sig{i64, i64}, nil, func(_ context.Context, in *Instance, s []uint64) {
		binary.LittleEndian.PutUint64(in.k.span("store_u64", s[0], 8), s[1])
	})
	def("input_length", nil, sig{i64}, func(_ context.Context, in *Instance, s []uint64) { s[0] = in.k.inLen })
	def("input_offset", nil, sig{i64}, func(_ context.Context, in *Instance, s []uint64) { s[0] = in.k.inOff })
	def("input_load_u8", sig{i64}, sig{i32}, func(_ context.Context, in *Instance, s []uint64) {
		s[0] = uint64(in.k.inputSpan("input_load_u8", s[0], 1)[0])
	})
	def("input_load_u64", sig{i64}, sig{i64}, func(_ context.Context, in *Instance, s []uint64) {
		s[0] = binary.LittleEndian.Uint64(in.k.inputSpan("input_load_u64", s[0], 8))
	})
	def("output_set", sig{i64, i64}, nil, func(_ context.Context, in *Instance, s []uint64) {
		in.k.span("output_set", s[0], s[1])
		in.k.outOff, in.k.outLen = s[0], s[1]
	})
	def("error_set", sig{i64}, nil, func(_ context.Context, in *Instance, s []uint64) {
		if s[0] != 0 {
			in.k.span("error_set", s[0], 0)
		}
		in.k.errOff = s[0]
	})
	def("error_get", nil, sig{i64}, func(_ context.Context, in *Instance, s []uint64) { s[0] = in.k.errOff })
	def("memory_bytes", nil, sig{i64}, func(_ context.Context, in *Instance, s []uint64) { s[0] = in.k.top })
	def("config_get", sig{i64}, sig{i64}, func(_ context.Context, in *Instance, s []uint64) {
		key := in.readArg("config_get", s[0])
		v, ok := in.opts.Config[string(key)]
		if !ok {
			s[0] = 0
			return
		}
		s[0] = in.writeResult("config_get", []byte(v))
	})
	def("var_get", sig{i64}, sig{i64}, func(_ context.Context, in *Instance, s []uint64) {
		v, ok := in.vars[string(in.readArg("var_get", s[0]))]
		if !ok {
			s[0] = 0
			return
		}
		s[0] = in.writeResult("var_get", v)
	})
	def("var_set", sig{i64, i64}, nil, func(_ context.Context, in *Instance, s []uint64) { in.setVar(s[0], s[1]) })
	def("get_log_level", nil, sig{i32}, func(_ context.Context, in *Instance, s []uint64) {
		s[0] = uint64(in.opts.LogLevel)
	})
	for _, l := range []struct {
		name  string
		level LogLevel
	}{{"log_trace", LogTrace}, {"log_debug", LogDebug}, {"log_info", LogInfo}, {"log_warn", LogWarn}, {"log_error", LogError}} {
		def(l.name, sig{i64}, nil, func(_ context.Context, in *Instance, s []uint64) {
			msg := in.readArg(l.name, s[0])
			_ = in.k.Free(s[0])
			if l.level >= in.opts.LogLevel && in.opts.Log != nil {
				in.opts.Log(l.level, string(msg))
			}
		})
	}
	for _, f := range extra {
		f := f
		b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, s []uint64) {
			f.Fn(ctx, mustInstance(ctx, f.Name), s)
		}), f.Params, f.Results).Export(f.Name)
	}
}

// KernelFunctionNames are the functions of KernelNamespace served by every
// engine (Config.Funcs may add more, such as http_request).
var KernelFunctionNames = []string{
	"alloc", "free", "length", "length_unsafe", "load_u8", "load_u64", "store_u8", "store_u64",
	"input_length", "input_offset", "input_load_u8", "input_load_u64", "output_set", "error_set", "error_get",
	"memory_bytes", "config_get", "var_get", "var_set", "get_log_level",
	"log_trace", "log_debug", "log_info", "log_warn", "log_error",
}

// maxVarBytes is the default cap on an instance's vars (Extism's default).
const maxVarBytes = 1 << 20

func (in *Instance) setVar(keyOff, valOff uint64) {
	key := string(in.readArg("var_set", keyOff))
	_ = in.k.Free(keyOff)
	if valOff == 0 {
		if v, ok := in.vars[key]; ok {
			in.varBytes -= len(key) + len(v)
			delete(in.vars, key)
		}
		return
	}
	v := in.readArg("var_set", valOff)
	_ = in.k.Free(valOff)
	size := in.varBytes + len(key) + len(v)
	if old, ok := in.vars[key]; ok {
		size -= len(key) + len(old)
	}
	if size > maxVarBytes {
		panic(fmt.Errorf("var_set: vars would hold %d bytes, more than the %d allowed", size, maxVarBytes))
	}
	if in.vars == nil {
		in.vars = map[string][]byte{}
	}
	in.vars[key] = append([]byte(nil), v...)
	in.varBytes = size
}

// readArg is the block at off that the guest passed to fn; a bad offset
// traps the guest.
func (in *Instance) readArg(fn string, off uint64) []byte {
	b, err := in.k.block(off)
	if err != nil {
		panic(fmt.Errorf("%s: %v", fn, err))
	}
	return b
}

// writeResult copies b into a new block for fn's result; a full kernel
// memory traps the guest.
func (in *Instance) writeResult(fn string, b []byte) uint64 {
	off, err := in.k.WriteBytes(b)
	if err != nil {
		panic(fmt.Errorf("%s: %v", fn, err))
	}
	return off
}
