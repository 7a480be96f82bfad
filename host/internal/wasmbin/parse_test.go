package wasmbin

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParsePlugin(t *testing.T) {
	b := pluginModule()
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	want := &Module{
		Imports: []Import{
			{Module: "extism:host/env", Name: "http_request", Kind: Func, Type: tHTTPRequest},
			{Module: "extism:host/env", Name: "input_length", Kind: Func, Type: tHeaders},
			{Module: "extism:host/env", Name: "http_status_code", Kind: Func, Type: tStatusCode},
			{Module: "wasi_snapshot_preview1", Name: "fd_write", Kind: Func, Type: &FuncType{Params: []ValType{I32, I32, I32, I32}, Results: []ValType{I32}}},
			{Module: "extism:host/env", Name: "http_headers", Kind: Func, Type: tHeaders},
		},
		Exports: []Export{
			{Name: "memory", Kind: Memory, Index: 0},
			{Name: "run", Kind: Func, Index: 5, Type: tRun},
			{Name: "status", Kind: Func, Index: 2, Type: tStatusCode},
			{Name: "sp", Kind: Global, Index: 0},
		},
		Memories:       []Limits{{Min: 1, Max: 16, HasMax: true}},
		CustomSections: []string{"producers", "name"},
		Size:           len(b),
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("Parse:\n got %+v\nwant %+v", m, want)
	}
	if e, ok := m.ExportedFunc("run"); !ok || e.Index != 5 || e.Type.String() != "() -> (i32)" {
		t.Errorf("ExportedFunc(run) = %+v, %v", e, ok)
	}
	if _, ok := m.ExportedFunc("memory"); ok {
		t.Error("ExportedFunc(memory) found a memory export")
	}
	if _, ok := m.ExportedFunc("missing"); ok {
		t.Error("ExportedFunc(missing) = true")
	}
	if !m.HasImportModule("extism:host/env") || !m.HasImportModule("wasi_snapshot_preview1") || m.HasImportModule("env") {
		t.Error("HasImportModule answered wrongly")
	}
	if got := m.Imports[0].Type.String(); got != "(i64, i64) -> (i64)" {
		t.Errorf("FuncType.String = %q", got)
	}
}

