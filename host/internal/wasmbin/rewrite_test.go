package wasmbin

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// checkRewrite checks the invariants of a successful rewrite of in to out:
// in is untouched (compared with inCopy), out re-parses to in's module with
// renamed module names, n entries were renamed, and every section other than
// the import section is byte-identical, in the same order.
func checkRewrite(t testing.TB, in, inCopy, out []byte, n int, rename func(string, string) (string, bool)) {
	t.Helper()
	if !bytes.Equal(in, inCopy) {
		t.Fatal("RewriteImports modified its input")
	}
	before, err := Parse(in)
	if err != nil {
		t.Fatalf("input does not parse: %v", err)
	}
	after, err := Parse(out)
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	renamed := 0
	want := *before
	want.Imports = append([]Import(nil), before.Imports...)
	for i, im := range want.Imports {
		if mod, ok := rename(im.Module, im.Name); ok && mod != im.Module {
			want.Imports[i].Module = mod
			renamed++
		}
	}
	want.Size = len(out)
	if !reflect.DeepEqual(after, &want) {
		t.Fatalf("output module:\n got %+v\nwant %+v", after, &want)
	}
	if n != renamed {
		t.Fatalf("renamed count %d, want %d", n, renamed)
	}
	if n == 0 && !bytes.Equal(in, out) {
		t.Fatal("nothing renamed but output differs from input")
	}
	if len(out) > 0 && len(in) > 0 && &out[0] == &in[0] {
		t.Fatal("output aliases input")
	}
	inSecs, _ := splitSections(in)
	outSecs, _ := splitSections(out)
	if len(inSecs) != len(outSecs) {
		t.Fatalf("%d sections in, %d out", len(inSecs), len(outSecs))
	}
	if !bytes.Equal(in[:headerSize], out[:headerSize]) {
		t.Fatal("header changed")
	}
	for i := range inSecs {
		a, b := inSecs[i], outSecs[i]
		if a.id != b.id {
			t.Fatalf("section %d: id %d became %d", i, a.id, b.id)
		}
		if a.id == secImport && n > 0 {
			continue
		}
		if !bytes.Equal(in[a.start:a.end], out[b.start:b.end]) {
			t.Fatalf("section %d (%s) changed", i, sectionNames[a.id])
		}
	}
}

func TestRewriteImports(t *testing.T) {
	plugin := pluginModule()
	// The same plugin with its import section's size and an import's module
	// name length padded: untouched encodings must survive a rewrite.
	padded := func() []byte {
		m, lay, err := parse(plugin)
		if err != nil {
			t.Fatal(err)
		}
		_ = m
		s := lay.sections[lay.imports]
		sp := lay.spans[3] // wasi_snapshot_preview1.fd_write, not renamed
		content := cat(plugin[s.body:sp.modStart], paddedULEB(uint64(len("wasi_snapshot_preview1")), 4), plugin[sp.modStart+1:s.end])
		return cat(plugin[:s.start], paddedSec(secImport, content), plugin[s.end:])
	}()
	noImports := module(sec(secType, vec(functype(nil, nil))), sec(secFunction, vec(uleb(0))), sec(secCode, vec(body())))
	emptyImports := module(sec(secImport, vec()))

	tests := []struct {
		name   string
		in     []byte
		rename func(module, name string) (string, bool)
		wantN  int
	}{
		{"kernel http", plugin, renameKernelHTTP, 3},
		{"kernel http, padded encodings", padded, renameKernelHTTP, 3},
		{"identity", plugin, func(m, _ string) (string, bool) { return m, true }, 0},
		{"decline all", plugin, func(string, string) (string, bool) { return "", false }, 0},
		{"all to empty name", plugin, func(string, string) (string, bool) { return "", true }, 5},
		{"long name needs a longer length", plugin, func(m, _ string) (string, bool) { return strings.Repeat("x", 300), true }, 5},
		{"shorter name", padded, func(m, _ string) (string, bool) { return "e", m == "wasi_snapshot_preview1" }, 1},
		{"utf-8 name", plugin, func(m, n string) (string, bool) { return "宿主", n == "http_request" }, 1},
		{"no import section", noImports, renameKernelHTTP, 0},
		{"empty import section", emptyImports, func(string, string) (string, bool) { return "x", true }, 0},
		{"non-func imports", module(
			sec(secType, vec(functype(nil, nil))),
			sec(secImport, vec(
				importMemory("extism:host/env", "memory", limMin(1)),
				importGlobal("extism:host/env", "g", I32, false),
				importFunc("extism:host/env", "http_request", 0),
			)),
		), func(m, n string) (string, bool) { return "toolhost:host/env", n != "http_request" }, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inCopy := bytes.Clone(tt.in)
			out, n, err := RewriteImports(tt.in, tt.rename)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantN {
				t.Errorf("renamed %d, want %d", n, tt.wantN)
			}
			checkRewrite(t, tt.in, inCopy, out, n, tt.rename)
		})
	}
}

