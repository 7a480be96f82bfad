package wasmbin

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// FuzzInstrument checks that InstrumentInterrupt never panics or modifies
// its input, that its errors are *Error values (or name errors), that its
// output parses and exports the flag, and, with wazero, that
// instrumentation neither breaks a valid module nor makes an invalid one
// valid (which could mean the original code reaches the new globals).
func FuzzInstrument(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	for _, c := range instrCases() {
		f.Add(c.build(nil))
	}
	f.Add(interruptModule())
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x02\x010")) // see wazeroCustomSectionQuirk
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte) {
		inCopy := bytes.Clone(b)
		out, err := InstrumentInterrupt(b, flagName)
		if !bytes.Equal(b, inCopy) {
			t.Fatal("InstrumentInterrupt modified its input")
		}
		if err != nil {
			if out != nil {
				t.Fatal("output returned with an error")
			}
			var e *Error
			if !errors.As(err, &e) && !strings.HasPrefix(err.Error(), "wasmbin: module already exports") {
				t.Fatalf("error is neither an *Error nor an export clash: %v", err)
			}
			return
		}
		m, err := Parse(out)
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		exports := m.Exports
		if in, _ := Parse(b); in != nil && in.HasStart {
			// The start function is exported after the flag, and the
			// start section is gone.
			if e := exports[len(exports)-1]; e.Name != StartExport(flagName) || e.Kind != Func || m.HasStart {
				t.Fatalf("start function: last export %+v, start section kept %v", e, m.HasStart)
			}
			exports = exports[:len(exports)-1]
		}
		if e := exports[len(exports)-1]; e.Name != flagName || e.Kind != Global {
			t.Fatalf("flag: export %+v", e)
		}
		if _, err := InstrumentInterrupt(out, flagName); err == nil || !strings.Contains(err.Error(), "already exports") {
			t.Fatalf("instrumenting twice with one name: %v", err)
		}

		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		_, inErr := rt.CompileModule(ctx, b)
		_, outErr := rt.CompileModule(ctx, out)
		switch {
		case inErr == nil && outErr != nil:
			t.Fatalf("wazero compiles the input but not the output: %v", outErr)
		case inErr != nil && outErr == nil && !wazeroCustomSectionQuirk(b, inErr):
			t.Fatalf("wazero rejects the input (%v) but compiles the output", inErr)
		}
	})
}

// wazeroCustomSectionQuirk reports wazero 1.12 rejecting a valid module
// that ends with a custom section with an empty payload: it reads the
// payload with bytes.Reader.Read, which returns io.EOF for an empty buffer
// at the end of the input. InstrumentInterrupt may append sections after
// such a custom section, and the output then compiles.
func wazeroCustomSectionQuirk(b []byte, err error) bool {
	if !strings.Contains(err.Error(), "failed to read custom section name") {
		return false
	}
	secs, serr := splitSections(b)
	if serr != nil || len(secs) == 0 {
		return false
	}
	last := secs[len(secs)-1]
	r := &reader{b: b, pos: last.body, end: last.end}
	_, nerr := r.name("name")
	return last.id == secCustom && nerr == nil && r.pos == last.end
}