func TestParseValid(t *testing.T) {
	tagType := &FuncType{Params: []ValType{I32}}
	tests := []struct {
		name string
		in   []byte
		want *Module
	}{
		{
			name: "header only",
			in:   module(),
			want: &Module{},
		},
		{
			name: "every import kind; memory index space imports first",
			in: module(
				sec(secType, vec(functype([]ValType{I32}, nil))),
				sec(secImport, vec(
					importMemory("env", "mem", cat([]byte{0x03}, uleb(1), uleb(10))), // shared
					importTable("env", "tab", FuncRef, limMin(2)),
					importGlobal("env", "g", I64, true),
					importTag("env", "exn", 0),
					importMemory("env", "mem64", cat([]byte{0x05}, uleb(1<<40), uleb(1<<41))),
					importTable("env", "refs", ExternRef, limMinMax(0, 0)),
					importFunc("env", "f", 0),
				)),
				sec(secFunction, vec(uleb(0))),
				sec(secTable, vec([]byte{byte(FuncRef), 0x00, 0x00})),
				sec(secMemory, vec(limMin(3))),
				sec(secTag, vec([]byte{0x00, 0x00})),
				sec(secGlobal, vec([]byte{byte(I32), 0x00, 0x41, 0x00, 0x0b})),
				sec(secExport, vec(
					export("t2", Table, 2),
					export("m2", Memory, 2),
					export("g1", Global, 1),
					export("tag1", Tag, 1),
					export("f1", Func, 1),
					export("", Func, 0),
				)),
			),
			want: &Module{
				Imports: []Import{
					{Module: "env", Name: "mem", Kind: Memory},
					{Module: "env", Name: "tab", Kind: Table},
					{Module: "env", Name: "g", Kind: Global},
					{Module: "env", Name: "exn", Kind: Tag, Type: tagType},
					{Module: "env", Name: "mem64", Kind: Memory},
					{Module: "env", Name: "refs", Kind: Table},
					{Module: "env", Name: "f", Kind: Func, Type: tagType},
				},
				Exports: []Export{
					{Name: "t2", Kind: Table, Index: 2},
					{Name: "m2", Kind: Memory, Index: 2},
					{Name: "g1", Kind: Global, Index: 1},
					{Name: "tag1", Kind: Tag, Index: 1},
					{Name: "f1", Kind: Func, Index: 1, Type: tagType},
					{Name: "", Kind: Func, Index: 0, Type: tagType},
				},
				Memories: []Limits{
					{Min: 1, Max: 10, HasMax: true, Shared: true},
					{Min: 1 << 40, Max: 1 << 41, HasMax: true, Is64: true},
					{Min: 3},
				},
			},
		},
		{
			name: "all sections in order, custom sections between",
			in: module(
				custom(""),
				sec(secType, vec(functype(nil, nil))),
				custom("a"),
				sec(secImport, vec()),
				sec(secFunction, vec(uleb(0))),
				sec(secTable, vec([]byte{byte(FuncRef), 0x00, 0x01})),
				sec(secMemory, vec()),
				sec(secTag, vec()),
				sec(secGlobal, vec()),
				sec(secExport, vec(export("f", Func, 0))),
				sec(secStart, uleb(0)),
				sec(secElement, vec()),
				sec(secDataCount, uleb(0)),
				sec(secCode, vec(body())),
				sec(secData, vec()),
				custom("z", 0xff, 0xfe),
			),
			want: &Module{
				Exports:        []Export{{Name: "f", Kind: Func, Index: 0, Type: &FuncType{}}},
				CustomSections: []string{"", "a", "z"},
				HasStart:       true,
			},
		},
		{
			name: "non-minimal leb128 everywhere",
			in: cat(header,
				paddedSec(secType, paddedULEB(1, 2), []byte{0x60, 0x00, 0x00}),
				paddedSec(secImport, paddedULEB(1, 3), paddedULEB(1, 2), []byte("m"), paddedULEB(1, 4), []byte("f"), []byte{0x00}, paddedULEB(0, 2)),
				paddedSec(secExport, paddedULEB(1, 1), str("e"), []byte{byte(Func)}, paddedULEB(0, 5)),
			),
			want: &Module{
				Imports: []Import{{Module: "m", Name: "f", Kind: Func, Type: &FuncType{}}},
				Exports: []Export{{Name: "e", Kind: Func, Index: 0, Type: &FuncType{}}},
			},
		},
		{
			name: "utf-8 names",
			in: module(
				sec(secType, vec(functype(nil, nil))),
				sec(secImport, vec(importFunc("模块", "函数 ✓", 0))),
			),
			want: &Module{Imports: []Import{{Module: "模块", Name: "函数 ✓", Kind: Func, Type: &FuncType{}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Size = len(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	h := len(header)
	oneType := sec(secType, vec(functype(nil, nil)))
	tests := []struct {
		name    string
		in      []byte
		wantOff int
		want    string // substring of the error
	}{
		{"empty", nil, 0, "module header at offset 0x0: module is 0 bytes, shorter than the 8-byte header"},
		{"short", []byte{0, 'a', 's'}, 0, "module is 3 bytes"},
		{"elf", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0}, 0, "bad magic 7f454c46: not a WebAssembly module"},
		{"short elf", []byte{0x7f, 'E', 'L', 'F'}, 0, "bad magic 7f454c46"},
		{"component", []byte{0, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00}, 4, "this is a WebAssembly component (WASI p2); toolhost runs core modules only"},
		{"old component draft", []byte{0, 'a', 's', 'm', 0x0a, 0x00, 0x01, 0x00}, 4, "WebAssembly component"},
		{"version 2", []byte{0, 'a', 's', 'm', 2, 0, 0, 0}, 4, "unsupported binary version 02000000"},
		{"unknown section", module([]byte{0x0e, 0x00}), h, "section header at offset 0x8: unknown section id 0x0e"},
		{"duplicate section", module(oneType, oneType), h + len(oneType), "duplicate type section"},
		{"out of order", module(sec(secFunction, vec()), sec(secImport, vec())), h + 3, "import section (id 2) out of order after function section (id 3)"},
		{"datacount after code", module(sec(secCode, vec()), sec(secDataCount, uleb(0))), h + 3, "data count section (id 12) out of order after code section (id 10)"},
		{"tag after global", module(sec(secGlobal, vec()), sec(secTag, vec())), h + 3, "tag section (id 13) out of order after global section"},
		{"section past end", module([]byte{secType, 0x05, 0x00}), h, "type section size 5 exceeds remaining 1 bytes"},
		{"section size too long", module([]byte{secType, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), h + 1, "type section size: leb128 encoding longer than 5 bytes for a u32"},
		{"section size overflow", module([]byte{secType, 0xff, 0xff, 0xff, 0xff, 0x1f}), h + 1, "type section size: leb128 value overflows u32"},
		{"section size truncated", module([]byte{secType, 0x80}), h + 1, "unexpected end of module reading type section size"},
		{"absurd import count", module(sec(secImport, uleb(1_000_000))), h + 2, "import count 1000000 needs at least 4000000 bytes but only 0 remain"},
		{"absurd type count", module(sec(secType, uleb(0xffffffff), []byte{0x60, 0, 0})), h + 2, "type count 4294967295 needs at least 12884901885 bytes but only 3 remain"},
		{"absurd param count", module(sec(secType, vec(cat([]byte{0x60}, uleb(1<<20))))), h + 4, "type 0 params count 1048576 needs at least 1048576 bytes but only 0 remain"},
		{"name length past section", module(sec(secImport, uleb(1), uleb(0xffffffff), make([]byte, 12))), h + 3,
			"wasm: import section at offset 0xb: import 0 module name length 4294967295 exceeds remaining 12 bytes"},
		{"invalid utf-8 module", module(sec(secImport, vec(cat(str("ab\xffc"), str("f"), []byte{0, 0})))), h + 3 + 1 + 2, "import 0 module name: invalid utf-8"},
		{"surrogate in field", module(sec(secImport, vec(cat(str("m"), str("\xed\xa0\x80"), []byte{0, 0})))), h + 3 + 2 + 1, "field name: invalid utf-8"},
		{"invalid utf-8 export", module(sec(secExport, vec(cat(str("\xc3"), []byte{0, 0})))), h + 4, "export 0 name: invalid utf-8"},
		{"invalid utf-8 custom", module(custom("\x80")), h + 3, "custom section at offset 0xb: custom section name: invalid utf-8"},
		{"custom without name", module([]byte{secCustom, 0x00}), h + 2, "unexpected end of section reading custom section name length"},
		{"func import no types", module(sec(secImport, vec(importFunc("m", "f", 0)))), h + 3 + 4 + 1, `import 0 ("m" "f"): type index 0 out of range (0 types)`},
		{"unknown import kind", module(sec(secImport, vec(cat(str("m"), str("f"), []byte{0x05, 0})))), h + 3 + 4, `import 0 ("m" "f"): unknown import kind 0x05`},
		{"bad table elem", module(sec(secImport, vec(importTable("m", "t", I32, limMin(0))))), h + 3 + 5, "unsupported table element type 0x7f"},
		{"bad global type", module(sec(secImport, vec(importGlobal("m", "g", 0x40, false)))), h + 3 + 5, "unsupported value type 0x40"},
		{"bad mutability", module(sec(secImport, vec(cat(str("m"), str("g"), []byte{byte(Global), byte(I32), 2})))), h + 3 + 6, "invalid global mutability 0x02"},
		{"bad tag attribute", module(oneType, sec(secImport, vec(cat(str("m"), str("e"), []byte{byte(Tag), 1, 0})))), h + len(oneType) + 3 + 5, "invalid tag attribute 0x01"},
		{"bad limits flags", module(sec(secMemory, vec([]byte{0x08, 0x00}))), h + 3, "memory 0: invalid limits flags 0x08"},
		{"max below min", module(sec(secMemory, vec(limMinMax(5, 4)))), h + 3, "memory 0: limits max 4 is below min 5"},
		{"u32 limits overflow", module(sec(secMemory, vec([]byte{0x00, 0xff, 0xff, 0xff, 0xff, 0x7f}))), h + 4, "memory 0 limits min: leb128 value overflows u32"},
		{"u64 limits too long", module(sec(secMemory, vec(cat([]byte{0x04}, paddedULEB(0, 11))))), h + 4, "leb128 encoding longer than 10 bytes for a u64"},
		{"u64 limits overflow", module(sec(secMemory, vec(cat([]byte{0x04}, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02})))), h + 4, "memory 0 limits min: leb128 value overflows u64"},
		{"gc rec type", module(sec(secType, vec([]byte{0x4e, 0x00, 0x00}))), h + 3, "type 0: form 0x4e is not a function type (0x60)"},
		{"unsupported param type", module(sec(secType, vec(cat([]byte{0x60}, uleb(1), []byte{0x64, 0x70}, uleb(0))))), h + 5, "type 0 params: unsupported value type 0x64"},
		{"function bad type", module(oneType, sec(secFunction, vec(uleb(1)))), h + len(oneType) + 3, "function 0: type index 1 out of range (1 types)"},
		{"export func out of range", module(oneType, sec(secFunction, vec(uleb(0))), sec(secExport, vec(export("f", Func, 1)))), h + len(oneType) + 4 + 3 + 3, `export 0 ("f"): func index 1 out of range (1 functions)`},
		{"export memory out of range", module(sec(secExport, vec(export("memory", Memory, 0)))), h + 3 + 8, `export 0 ("memory"): memory index 0 out of range (0 memories)`},
		{"export table out of range", module(sec(secTable, vec([]byte{byte(FuncRef), 0, 0})), sec(secExport, vec(export("t", Table, 1)))), h + 6 + 3 + 3, `export 0 ("t"): table index 1 out of range (1 tables)`},
		{"export global out of range", module(sec(secExport, vec(export("g", Global, 0)))), h + 3 + 3, `global index 0 out of range (0 globals)`},
		{"export tag out of range", module(sec(secExport, vec(export("e", Tag, 7)))), h + 3 + 3, `tag index 7 out of range (0 tags)`},
		{"absurd table count", module(sec(secTable, uleb(100), []byte{0x70, 0, 0})), h + 2, "table section at offset 0xa: table count 100 needs at least 300 bytes but only 3 remain"},
		{"absurd global count", module(sec(secGlobal, uleb(2), []byte{0x7f, 0, 0x0b})), h + 2, "global count 2 needs at least 6 bytes but only 3 remain"},
		{"absurd tag count", module(sec(secTag, uleb(1))), h + 2, "tag count 1 needs at least 2 bytes but only 0 remain"},
		{"absurd function count", module(sec(secFunction, uleb(1))), h + 2, "function count 1 needs at least 1 bytes but only 0 remain"},
		{"export duplicate", module(sec(secMemory, vec(limMin(1))), sec(secExport, vec(export("m", Memory, 0), export("m", Memory, 0)))), h + 5 + 3 + 4, `export 1: duplicate export name "m"`},
		{"export unknown kind", module(sec(secExport, vec(cat(str("x"), []byte{0x07, 0x00})))), h + 5, `export 0 ("x"): unknown export kind 0x07`},
		{"unread bytes", module(sec(secType, vec(functype(nil, nil)), []byte{0x00})), h + 6, "type section at offset 0xe: 1 unread bytes at the end of the section"},
		{"entry past section end", module(sec(secImport, uleb(1), str("module"), str("x"))), h + 3 + 9, "unexpected end of section reading import 0 (\"module\" \"x\") kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", m)
			}
			if m != nil {
				t.Errorf("Parse returned a module with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\n does not contain %q", err, tt.want)
			}
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("error %T is not *Error", err)
			}
			if we.Offset != tt.wantOff {
				t.Errorf("offset %#x, want %#x (%v)", we.Offset, tt.wantOff, err)
			}
			if got := err.Error(); got != strings.ToLower(got[:1])+got[1:] || !strings.HasPrefix(got, "wasm: ") {
				t.Errorf("error %q is not a lowercase wasm: error", got)
			}
			// RewriteImports must refuse what Parse refuses, with the same error.
			_, _, rerr := RewriteImports(tt.in, renameKernelHTTP)
			if rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("RewriteImports error %v, want %v", rerr, err)
			}
		})
	}
}

