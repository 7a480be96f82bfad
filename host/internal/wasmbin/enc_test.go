package wasmbin

// A tiny encoder for building test modules byte by byte.

func uleb(v uint64) []byte { return appendULEB(nil, v) }

// paddedULEB encodes v in exactly n bytes (a valid, non-minimal encoding).
func paddedULEB(v uint64, n int) []byte {
	out := make([]byte, n)
	for i := range n {
		out[i] = byte(v & 0x7f)
		v >>= 7
		if i < n-1 {
			out[i] |= 0x80
		}
	}
	return out
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func str(s string) []byte { return cat(uleb(uint64(len(s))), []byte(s)) }

func vec(items ...[]byte) []byte { return cat(uleb(uint64(len(items))), cat(items...)) }

func sec(id byte, content ...[]byte) []byte {
	c := cat(content...)
	return cat([]byte{id}, uleb(uint64(len(c))), c)
}

// paddedSec is sec with its size in a 5-byte LEB128.
func paddedSec(id byte, content ...[]byte) []byte {
	c := cat(content...)
	return cat([]byte{id}, paddedULEB(uint64(len(c)), 5), c)
}

var header = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

func module(sections ...[]byte) []byte { return cat(header, cat(sections...)) }

func vals(vs ...ValType) []byte {
	out := uleb(uint64(len(vs)))
	for _, v := range vs {
		out = append(out, byte(v))
	}
	return out
}

func functype(params, results []ValType) []byte {
	return cat([]byte{0x60}, vals(params...), vals(results...))
}

func importFunc(mod, name string, typeIdx uint32) []byte {
	return cat(str(mod), str(name), []byte{byte(Func)}, uleb(uint64(typeIdx)))
}

func importMemory(mod, name string, lim []byte) []byte {
	return cat(str(mod), str(name), []byte{byte(Memory)}, lim)
}

func importTable(mod, name string, elem ValType, lim []byte) []byte {
	return cat(str(mod), str(name), []byte{byte(Table), byte(elem)}, lim)
}

func importGlobal(mod, name string, vt ValType, mut bool) []byte {
	m := byte(0)
	if mut {
		m = 1
	}
	return cat(str(mod), str(name), []byte{byte(Global), byte(vt), m})
}

func importTag(mod, name string, typeIdx uint32) []byte {
	return cat(str(mod), str(name), []byte{byte(Tag), 0x00}, uleb(uint64(typeIdx)))
}

func limMin(min uint64) []byte { return cat([]byte{0x00}, uleb(min)) }

func limMinMax(min, max uint64) []byte { return cat([]byte{0x01}, uleb(min), uleb(max)) }

func export(name string, kind ExternKind, idx uint32) []byte {
	return cat(str(name), []byte{byte(kind)}, uleb(uint64(idx)))
}

func custom(name string, payload ...byte) []byte { return sec(secCustom, str(name), payload) }

// body encodes a function body without locals.
func body(instrs ...byte) []byte {
	b := cat([]byte{0x00}, instrs, []byte{0x0b})
	return cat(uleb(uint64(len(b))), b)
}

var (
	tHTTPRequest = &FuncType{Params: []ValType{I64, I64}, Results: []ValType{I64}}
	tStatusCode  = &FuncType{Results: []ValType{I32}}
	tHeaders     = &FuncType{Results: []ValType{I64}}
	tRun         = &FuncType{Results: []ValType{I32}}
)

// pluginModule is shaped like a real Extism plugin: it imports the kernel's
// HTTP functions and others, a WASI function, defines and exports memory and
// two functions, and carries a start-free code section, a data section and
// custom sections before and after.
func pluginModule() []byte {
	return module(
		custom("producers", 1, 2, 3),
		sec(secType, vec(
			functype([]ValType{I64, I64}, []ValType{I64}), // 0 http_request
			functype(nil, []ValType{I32}),                 // 1 http_status_code, run
			functype(nil, []ValType{I64}),                 // 2 http_headers, input_length
			functype([]ValType{I32, I32, I32, I32}, []ValType{I32}),
		)),
		sec(secImport, vec(
			importFunc("extism:host/env", "http_request", 0),
			importFunc("extism:host/env", "input_length", 2),
			importFunc("extism:host/env", "http_status_code", 1),
			importFunc("wasi_snapshot_preview1", "fd_write", 3),
			importFunc("extism:host/env", "http_headers", 2),
		)),
		sec(secFunction, vec(uleb(1), uleb(1))),
		sec(secMemory, vec(limMinMax(1, 16))),
		sec(secGlobal, vec([]byte{byte(I32), 0x01, 0x41, 0x00, 0x0b})),
		sec(secExport, vec(
			export("memory", Memory, 0),
			export("run", Func, 5),
			export("status", Func, 2),
			export("sp", Global, 0),
		)),
		sec(secCode, vec(
			body(0x41, 0x07), // i32.const 7
			body(0x41, 0x00), // i32.const 0
		)),
		sec(secData, vec(cat([]byte{0x00, 0x41, 0x00, 0x0b}, str("hi")))),
		custom("name", 0x00, 0x02, 0x01, 'm'), // module name "m"
	)
}

var kernelHTTP = map[string]bool{"http_request": true, "http_status_code": true, "http_headers": true}

// renameKernelHTTP is the re-routing toolhost performs at load time.
func renameKernelHTTP(module, name string) (string, bool) {
	if module == "extism:host/env" && kernelHTTP[name] {
		return "toolhost:host/env", true
	}
	return "", false
}
