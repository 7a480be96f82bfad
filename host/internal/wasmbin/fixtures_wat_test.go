package wasmbin

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/tetratelabs/wazero"
)

// TestWatFixtures parses modules produced by wat2wasm, an encoder
// independent of this package's test encoder, against hand-written
// expectations.
func TestWatFixtures(t *testing.T) {
	ft := func(params, results []ValType) *FuncType { return &FuncType{Params: params, Results: results} }
	v := func(vs ...ValType) []ValType { return vs }
	want := map[string]*Module{
		"plugin": {
			Imports: []Import{
				{Module: "extism:host/env", Name: "input_length", Kind: Func, Type: ft(nil, v(I64))},
				{Module: "extism:host/env", Name: "http_request", Kind: Func, Type: ft(v(I64, I64), v(I64))},
				{Module: "extism:host/env", Name: "http_status_code", Kind: Func, Type: ft(nil, v(I32))},
				{Module: "extism:host/env", Name: "http_headers", Kind: Func, Type: ft(nil, v(I64))},
				{Module: "extism:host/env", Name: "output_set", Kind: Func, Type: ft(v(I64, I64), nil)},
				{Module: "wasi_snapshot_preview1", Name: "fd_write", Kind: Func, Type: ft(v(I32, I32, I32, I32), v(I32))},
			},
			Exports: []Export{
				{Name: "memory", Kind: Memory, Index: 0},
				{Name: "fetch", Kind: Func, Index: 8, Type: ft(nil, v(I32))},
				{Name: "sp", Kind: Global, Index: 0},
			},
			Memories:       []Limits{{Min: 1, Max: 16, HasMax: true}},
			CustomSections: []string{"name"},
			HasStart:       true,
		},
		"kitchen": {
			Imports: []Import{
				{Module: "env", Name: "memory", Kind: Memory},
				{Module: "env", Name: "table", Kind: Table},
				{Module: "env", Name: "flag", Kind: Global},
				{Module: "env", Name: "pair", Kind: Func, Type: ft(v(I32, I64), v(F32, F64))},
				{Module: "extism:host/env", Name: "http_request", Kind: Func, Type: ft(v(I64, I64), v(I64))},
			},
			Exports: []Export{
				{Name: "multi", Kind: Func, Index: 2, Type: ft(v(I32, I64), v(F32, F64))},
				{Name: "simd", Kind: Func, Index: 3, Type: ft(v(V128), v(V128))},
				{Name: "refs", Kind: Func, Index: 4, Type: ft(v(FuncRef, ExternRef), v(ExternRef))},
				{Name: "mem", Kind: Memory, Index: 0},
				{Name: "tab", Kind: Table, Index: 0},
			},
			Memories: []Limits{{Min: 2, Max: 32, HasMax: true}},
		},
		"exceptions": {
			Imports: []Import{
				{Module: "env", Name: "err", Kind: Tag, Type: ft(v(I32), nil)},
				{Module: "extism:host/env", Name: "http_headers", Kind: Func, Type: ft(nil, v(I64))},
			},
			Exports: []Export{
				{Name: "err", Kind: Tag, Index: 0},
				{Name: "local", Kind: Tag, Index: 1},
			},
		},
		"memory64": {
			Imports: []Import{{Module: "env", Name: "big", Kind: Memory}},
			Exports: []Export{
				{Name: "mem64", Kind: Memory, Index: 1},
				{Name: "mem32", Kind: Memory, Index: 2},
			},
			Memories: []Limits{
				{Min: 1, Max: 65536, HasMax: true, Is64: true},
				{Min: 3, Is64: true},
				{Min: 1},
			},
		},
		"threads": {
			Imports: []Import{
				{Module: "env", Name: "memory", Kind: Memory},
				{Module: "extism:host/env", Name: "http_status_code", Kind: Func, Type: ft(nil, v(I32))},
			},
			Memories: []Limits{{Min: 1, Max: 100, HasMax: true, Shared: true}},
		},
	}
	wantRenamed := map[string]int{"plugin": 3, "kitchen": 1, "exceptions": 1, "memory64": 0, "threads": 1}

	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for _, fx := range watFixtures {
		t.Run(fx.name, func(t *testing.T) {
			m, err := Parse(fx.wasm)
			if err != nil {
				t.Fatal(err)
			}
			w := want[fx.name]
			w.Size = len(fx.wasm)
			if !reflect.DeepEqual(m, w) {
				t.Fatalf("\n got %+v\nwant %+v", m, w)
			}
			inCopy := bytes.Clone(fx.wasm)
			out, n, err := RewriteImports(fx.wasm, renameKernelHTTP)
			if err != nil {
				t.Fatal(err)
			}
			if n != wantRenamed[fx.name] {
				t.Errorf("renamed %d, want %d", n, wantRenamed[fx.name])
			}
			checkRewrite(t, fx.wasm, inCopy, out, n, renameKernelHTTP)
			if fx.wazero {
				checkCompiled(t, rt, fx.wasm, out)
			}
		})
	}
}