func TestRewriteImportsKeepsUntouchedEntriesVerbatim(t *testing.T) {
	// fd_write's module name length is padded in the input; only renamed
	// entries may be re-encoded, so the padding must survive.
	pad := paddedULEB(uint64(len("wasi")), 3)
	in := module(
		sec(secType, vec(functype(nil, nil))),
		sec(secImport, uleb(2),
			importFunc("extism:host/env", "http_headers", 0),
			cat(pad, []byte("wasi"), str("fd_write"), []byte{0x00, 0x00}),
		),
	)
	out, n, err := RewriteImports(in, renameKernelHTTP)
	if err != nil || n != 1 {
		t.Fatalf("RewriteImports = %d, %v", n, err)
	}
	if !bytes.Contains(out, cat(pad, []byte("wasi"))) {
		t.Error("padded module name length of an untouched import was re-encoded")
	}
	want := module(
		sec(secType, vec(functype(nil, nil))),
		sec(secImport, uleb(2),
			importFunc("toolhost:host/env", "http_headers", 0),
			cat(pad, []byte("wasi"), str("fd_write"), []byte{0x00, 0x00}),
		),
	)
	if !bytes.Equal(out, want) {
		t.Errorf("output\n% x\nwant\n% x", out, want)
	}
}

func TestRewriteImportsErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		rename func(module, name string) (string, bool)
		want   string
	}{
		{"nil rename", pluginModule(), nil, "wasmbin: RewriteImports called with a nil rename func"},
		{"invalid utf-8 new name", pluginModule(), func(string, string) (string, bool) { return "\xff", true }, `wasmbin: new module name "\xff" for import 0 ("extism:host/env" "http_request") is not valid utf-8`},
		{"malformed module", module(sec(secImport, uleb(5))), renameKernelHTTP, "wasm: import section at offset 0xa: import count 5 needs at least 20 bytes but only 0 remain"},
		{"component", []byte{0, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00}, renameKernelHTTP, "WebAssembly component"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, n, err := RewriteImports(tt.in, tt.rename)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if out != nil || n != 0 {
				t.Errorf("returned %d bytes and n=%d with an error", len(out), n)
			}
		})
	}
}

// TestRewriteCompilesWithWazero checks the rewritten bytes with the runtime
// toolhost actually uses: they compile, and wazero sees the new module names.
func TestRewriteCompilesWithWazero(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)

	in := pluginModule()
	if _, err := rt.CompileModule(ctx, in); err != nil {
		t.Fatalf("test fixture does not compile: %v", err)
	}
	out, n, err := RewriteImports(in, renameKernelHTTP)
	if err != nil || n != 3 {
		t.Fatalf("RewriteImports = %d, %v", n, err)
	}
	checkCompiled(t, rt, in, out)
}

// checkCompiled compiles out with wazero and compares its imported and
// exported functions with what Parse reports for out, and the imported
// functions with those of in.
func checkCompiled(t *testing.T, rt wazero.Runtime, in, out []byte) {
	t.Helper()
	ctx := context.Background()
	cm, err := rt.CompileModule(ctx, out)
	if err != nil {
		t.Fatalf("wazero rejects the rewritten module: %v", err)
	}
	defer cm.Close(ctx)
	m, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	var funcImports, origFuncImports []Import
	for i, im := range m.Imports {
		if im.Kind == Func {
			funcImports = append(funcImports, im)
			origFuncImports = append(origFuncImports, orig.Imports[i])
		}
	}
	defs := cm.ImportedFunctions()
	if len(defs) != len(funcImports) {
		t.Fatalf("wazero sees %d imported functions, Parse %d", len(defs), len(funcImports))
	}
	for i, d := range defs {
		mod, name, ok := d.Import()
		im := funcImports[i]
		if !ok || mod != im.Module || name != im.Name {
			t.Errorf("imported function %d: wazero %q %q, Parse %q %q", i, mod, name, im.Module, im.Name)
		}
		if !sameTypes(d.ParamTypes(), im.Type.Params) || !sameTypes(d.ResultTypes(), im.Type.Results) {
			t.Errorf("imported function %q: wazero %v -> %v, Parse %v", name, d.ParamTypes(), d.ResultTypes(), im.Type)
		}
		if kernelHTTP[name] && origFuncImports[i].Module == "extism:host/env" {
			if mod != "toolhost:host/env" {
				t.Errorf("kernel import %q still comes from %q", name, mod)
			}
		} else if mod != origFuncImports[i].Module {
			t.Errorf("import %q moved from %q to %q", name, origFuncImports[i].Module, mod)
		}
	}
	exported := cm.ExportedFunctions()
	nFuncExports := 0
	for _, e := range m.Exports {
		if e.Kind != Func {
			continue
		}
		nFuncExports++
		d, ok := exported[e.Name]
		if !ok {
			t.Errorf("wazero does not see exported function %q", e.Name)
			continue
		}
		if !sameTypes(d.ParamTypes(), e.Type.Params) || !sameTypes(d.ResultTypes(), e.Type.Results) {
			t.Errorf("exported function %q: wazero %v -> %v, Parse %v", e.Name, d.ParamTypes(), d.ResultTypes(), e.Type)
		}
	}
	if len(exported) != nFuncExports {
		t.Errorf("wazero sees %d exported functions, Parse %d", len(exported), nFuncExports)
	}
}

func sameTypes(w []byte, p []ValType) bool {
	if len(w) != len(p) {
		return false
	}
	for i := range w {
		if w[i] != byte(p[i]) {
			return false
		}
	}
	return true
}
