package e2e

// A minimal WebAssembly binary encoder for the escape suite: just enough to
// hand-build the small hostile modules that no compiler would produce
// (imports the host does not provide, start functions that trap or spin,
// unbounded native recursion).

// Value types and opcodes used below.
const (
	wI32 = 0x7f
	wI64 = 0x7e

	opUnreachable = 0x00
	opBlock       = 0x02
	opLoop        = 0x03
	opBr          = 0x0c
	opBrIf        = 0x0d
	opEnd         = 0x0b
	opCall        = 0x10
	opDrop        = 0x1a
	opLocalGet    = 0x20
	opLocalSet    = 0x21
	opI32Load8U   = 0x2d
	opI32Const    = 0x41
	opI64Const    = 0x42
	opI32GeU      = 0x4f
	opI32Add      = 0x6a
	opI64Add      = 0x7c
	opI64ExtendU  = 0xad
	blockVoid     = 0x40
)

func wULEB(v uint64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			out = append(out, b|0x80)
			continue
		}
		return append(out, b)
	}
}

func wSLEB(v int64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

func wCat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func wStr(s string) []byte { return wCat(wULEB(uint64(len(s))), []byte(s)) }

func wVec(items [][]byte) []byte { return wCat(wULEB(uint64(len(items))), wCat(items...)) }

func wSection(id byte, content []byte) []byte {
	return wCat([]byte{id}, wULEB(uint64(len(content))), content)
}

// wType is a function type.
type wType struct{ params, results []byte }

// wImport is one import; kind 0 is a function (typ is its type index),
// kind 2 a memory (typ is its minimum in pages).
type wImport struct {
	module, name string
	kind         byte
	typ          uint32
}

// wFunc is a function defined in the module: its type, its locals (one
// entry per local) and its body without the final end.
type wFunc struct {
	typ    uint32
	locals []byte
	body   []byte
}

// wModule describes a module. Function indices count imported functions
// first, as in wasm.
type wModule struct {
	types   []wType
	imports []wImport
	funcs   []wFunc
	memory  uint32 // minimum pages of a defined memory; 0 = none
	exports map[string]uint32
	start   *uint32
	data    []byte // placed at offset 0 of the defined memory
}

func (m wModule) encode() []byte {
	out := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	var items [][]byte
	for _, t := range m.types {
		items = append(items, wCat([]byte{0x60}, wULEB(uint64(len(t.params))), t.params, wULEB(uint64(len(t.results))), t.results))
	}
	out = append(out, wSection(1, wVec(items))...)
	if len(m.imports) > 0 {
		items = nil
		for _, im := range m.imports {
			desc := []byte{im.kind}
			if im.kind == 2 {
				desc = append(desc, 0x00)
			}
			items = append(items, wCat(wStr(im.module), wStr(im.name), desc, wULEB(uint64(im.typ))))
		}
		out = append(out, wSection(2, wVec(items))...)
	}
	items = nil
	for _, f := range m.funcs {
		items = append(items, wULEB(uint64(f.typ)))
	}
	out = append(out, wSection(3, wVec(items))...)
	if m.memory > 0 {
		out = append(out, wSection(5, wVec([][]byte{wCat([]byte{0x00}, wULEB(uint64(m.memory)))}))...)
	}
	items = nil
	for name, idx := range m.exports {
		items = append(items, wCat(wStr(name), []byte{0x00}, wULEB(uint64(idx))))
	}
	out = append(out, wSection(7, wVec(items))...)
	if m.start != nil {
		out = append(out, wSection(8, wULEB(uint64(*m.start)))...)
	}
	items = nil
	for _, f := range m.funcs {
		var locals [][]byte
		for _, l := range f.locals {
			locals = append(locals, []byte{0x01, l})
		}
		body := wCat(wVec(locals), f.body, []byte{opEnd})
		items = append(items, wCat(wULEB(uint64(len(body))), body))
	}
	out = append(out, wSection(10, wVec(items))...)
	if len(m.data) > 0 {
		seg := wCat([]byte{0x00, opI32Const}, wSLEB(0), []byte{opEnd}, wULEB(uint64(len(m.data))), m.data)
		out = append(out, wSection(11, wVec([][]byte{seg}))...)
	}
	return out
}

// hostileModule builds a V2 plugin with one tool, tool, whose call_tool
// export runs callTool (which must leave an i32 status). list_tools copies
// its answer from the data segment into an Extism kernel block byte by byte
// (alloc, store_u8, output_set), so the plugin loads like any other.
// extraImports come after the three kernel imports (function indices 3...);
// extraFuncs after list_tools and call_tool. start, if set, is the index of
// a start function.
func hostileModule(tool string, callTool []byte, extraImports []wImport, extraFuncs []wFunc, start *uint32) []byte {
	list := []byte(`{"tools":[{"name":"` + tool + `","description":"hand-built hostile module","inputSchema":{"type":"object"}}]}`)
	n := int64(len(list))
	types := []wType{
		{params: []byte{wI64}, results: []byte{wI64}}, // 0: alloc
		{params: []byte{wI64, wI32}},                  // 1: store_u8
		{params: []byte{wI64, wI64}},                  // 2: output_set
		{results: []byte{wI32}},                       // 3: exports
		{},                                            // 4: () -> ()
	}
	imports := append([]wImport{
		{"extism:host/env", "alloc", 0, 0},
		{"extism:host/env", "store_u8", 0, 1},
		{"extism:host/env", "output_set", 0, 2},
	}, extraImports...)
	base := uint32(len(imports))
	// list_tools: locals 0 = off (i64), 1 = i (i32).
	listBody := wCat(
		[]byte{opI64Const}, wSLEB(n), []byte{opCall}, wULEB(0), []byte{opLocalSet, 0},
		[]byte{opBlock, blockVoid, opLoop, blockVoid},
		[]byte{opLocalGet, 1, opI32Const}, wSLEB(n), []byte{opI32GeU, opBrIf, 1},
		[]byte{opLocalGet, 0, opLocalGet, 1, opI64ExtendU, opI64Add},
		[]byte{opLocalGet, 1, opI32Load8U, 0x00, 0x00},
		[]byte{opCall}, wULEB(1),
		[]byte{opLocalGet, 1, opI32Const, 1, opI32Add, opLocalSet, 1},
		[]byte{opBr, 0, opEnd, opEnd},
		[]byte{opLocalGet, 0, opI64Const}, wSLEB(n), []byte{opCall}, wULEB(2),
		[]byte{opI32Const, 0},
	)
	funcs := append([]wFunc{
		{typ: 3, locals: []byte{wI64, wI32}, body: listBody},
		{typ: 3, body: callTool},
	}, extraFuncs...)
	return wModule{
		types:   types,
		imports: imports,
		funcs:   funcs,
		memory:  1,
		exports: map[string]uint32{"list_tools": base, "call_tool": base + 1},
		start:   start,
		data:    list,
	}.encode()
}
