package wasmbin

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are well-formed modules from both encoders plus a few broken
// ones, for the fuzzers to mutate.
func fuzzSeeds() [][]byte {
	seeds := [][]byte{
		pluginModule(),
		module(),
		module(sec(secImport, vec(importMemory("env", "m", cat([]byte{0x07}, uleb(1), uleb(2)))))),
		module(
			sec(secType, vec(functype([]ValType{I32}, nil))),
			sec(secImport, vec(importTag("env", "e", 0), importTable("env", "t", ExternRef, limMin(1)), importGlobal("env", "g", F64, true))),
			sec(secTag, vec([]byte{0, 0})),
			sec(secExport, vec(export("e", Tag, 1), export("t", Table, 0))),
		),
		cat(header, paddedSec(secImport, paddedULEB(1, 5), paddedULEB(1, 5), []byte("m"), str("f"), []byte{byte(Global), byte(I32), 0})),
		{0, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00},
		module(sec(secImport, uleb(0xffffffff))),
		module(custom("\xff")),
	}
	for _, fx := range watFixtures {
		seeds = append(seeds, fx.wasm)
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	identity := func(m, _ string) (string, bool) { return m, true }
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		out, n, rerr := RewriteImports(b, identity)
		if err != nil {
			if m != nil {
				t.Fatal("Parse returned a module with an error")
			}
			if rerr == nil || rerr.Error() != err.Error() {
				t.Fatalf("Parse error %v but RewriteImports error %v", err, rerr)
			}
			if !strings.HasPrefix(err.Error(), "wasm: ") {
				t.Fatalf("error without wasm: prefix: %v", err)
			}
			return
		}
		if m.Size != len(b) {
			t.Fatalf("Size %d, want %d", m.Size, len(b))
		}
		for _, e := range m.Exports {
			if (e.Kind == Func) != (e.Type != nil) {
				t.Fatalf("export %q of kind %v has type %v", e.Name, e.Kind, e.Type)
			}
		}
		for _, im := range m.Imports {
			if !utf8.ValidString(im.Module) || !utf8.ValidString(im.Name) {
				t.Fatalf("invalid utf-8 name accepted: %q %q", im.Module, im.Name)
			}
		}
		if rerr != nil {
			t.Fatalf("Parse accepted but RewriteImports failed: %v", rerr)
		}
		if n != 0 || !bytes.Equal(out, b) {
			t.Fatalf("identity rewrite changed the module (n=%d)", n)
		}
	})
}

func FuzzRewrite(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, "toolhost:host/env", "http_")
		f.Add(s, "", "")
		f.Add(s, strings.Repeat("long", 40), "f")
		f.Add(s, "\xff", "")
	}
	f.Fuzz(func(t *testing.T, b []byte, newModule, prefix string) {
		rename := func(_, name string) (string, bool) { return newModule, strings.HasPrefix(name, prefix) }
		inCopy := bytes.Clone(b)
		m, perr := Parse(b)
		out, n, err := RewriteImports(b, rename)
		if !bytes.Equal(b, inCopy) {
			t.Fatal("RewriteImports modified its input")
		}
		if perr != nil {
			if err == nil {
				t.Fatalf("Parse failed (%v) but RewriteImports succeeded", perr)
			}
			return
		}
		wouldRename := false
		for _, im := range m.Imports {
			if mod, ok := rename(im.Module, im.Name); ok && mod != im.Module {
				wouldRename = true
			}
		}
		if wouldRename && !utf8.ValidString(newModule) {
			if err == nil {
				t.Fatal("invalid utf-8 module name accepted")
			}
			return
		}
		if err != nil {
			t.Fatalf("RewriteImports of a parsed module: %v", err)
		}
		checkRewrite(t, b, inCopy, out, n, rename)
	})
}
