package author

import (
	"bytes"
	"os"
	"testing"

	"github.com/toolhost/toolhost/host"
)

// compileCache is the wazero compilation cache the tests use: toolhost's
// default one, as e2e tests do, so a module is compiled once per machine
// rather than once per run (seconds per Go plugin, far more under -race).
var compileCache = host.DefaultCacheDir()

// wasm assembles a WebAssembly module from sections, for modules too small
// and too wrong to be worth a toolchain.
type wasm struct{ b []byte }

func newWasm() *wasm { return &wasm{b: []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}} }

func uleb(b []byte, n uint32) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func wname(s string) []byte { return append(uleb(nil, uint32(len(s))), s...) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// section appends section id holding a vector of entries.
func (w *wasm) section(id byte, entries ...[]byte) *wasm {
	body := uleb(nil, uint32(len(entries)))
	for _, e := range entries {
		body = append(body, e...)
	}
	w.b = append(w.b, id)
	w.b = uleb(w.b, uint32(len(body)))
	w.b = append(w.b, body...)
	return w
}

const (
	secType, secImport, secExport = 1, 2, 7
	funcType                      = 0x60
	externFunc                    = 0x00
)

// importing returns a module whose functions are all imported (type
// () -> ()), the first of them re-exported as each of exports, so that it
// looks like a plugin until its imports are resolved.
func importing(imports [][2]string, exports ...string) []byte {
	var imps, exps [][]byte
	for _, imp := range imports {
		imps = append(imps, cat(wname(imp[0]), wname(imp[1]), []byte{externFunc, 0}))
	}
	for _, e := range exports {
		exps = append(exps, cat(wname(e), []byte{externFunc, 0}))
	}
	return newWasm().section(secType, []byte{funcType, 0, 0}).section(secImport, imps...).section(secExport, exps...).b
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := dir + "/" + name
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
