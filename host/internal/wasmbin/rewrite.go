package wasmbin

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// RewriteImports returns a copy of module b in which the module name of
// selected imports is replaced, and the number of imports whose module name
// changed.
//
// rename is called once per import entry, in order, for every kind of
// import; it returns the new module name and true to rename the entry, or
// false to keep it. The field name and the import's type never change.
//
// b must be a module that Parse accepts; it is not modified. Only the import
// section is re-encoded (its size recomputed as minimal LEB128, and only the
// renamed entries' module names rewritten); every other byte, including other
// sections' encodings, is copied unchanged. If no module name changes, the
// result equals b byte for byte.
func RewriteImports(b []byte, rename func(module, name string) (newModule string, ok bool)) ([]byte, int, error) {
	if rename == nil {
		return nil, 0, errors.New("wasmbin: RewriteImports called with a nil rename func")
	}
	m, lay, err := parse(b)
	if err != nil {
		return nil, 0, err
	}
	if lay.imports < 0 {
		return clone(b), 0, nil
	}
	sec := lay.sections[lay.imports]

	type change struct {
		span   importSpan
		module string
	}
	var changes []change
	body := sec.end - sec.body
	for i, im := range m.Imports {
		newModule, ok := rename(im.Module, im.Name)
		if !ok || newModule == im.Module {
			continue
		}
		if !utf8.ValidString(newModule) {
			return nil, 0, fmt.Errorf("wasmbin: new module name %q for import %d (%q %q) is not valid utf-8", newModule, i, im.Module, im.Name)
		}
		if uint64(len(newModule)) > math.MaxUint32 {
			return nil, 0, fmt.Errorf("wasmbin: new module name for import %d (%q %q) is %d bytes, over the u32 limit", i, im.Module, im.Name, len(newModule))
		}
		sp := lay.spans[i]
		body += ulebLen(uint64(len(newModule))) + len(newModule) - (sp.modEnd - sp.modStart)
		changes = append(changes, change{sp, newModule})
	}
	if len(changes) == 0 {
		return clone(b), 0, nil
	}
	if uint64(body) > math.MaxUint32 {
		return nil, 0, fmt.Errorf("wasmbin: rewritten import section would be %d bytes, over the u32 limit", body)
	}

	out := make([]byte, 0, len(b)-(sec.end-sec.start)+1+5+body)
	out = append(out, b[:sec.start]...)
	out = append(out, secImport)
	out = appendULEB(out, uint64(body))
	pos := sec.body // next byte of the old section not yet copied
	for _, c := range changes {
		out = append(out, b[pos:c.span.modStart]...)
		out = appendULEB(out, uint64(len(c.module)))
		out = append(out, c.module...)
		pos = c.span.modEnd
	}
	out = append(out, b[pos:]...)
	return out, len(changes), nil
}

func appendULEB(dst []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(dst, c)
		}
		dst = append(dst, c|0x80)
	}
}

func ulebLen(v uint64) int {
	n := 1
	for v >>= 7; v != 0; v >>= 7 {
		n++
	}
	return n
}

func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}