func TestComponentError(t *testing.T) {
	_, err := Parse([]byte{0, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00, 0x07, 0x00})
	if !errors.Is(err, ErrComponent) {
		t.Fatalf("err = %v, want ErrComponent", err)
	}
}

func TestLEB128(t *testing.T) {
	tests := []struct {
		in      []byte
		bits    uint
		want    uint64
		wantErr string
	}{
		{[]byte{0x00}, 32, 0, ""},
		{[]byte{0x7f}, 32, 127, ""},
		{[]byte{0x80, 0x01}, 32, 128, ""},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 32, 0xffffffff, ""},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x00}, 32, 0, ""},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x1f}, 32, 0, "overflows u32"},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32, 0, "longer than 5 bytes"},
		{[]byte{0x80, 0x80}, 32, 0, "unexpected end"},
		{[]byte{}, 32, 0, "unexpected end"},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 64, 1<<64 - 1, ""},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 64, 0, "overflows u64"},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 64, 0, "longer than 10 bytes"},
	}
	for _, tt := range tests {
		r := &reader{b: tt.in, end: len(tt.in), where: "test"}
		got, err := r.uleb("n", tt.bits)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("uleb(% x, %d) error %v, want %q", tt.in, tt.bits, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want || r.pos != len(tt.in) {
			t.Errorf("uleb(% x, %d) = %d, %v, pos %d; want %d", tt.in, tt.bits, got, err, r.pos, tt.want)
		}
		if tt.bits == 64 || tt.want == 0 {
			continue
		}
		if enc := uleb(tt.want); len(tt.in) == len(enc) && string(enc) != string(tt.in) {
			t.Errorf("appendULEB(%d) = % x, want % x", tt.want, enc, tt.in)
		}
	}
	for _, v := range []uint64{0, 1, 127, 128, 16383, 16384, 1<<32 - 1, 1<<64 - 1} {
		if got := ulebLen(v); got != len(uleb(v)) {
			t.Errorf("ulebLen(%d) = %d, want %d", v, got, len(uleb(v)))
		}
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Func.String(), "func"},
		{Table.String(), "table"},
		{Memory.String(), "memory"},
		{Global.String(), "global"},
		{Tag.String(), "tag"},
		{ExternKind(9).String(), "externkind(0x09)"},
		{I32.String() + I64.String() + F32.String() + F64.String() + V128.String(), "i32i64f32f64v128"},
		{FuncRef.String() + " " + ExternRef.String(), "funcref externref"},
		{ValType(0x40).String(), "valtype(0x40)"},
		{(&FuncType{}).String(), "() -> ()"},
		{tHTTPRequest.String(), "(i64, i64) -> (i64)"},
		{(*FuncType)(nil).String(), "<nil>"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if !tHTTPRequest.Equal(&FuncType{Params: []ValType{I64, I64}, Results: []ValType{I64}}) || tHTTPRequest.Equal(tHeaders) ||
		tHTTPRequest.Equal(nil) || !(*FuncType)(nil).Equal(nil) || !(&FuncType{}).Equal(&FuncType{Params: []ValType{}}) {
		t.Error("FuncType.Equal answered wrongly")
	}
}
