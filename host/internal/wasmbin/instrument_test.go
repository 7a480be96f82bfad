package wasmbin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/toolhost/toolhost/internal/testplugins"
)

const flagName = "toolhost.interrupt"

// ck marks the entry check site for fbody.
type ck struct{}

// lk marks a loop check site for fbody; its value is the index the loop
// counter gets: the function's parameters plus its locals.
type lk uint32

// fbody encodes a function body: locals (an encoded vector, nil for none),
// then parts ([]byte, byte or int each an opcode or immediate byte, ck or
// lk for a check site) and the final end. With check nil it encodes the
// input, else the expected output: check at every ck, a loop check at
// every lk, and the loop counter declared last if there is an lk.
func fbody(check, locals []byte, parts ...any) []byte {
	if locals == nil {
		locals = []byte{0x00}
	}
	var b []byte
	loops := false
	for _, p := range parts {
		switch p := p.(type) {
		case []byte:
			b = append(b, p...)
		case byte:
			b = append(b, p)
		case int:
			b = append(b, byte(p))
		case ck:
			b = append(b, check...)
		case lk:
			if check != nil {
				b = appendLoopCheck(b, uint32(p), check)
				loops = true
			}
		default:
			panic(fmt.Sprintf("fbody: part of type %T", p))
		}
	}
	if loops {
		r := &reader{b: locals, end: len(locals)}
		n, err := r.u32("local declarations")
		if err != nil {
			panic(err)
		}
		locals = cat(uleb(uint64(n)+1), locals[r.pos:], []byte{0x01, byte(I32)})
	}
	b = append(cat(locals, b), 0x0b)
	return cat(uleb(uint64(len(b))), b)
}

func rep(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

func globalI32(mut byte, init ...byte) []byte {
	return cat([]byte{byte(I32), mut}, init, []byte{0x0b})
}

// The globals InstrumentInterrupt appends: the flag and the budget.
var (
	flagGlobal   = globalI32(1, 0x41, 0x00)
	budgetGlobal = globalI32(1, appendSLEB([]byte{0x41}, yieldInterval)...)
)

func flagExport(idx uint32) []byte { return export(flagName, Global, idx) }

// noMemory is the memory section added to a module without memory, for
// the checks' memory.grow 0.
var noMemory = sec(secMemory, vec(limMinMax(0, 0)))

// sections returns in for the input (check nil), and out, concatenated,
// for the expected output.
func sections(check []byte, in []byte, out ...[]byte) []byte {
	if check == nil {
		return in
	}
	return cat(out...)
}

// instrCase describes a module twice: as input (check nil) and as the
// expected output (check the sequence for flag index flag).
type instrCase struct {
	name   string
	flag   uint32
	mem64  bool
	build  func(check []byte) []byte
	wazero bool // wazero's default features compile input and output
}

func instrCases() []instrCase {
	tVoid := functype(nil, nil)
	tI32 := functype([]ValType{I32}, []ValType{I32})
	v128 := func(c byte) []byte { return cat([]byte{0xfd, 0x0c}, rep(c, 16)) }
	added := func(check []byte, flag uint32, memory bool) []byte {
		var mem []byte
		if memory {
			mem = noMemory
		}
		return sections(check, nil, mem, sec(secGlobal, vec(flagGlobal, budgetGlobal)), sec(secExport, vec(flagExport(flag))))
	}
	return []instrCase{
		{
			name: "empty module", flag: 0, wazero: true,
			build: func(check []byte) []byte { return module(added(check, 0, true)) },
		},
		{
			name: "no memory, global or export section", flag: 0, wazero: true,
			build: func(check []byte) []byte {
				return module(
					sec(secType, vec(tVoid)),
					sec(secFunction, vec(uleb(0), uleb(0), uleb(0))),
					added(check, 0, true),
					sec(secCode, vec(
						fbody(check, nil, 0x01),                    // a leaf: no check
						fbody(check, nil, 0x03, 0x40, lk(0), 0x0b), // loop end
						fbody(check, nil, ck{}, 0x10, 0x00),        // call 0: checked on entry
					)),
				)
			},
		},
		{
			name: "imported and defined globals, existing exports", flag: 4, wazero: true,
			build: func(check []byte) []byte {
				globals := [][]byte{globalI32(1, 0x41, 0x07), globalI32(0, 0x23, 0x01)} // second: global.get 1 (imported)
				exports := [][]byte{export("f", Func, 1), export("g", Global, 3)}
				if check != nil {
					globals = append(globals, flagGlobal, budgetGlobal)
					exports = append(exports, flagExport(4))
				}
				return module(
					sec(secType, vec(tVoid)),
					sec(secImport, vec(
						importGlobal("env", "a", I32, true),
						importFunc("env", "f", 0),
						importMemory("env", "m", limMin(1)),
						importGlobal("env", "b", I32, false),
					)),
					sec(secFunction, vec(uleb(0))),
					sec(secGlobal, vec(globals...)),
					sec(secExport, vec(exports...)),
					sec(secCode, vec(fbody(check, nil, ck{},
						0x23, 0x02, 0x24, 0x00, // global.get 2, global.set 0
						0x23, 0x03, 0x1a, // global.get 3, drop
						0x10, 0x00, // call 0
					))),
				)
			},
		},
		{
			name: "global section but no export section", flag: 1, wazero: true,
			build: func(check []byte) []byte {
				g := globalI32(0, 0x41, 0x00)
				return module(
					sec(secType, vec(tVoid)),
					sec(secFunction, vec(uleb(0))),
					sec(secMemory, vec(limMin(1))),
					// The start section becomes an export the host calls.
					sections(check, cat(sec(secGlobal, vec(g)), sec(secStart, uleb(0))),
						sec(secGlobal, vec(g, flagGlobal, budgetGlobal)), sec(secExport, vec(flagExport(1), export(StartExport(flagName), Func, 0)))),
					sec(secCode, vec(fbody(check, nil, 0x03, 0x40, lk(0), 0x0b))),
				)
			},
		},
		{
			name: "control flow", flag: 0, wazero: true,
			build: func(check []byte) []byte {
				locals := vec(cat(uleb(2), []byte{byte(I64)}), cat(uleb(1), []byte{byte(F32)}))
				return module(
					sec(secType, vec(tVoid, tI32)),
					sec(secFunction, vec(uleb(1))),
					added(check, 0, true),
					sec(secCode, vec(fbody(check, locals,
						0x02, 0x40, // block
						0x03, 0x40, lk(4), // loop
						0x03, 0x40, lk(4), // loop
						0x20, 0x00, 0x04, 0x40, // local.get 0, if
						0x03, 0x40, lk(4), 0x0c, 0x03, 0x0b, // loop br 3 end
						0x05,                                                  // else
						0x02, 0x40, 0x03, 0x40, lk(4), 0x0c, 0x04, 0x0b, 0x0b, // block loop br 4 end end
						0x0b,       // end if
						0x0c, 0x02, // br 2
						0x0b, 0x0b, 0x0b, // end loop, loop, block
						0x20, 0x00, // local.get 0
						0x03, 0x01, lk(4), // loop (type 1): multi-value block type [i32] -> [i32]
						0x41, 0x01, 0x6b, 0x22, 0x00, // i32.const 1, i32.sub, local.tee 0
						0x20, 0x00, 0x0d, 0x00, // local.get 0, br_if 0
						0x0b,
						0x02, 0x7f, 0x41, 0x03, 0x0b, 0x6a, // block (result i32) i32.const 3 end, i32.add
						0x0f,                          // return
						0x03, 0x40, lk(4), 0x00, 0x0b, // unreachable code: loop unreachable end
					))),
				)
			},
		},
		{
			name: "immediates holding 0x03 bytes", flag: 1, wazero: true,
			build: func(check []byte) []byte {
				globals := [][]byte{globalI32(1, 0x41, 0x03)}
				exports := [][]byte{export("imm", Func, 0)}
				if check != nil {
					globals = append(globals, flagGlobal, budgetGlobal)
					exports = append(exports, flagExport(1))
				}
				return module(
					sec(secType, vec(tVoid, tVoid, tVoid, tI32)),
					sec(secFunction, vec(uleb(0))),
					sec(secTable, vec(cat([]byte{byte(FuncRef)}, limMin(4)))),
					sec(secMemory, vec(limMin(1))),
					sec(secGlobal, vec(globals...)),
					sec(secExport, vec(exports...)),
					sec(secElement, vec(cat([]byte{0x01, 0x00}, vec(uleb(0))))), // passive, funcref
					sec(secDataCount, uleb(1)),
					sec(secCode, vec(fbody(check, vec(cat(uleb(4), []byte{byte(I32)})),
						ck{},             // it calls
						0x41, 0x03, 0x1a, // i32.const 3, drop
						0x41, 0x83, 0x03, 0x1a, // i32.const 387
						0x42, 0x83, 0x06, 0x1a, // i64.const 771
						0x43, rep(0x03, 4), 0x1a, // f32.const
						0x44, rep(0x03, 8), 0x1a, // f64.const
						0x20, 0x03, 0x22, 0x03, 0x21, 0x03, // local.get/tee/set 3
						0x23, 0x00, 0x24, 0x00, // global.get 0, global.set 0
						0x41, 0x00, 0x29, 0x03, 0x03, 0x1a, // i64.load align=3 offset=3
						0x41, 0x00, 0x42, 0x03, 0x37, 0x03, 0x83, 0x03, // i64.store align=3 offset=387
						v128(0x03), 0xfd, 0x15, 0x03, 0x1a, // v128.const, i8x16.extract_lane_s 3
						v128(0x03), v128(0x03), 0xfd, 0x0d, rep(0x03, 16), 0x1a, // i8x16.shuffle
						0x41, 0x00, v128(0x03), 0xfd, 0x54, 0x00, 0x03, 0x03, 0x1a, // v128.load8_lane offset=3 lane 3
						0x41, 0x00, 0xfd, 0x03, 0x03, 0x03, 0x1a, // v128.load16x4_s align=3 offset=3
						0x41, 0x00, 0xfd, 0x5d, 0x03, 0x03, 0x1a, // v128.load64_zero align=3 offset=3
						v128(0x03), 0xfd, 0x80, 0x01, 0x1a, // i16x8.abs (two-byte sub-opcode 0x80)
						0x43, rep(0, 4), 0xfc, 0x00, 0x1a, // i32.trunc_sat_f32_s
						0x41, 0x00, 0x41, 0x00, 0x41, 0x03, 0xfc, 0x0a, 0x00, 0x00, // memory.copy 0 0
						0x41, 0x00, 0x41, 0x03, 0x41, 0x00, 0xfc, 0x0b, 0x00, // memory.fill 0
						0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, // memory.init 0 0
						0xfc, 0x09, 0x00, // data.drop 0
						0xfc, 0x10, 0x00, 0x1a, // table.size 0
						0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x8c, 0x00, 0x00, 0x00, // table.init 0 0, padded sub-opcode 12
						0x41, 0x03, 0xc0, 0x1a, // i32.extend8_s
						0xd0, 0x70, 0xd1, 0x1a, // ref.null func, ref.is_null
						0xd2, 0x00, 0x1a, // ref.func 0
						0x41, 0x03, 0x25, 0x00, 0x1a, // table.get 0
						0x41, 0x01, 0x41, 0x02, 0x41, 0x03, 0x1c, 0x01, byte(I32), 0x1a, // select (result i32)
						0x3f, 0x00, 0x1a, // memory.size
						0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40, // 4 blocks
						0x41, 0x03, 0x0e, 0x03, 0x03, 0x00, 0x03, 0x03, // br_table 3 0 3, default 3
						0x0b, 0x0b, 0x0b, 0x0b,
						0x41, 0x03, 0x02, 0x03, 0x0b, 0x1a, // block (type 3): i32 -> i32
						0x41, 0x03, 0x11, 0x00, 0x00, // call_indirect type 0 table 0
					))),
					sec(secData, vec(cat([]byte{0x01}, str("\x03\x03")))),
				)
			},
		},
		{
			name: "custom sections", flag: 0, wazero: true,
			build: func(check []byte) []byte {
				debug := func(name string) []byte { return sections(check, custom(name, 1, 2, 3)) }
				return module(
					custom("producers", 0x00),
					debug(".debug_info"),
					sec(secType, vec(tVoid)),
					debug(".debug_abbrev"),
					sec(secFunction, vec(uleb(0))),
					added(check, 0, true),
					sec(secCode, vec(fbody(check, nil))),
					debug(".debug_line"),
					custom(".debug"), // not a DWARF section: kept
					custom("name", 0x00, 0x02, 0x01, 'm'),
					custom("sourceMappingURL", 'x'),
				)
			},
		},
		{
			name: "two-byte global indices", flag: 300, wazero: true,
			build: func(check []byte) []byte {
				var globals [][]byte
				for range 300 {
					globals = append(globals, globalI32(0, 0x41, 0x00))
				}
				return module(
					sec(secType, vec(tVoid)),
					sec(secFunction, vec(uleb(0))),
					sec(secMemory, vec(limMin(0))),
					sections(check, sec(secGlobal, vec(globals...)), sec(secGlobal, vec(append(globals, flagGlobal, budgetGlobal)...)), sec(secExport, vec(flagExport(300)))),
					sec(secCode, vec(fbody(check, nil, 0x23, 0xab, 0x02, 0x1a, 0x03, 0x40, lk(0), 0x0b))),
				)
			},
		},
		{
			name: "body and section sizes cross a leb128 boundary", flag: 0, wazero: true,
			build: func(check []byte) []byte {
				return module(
					sec(secType, vec(tVoid)),
					sec(secFunction, vec(uleb(0))),
					added(check, 0, true),
					sec(secCode, vec(fbody(check, nil, rep(0x01, 100), 0x03, 0x40, lk(0), 0x0b))),
				)
			},
		},
		{
			name: "loop counter index and declaration count cross a leb128 boundary", flag: 0, wazero: true,
			build: func(check []byte) []byte {
				decls := make([][]byte, 127)
				for i := range decls {
					decls[i] = cat(uleb(2), []byte{byte(I64)})
				}
				return module(
					sec(secType, vec(tI32)),
					sec(secFunction, vec(uleb(0))),
					added(check, 0, true),
					sec(secCode, vec(fbody(check, vec(decls...), 0x03, 0x40, lk(255), 0x0b, 0x20, 0x00))),
				)
			},
		},
		{
			name: "padded encodings elsewhere survive", flag: 0, wazero: true,
			build: func(check []byte) []byte {
				return module(
					paddedSec(secType, paddedULEB(1, 3), tVoid),
					paddedSec(secFunction, paddedULEB(1, 5), paddedULEB(0, 2)),
					paddedSec(secMemory, vec(limMin(1))),
					added(check, 0, false),
					// The count and the immediates in the body keep their padding.
					sec(secCode, paddedULEB(1, 4), fbody(check, nil, 0x03, 0x80, 0x00, lk(0), 0x0b)), // loop (type 0)
				)
			},
		},
		{
			name: "memory64", flag: 0, mem64: true, wazero: false,
			build: func(check []byte) []byte {
				return module(
					sec(secType, vec(tVoid)),
					sec(secFunction, vec(uleb(0))),
					sec(secMemory, vec([]byte{0x04, 0x01})),
					added(check, 0, false),
					sec(secCode, vec(fbody(check, nil, 0x03, 0x40, lk(0), 0x0b))),
				)
			},
		},
		{
			name: "exceptions, tail calls, atomics, multi-memory", flag: 0, wazero: false,
			build: func(check []byte) []byte {
				return module(
					sec(secType, vec(tVoid)),
					sec(secFunction, vec(uleb(0))),
					sec(secMemory, vec(limMin(1), limMin(1))),
					sec(secTag, vec([]byte{0x00, 0x00})),
					added(check, 0, false),
					sec(secCode, vec(fbody(check, nil, ck{},
						0x06, 0x40, 0x03, 0x40, lk(0), 0x08, 0x00, 0x0b, // try loop throw 0 end
						0x07, 0x00, 0x09, 0x00, // catch 0 rethrow 0
						0x19, 0x0b, // catch_all end
						0x06, 0x40, 0x18, 0x00, // try delegate 0
						0x1f, 0x40, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, // try_table with 4 catches
						0x03, 0x40, lk(0), 0x0a, 0x0b, 0x0b, // loop throw_ref end end
						0x41, 0x00, 0x41, 0x00, 0xfe, 0x00, 0x02, 0x00, 0x1a, // memory.atomic.notify
						0xfe, 0x03, 0x00, // atomic.fence
						0x41, 0x00, 0xfe, 0x10, 0x02, 0x03, 0x1a, // i32.atomic.load offset=3
						0x41, 0x00, 0x28, 0x42, 0x01, 0x03, 0x1a, // i32.load memory 1 offset=3
						0x41, 0x00, 0x29, 0x03, uleb(1<<40), 0x1a, // i64.load with a memory64 offset
						0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x01, 0x00, // memory.copy 1 0
						0x3f, 0x01, 0x40, 0x01, 0x1a, // memory.size 1, memory.grow 1
						0x12, 0x00, 0x13, 0x00, 0x00, // return_call 0, return_call_indirect 0 0
					))),
				)
			},
		},
	}
}

// TestCheckSeq spells out the inserted sequence, which the other tests
// take from checkSeq.
func TestCheckSeq(t *testing.T) {
	want := []byte{
		0x23, 0x81, 0x01, 0x41, 0x01, 0x6b, 0x24, 0x81, 0x01, // budget--
		0x23, 0x81, 0x01, 0x45, 0x23, 0x80, 0x01, 0x72, 0x04, 0x40, // if budget == 0 || flag
		0x23, 0x80, 0x01, 0x04, 0x40, 0x00, 0x0b, // if flag: unreachable
		0x41, 0x80, 0x20, 0x24, 0x81, 0x01, // budget = 4096
		0x41, 0x00, 0x40, 0x00, 0x1a, // memory.grow 0, drop
		0x0b,
	}
	if got := checkSeq(128, 129, false); !bytes.Equal(got, want) {
		t.Errorf("checkSeq(128, 129, false)\n% x\nwant\n% x", got, want)
	}
	want[len(want)-6] = 0x42 // i64.const 0
	if got := checkSeq(128, 129, true); !bytes.Equal(got, want) {
		t.Errorf("checkSeq(128, 129, true)\n% x\nwant\n% x", got, want)
	}
	if yieldInterval != 4096 {
		t.Errorf("yieldInterval is %d: update the expected i32.const", yieldInterval)
	}

	check := []byte{0xaa, 0xbb}
	for _, tt := range []struct {
		counter uint32
		want    []byte
	}{
		{3, []byte{
			0x20, 0x03, 0x41, 0x01, 0x6a, 0x22, 0x03, // local.get 3, i32.const 1, i32.add, local.tee 3
			0x41, 0xff, 0x01, 0x71, 0x45, 0x04, 0x40, // i32.const 255, i32.and, i32.eqz, if
			0xaa, 0xbb, 0x0b, // check end
		}},
		{200, []byte{
			0x20, 0xc8, 0x01, 0x41, 0x01, 0x6a, 0x22, 0xc8, 0x01,
			0x41, 0xff, 0x01, 0x71, 0x45, 0x04, 0x40,
			0xaa, 0xbb, 0x0b,
		}},
	} {
		got := appendLoopCheck(nil, tt.counter, check)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("appendLoopCheck(%d)\n% x\nwant\n% x", tt.counter, got, tt.want)
		}
		if n := loopCheckLen(tt.counter, len(check)); n != len(got) {
			t.Errorf("loopCheckLen(%d) = %d, want %d", tt.counter, n, len(got))
		}
	}
	if loopInterval != 256 {
		t.Errorf("loopInterval is %d: update the expected mask", loopInterval)
	}
}

func TestInstrumentInterrupt(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for _, tt := range instrCases() {
		t.Run(tt.name, func(t *testing.T) {
			in, want := tt.build(nil), tt.build(checkSeq(tt.flag, tt.flag+1, tt.mem64))
			if tt.wazero {
				compile(t, rt, in, "input")
			}
			inCopy := bytes.Clone(in)
			out, err := InstrumentInterrupt(in, flagName)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(in, inCopy) {
				t.Fatal("InstrumentInterrupt modified its input")
			}
			if !bytes.Equal(out, want) {
				t.Fatalf("output\n% x\nwant\n% x", out, want)
			}
			if slack := cap(out) - len(out); slack > 100 {
				t.Errorf("output allocated with %d spare bytes: reallocated, or badly estimated", slack)
			}
			checkFlagExport(t, out, tt.flag)
			if tt.wazero {
				compile(t, rt, out, "output")
			}
		})
	}
}

func compile(t testing.TB, rt wazero.Runtime, b []byte, what string) {
	t.Helper()
	ctx := context.Background()
	cm, err := rt.CompileModule(ctx, b)
	if err != nil {
		t.Fatalf("wazero rejects the %s: %v", what, err)
	}
	cm.Close(ctx)
}

// checkFlagExport checks that out parses and exports the flag global.
func checkFlagExport(t testing.TB, out []byte, flag uint32) {
	t.Helper()
	m, err := Parse(out)
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	e := m.Exports[len(m.Exports)-1]
	if e.Name == StartExport(flagName) && e.Kind == Func && len(m.Exports) > 1 {
		e = m.Exports[len(m.Exports)-2] // the start function follows the flag
	}
	if e.Name != flagName || e.Kind != Global || e.Index != flag {
		t.Fatalf("last export %+v, want global %d named %q", e, flag, flagName)
	}
}

func TestInstrumentInterruptErrors(t *testing.T) {
	tVoid := functype(nil, nil)
	// fn wraps one body (already encoded by body or by hand) in a module
	// with one global and, for element and data tests, a table and memory.
	fn := func(bodies ...[]byte) []byte {
		return module(
			sec(secType, vec(tVoid)),
			sec(secFunction, vec(uleb(0))),
			sec(secGlobal, vec(globalI32(1, 0x41, 0x00))),
			sec(secCode, vec(bodies...)),
		)
	}
	raw := func(b ...byte) []byte { return cat(uleb(uint64(len(b))), b) }
	tests := []struct {
		name        string
		in          []byte
		export      string
		want        string
		unsupported bool
	}{
		{"export clash with a global", pluginModule(), "sp", `wasmbin: module already exports a global named "sp"`, false},
		{"export clash with a function", pluginModule(), "run", `already exports a func named "run"`, false},
		{"empty export name", pluginModule(), "", "non-empty export name", false},
		{"invalid utf-8 export name", pluginModule(), "\xff", "not valid utf-8", false},
		{"malformed module", module(sec(secImport, uleb(5))), flagName, "wasm: import section at offset 0xa: import count 5", false},
		{"component", []byte{0, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00}, flagName, "WebAssembly component", false},
		{"truncated body", module(sec(secType, vec(tVoid)), sec(secFunction, vec(uleb(0))), sec(secCode, vec(raw(0x00, 0x01)[:2]))), flagName, "body size 2 exceeds remaining 1 bytes", false},
		{"start function out of range", module(sec(secStart, uleb(0xffffffff))), flagName, "start section at offset 0xa: start function index 4294967295 out of range (0 functions)", false},
		{"body without final end", fn(raw(0x00, 0x02, 0x40, 0x0b)), flagName, "function 0: body ends inside 1 open blocks, without its final end", false},
		{"bytes after the final end", fn(raw(0x00, 0x0b, 0x0b)), flagName, "function 0: 1 bytes after the body's final end", false},
		{"truncated immediate", fn(raw(0x00, 0x41, 0x80)), flagName, "unexpected end reading i32.const", false},
		{"truncated v128.const", fn(raw(0x00, 0xfd, 0x0c, 0x00, 0x0b)), flagName, "unexpected end reading 16-byte immediate", false},
		{"overlong i32.const", fn(body(0x41, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1a)), flagName, "i32.const: invalid leb128 s32", false},
		{"global.get out of range", fn(body(0x23, 0x01, 0x1a)), flagName, "function 0: global.get index 1 out of range (1 globals)", false},
		{"global.set out of range", fn(body(0x41, 0x00, 0x24, 0x05)), flagName, "global.set index 5 out of range (1 globals)", false},
		{"global init refers to the flag's index", module(
			sec(secImport, vec(importGlobal("env", "g", I32, false))),
			sec(secGlobal, vec(globalI32(0, 0x23, 0x00), globalI32(0, 0x23, 0x03))),
		), flagName, "global section at offset 0x1e: global 2: global.get index 3 out of range (3 globals)", false},
		{"element offset refers to a missing global", module(
			sec(secTable, vec(cat([]byte{byte(FuncRef)}, limMin(1)))),
			sec(secElement, vec(cat([]byte{0x00, 0x23, 0x00, 0x0b}, vec()))),
		), flagName, "element section at offset 0x12: element segment 0: global.get index 0 out of range (0 globals)", false},
		{"element expression refers to a missing global", module(
			sec(secElement, vec(cat([]byte{0x05, byte(FuncRef)}, vec([]byte{0xd0, 0x70, 0x0b}, []byte{0x23, 0x00, 0x0b})))),
		), flagName, "element segment 0: global.get index 0 out of range", false},
		{"data offset refers to a missing global", module(
			sec(secMemory, vec(limMin(1))),
			sec(secData, vec([]byte{0x00, 0x41, 0x00, 0x0b, 0x00}, []byte{0x02, 0x00, 0x23, 0x07, 0x0b, 0x00})),
		), flagName, "data segment 1: global.get index 7 out of range (0 globals)", false},
		{"table initialiser refers to a missing global", module(
			sec(secTable, vec(cat([]byte{0x40, 0x00, byte(FuncRef)}, limMin(1), []byte{0x23, 0x00, 0x0b}))),
		), flagName, "table 0: global.get index 0 out of range", false},
		{"function and code counts differ", module(sec(secType, vec(tVoid)), sec(secFunction, vec(uleb(0), uleb(0))), sec(secCode, vec(body()))), flagName, "1 function bodies for 2 functions", false},
		{"code section missing", module(sec(secType, vec(tVoid)), sec(secFunction, vec(uleb(0)))), flagName, "code section at offset 0x12: missing: the function section declares 1 functions", false},
		{"trailing bytes in the code section", module(sec(secType, vec(tVoid)), sec(secFunction, vec(uleb(0))), sec(secCode, vec(body()), []byte{0x00})), flagName, "1 unread bytes at the end of the section", false},
		{"trailing bytes in the global section", module(sec(secGlobal, vec(globalI32(0, 0x41, 0x00)), []byte{0x01})), flagName, "global section at offset 0x10: 1 unread bytes", false},
		{"delegate outside try", fn(body(0x18, 0x00)), flagName, "delegate outside a try block", false},
		{"memarg alignment flags", fn(body(0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1a)), flagName, "invalid memarg alignment flags 0x80", false},
		{"atomic.fence flags", fn(body(0xfe, 0x03, 0x01)), flagName, "invalid atomic.fence flags 0x01", false},
		{"try_table catch kind", fn(body(0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b)), flagName, "invalid try_table catch kind 0x04", false},
		{"element segment flags", module(sec(secElement, vec([]byte{0x08, 0x00}))), flagName, "invalid element segment flags 8", false},
		{"data segment flags", module(sec(secData, vec([]byte{0x03, 0x00}))), flagName, "invalid data segment flags 3", false},

		{"memory instruction without memory", fn(body(0x41, 0x00, 0x28, 0x02, 0x00, 0x1a)), flagName, "code section at offset 0x21: memory instruction in a module without memory", false},
		{"memory.fill without memory", fn(body(0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0b, 0x00)), flagName, "memory instruction in a module without memory", false},
		{"active data segment without memory", module(sec(secData, vec([]byte{0x00, 0x41, 0x00, 0x0b, 0x00}))), flagName, "data section at offset 0xb: active data segment in a module without memory", false},

		{"call_ref", fn(body(0x14, 0x00)), flagName, "function 0: opcode 0x14: not supported", true},
		{"gc prefix", fn(body(0xfb, 0x00)), flagName, "opcode 0xfb", true},
		{"unassigned simd opcode", fn(body(0xfd, 0x9a, 0x01)), flagName, "opcode 0xfd 0x9a", true},
		{"simd opcode past relaxed simd", fn(body(0xfd, 0x94, 0x02)), flagName, "opcode 0xfd 0x114", true},
		{"unknown 0xfc opcode", fn(body(0xfc, 0x12)), flagName, "opcode 0xfc 18", true},
		{"unknown atomic opcode", fn(body(0xfe, 0x04)), flagName, "opcode 0xfe 0x4", true},
		{"reference block type", fn(body(0x02, 0x63, 0x70, 0x0b)), flagName, "block type 0x63", true},
		{"typed select of a gc type", fn(body(0x1c, 0x01, 0x63)), flagName, "select type 0x63", true},
		{"ref.null of a heap type index", fn(body(0xd0, 0x00)), flagName, "reference type 0x00", true},
		{"unknown local type", fn(raw(0x01, 0x01, 0x64, 0x0b)), flagName, "local type 0x64", true},
		{"gc global type", module(sec(secGlobal, vec([]byte{0x63, 0x70, 0x00, 0xd0, 0x70, 0x0b}))), flagName, "value type 0x63", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := InstrumentInterrupt(tt.in, tt.export)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %t", err, !tt.unsupported)
			}
			if out != nil {
				t.Errorf("returned %d bytes with an error", len(out))
			}
		})
	}
}

// TestInstrumentWatFixtures instruments the modules wat2wasm produced,
// including its exceptions, memory64, multi-memory and threads encodings.
func TestInstrumentWatFixtures(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for _, fx := range watFixtures {
		t.Run(fx.name, func(t *testing.T) {
			out, err := InstrumentInterrupt(fx.wasm, flagName)
			if err != nil {
				t.Fatal(err)
			}
			st := instrumentStats(t, fx.wasm, out)
			t.Logf("%d checks in %d functions", st.checks, st.funcs)
			if fx.wazero {
				compile(t, rt, out, "instrumented fixture")
			}
		})
	}
}

// interruptModule is a module whose functions run forever, exponentially
// long, or briefly. It imports env.started, which the spinning exports
// call before they spin.
//
//	spin ()        call started; loop br 0 end
//	sum (n) -> i32 sum of 1..n with a loop
//	fib (n) -> i32 recursive fibonacci, no loops
//	fib_started (n) -> i32: call started; fib(n)
func interruptModule() []byte {
	tVoid := functype(nil, nil)
	tI32 := functype([]ValType{I32}, []ValType{I32})
	return module(
		sec(secType, vec(tVoid, tI32)),
		sec(secImport, vec(importFunc("env", "started", 0))),
		sec(secFunction, vec(uleb(0), uleb(1), uleb(1), uleb(1))),
		sec(secExport, vec(export("spin", Func, 1), export("sum", Func, 2), export("fib", Func, 3), export("fib_started", Func, 4))),
		sec(secCode, vec(
			body(0x10, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b),
			fbody(nil, vec(cat(uleb(1), []byte{byte(I32)})),
				0x02, 0x40, 0x03, 0x40, // block loop
				0x20, 0x00, 0x45, 0x0d, 0x01, // local.get 0, i32.eqz, br_if 1
				0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01, // acc += n
				0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, // n--
				0x0c, 0x00, 0x0b, 0x0b, // br 0, end loop, end block
				0x20, 0x01, // local.get 1
			),
			body(
				0x20, 0x00, 0x41, 0x02, 0x49, // n < 2
				0x04, 0x7f, 0x20, 0x00, // if (result i32) n
				0x05,                                     // else
				0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x03, // fib(n-1)
				0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x03, // fib(n-2)
				0x6a, 0x0b, // add, end
			),
			body(0x10, 0x00, 0x20, 0x00, 0x10, 0x03),
		)),
	)
}

// TestInterruptWithWazero runs instrumented code on wazero, without
// WithCloseOnContextDone, and stops it through the exported flag.
func TestInterruptWithWazero(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		// The interpreter reads globals in Go: setting the flag from
		// another goroutine would be a data race there.
		t.Skip("wazero's compiler does not support", runtime.GOARCH)
	}
	ctx := context.Background()
	rt, out, started := spinRuntime(t)
	cm, err := rt.CompileModule(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	instance := func(t *testing.T) (api.Module, api.MutableGlobal) {
		mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { mod.Close(ctx) })
		g, ok := mod.ExportedGlobal(flagName).(api.MutableGlobal)
		if !ok {
			t.Fatalf("export %q is not a mutable global", flagName)
		}
		return mod, g
	}

	t.Run("flag clear: runs normally", func(t *testing.T) {
		mod, flag := instance(t)
		if res, err := mod.ExportedFunction("sum").Call(ctx, 1000); err != nil || api.DecodeI32(res[0]) != 500500 {
			t.Fatalf("sum(1000) = %v, %v", res, err)
		}
		if res, err := mod.ExportedFunction("fib").Call(ctx, 20); err != nil || api.DecodeI32(res[0]) != 6765 {
			t.Fatalf("fib(20) = %v, %v", res, err)
		}
		if v := flag.Get(); v != 0 {
			t.Fatalf("flag starts at %d", v)
		}
		flag.Set(1)
		// Loops check every loopInterval iterations: a short one ends first.
		if res, err := mod.ExportedFunction("sum").Call(ctx, 5); err != nil || api.DecodeI32(res[0]) != 15 {
			t.Fatalf("sum(5) with the flag set = %v, %v; want 15: fewer iterations than loopInterval", res, err)
		}
		if _, err := mod.ExportedFunction("sum").Call(ctx, loopInterval); err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("sum(loopInterval) with the flag set: %v, want an unreachable trap", err)
		}
		flag.Set(0)
		if res, err := mod.ExportedFunction("sum").Call(ctx, 5); err != nil || api.DecodeI32(res[0]) != 15 {
			t.Fatalf("sum(5) after clearing the flag = %v, %v", res, err)
		}
	})

	for _, tc := range []struct {
		name, fn string
		args     []uint64
	}{
		{"infinite loop", "spin", nil},
		{"exponential recursion", "fib_started", []uint64{40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod, flag := instance(t)
			done := make(chan error, 1)
			go func() {
				res, err := mod.ExportedFunction(tc.fn).Call(ctx, tc.args...)
				if err == nil {
					err = fmt.Errorf("returned %v", res)
				}
				done <- err
			}()
			select {
			case <-started:
			case err := <-done:
				t.Fatalf("%s ended before it started: %v", tc.fn, err)
			}
			// Let it run into its loop (or deep into the recursion) first.
			time.Sleep(10 * time.Millisecond)
			flag.Set(1)
			select {
			case err := <-done:
				if !strings.Contains(err.Error(), "unreachable") {
					t.Fatalf("%s: %v, want an unreachable trap", tc.fn, err)
				}
				t.Logf("%s stopped: %v", tc.fn, strings.SplitN(err.Error(), "\n", 2)[0])
			case <-time.After(30 * time.Second):
				t.Fatalf("%s still running 30s after the flag was set", tc.fn)
			}
		})
	}
}

// TestInterruptDuringGC stops the world (runtime.GC) while an instrumented
// guest spins, then stops the guest. The Go runtime cannot preempt a
// goroutine inside wazero's compiled code: only the checks' periodic exit
// to Go (memory.grow 0) lets the GC proceed. Without it the whole process,
// including the goroutine that would set the flag, hangs forever, so the
// scenario runs in a child process that is killed when it hangs.
func TestInterruptDuringGC(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("wazero's compiler does not support", runtime.GOARCH)
	}
	const env = "WASMBIN_GC_WHILE_SPINNING"
	if os.Getenv(env) == "1" {
		gcWhileSpinning(t)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestInterruptDuringGC$", "-test.v")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the child hung with the guest spinning: the stop-the-world never completed\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestInterruptDuringGC") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// spinRuntime returns a compiler runtime, closed after the test, whose
// env.started signals on started, and interruptModule instrumented.
func spinRuntime(t *testing.T) (rt wazero.Runtime, wasm []byte, started chan struct{}) {
	t.Helper()
	ctx := context.Background()
	rt = wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	t.Cleanup(func() { rt.Close(ctx) })
	started = make(chan struct{}, 1)
	if _, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(func() { started <- struct{}{} }).Export("started").
		Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	wasm, err := InstrumentInterrupt(interruptModule(), flagName)
	if err != nil {
		t.Fatal(err)
	}
	return rt, wasm, started
}

func gcWhileSpinning(t *testing.T) {
	ctx := context.Background()
	rt, wasm, started := spinRuntime(t)
	mod, err := rt.Instantiate(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fn   string
		args []uint64
	}{{"spin", nil}, {"fib_started", []uint64{45}}} {
		fn := c.fn
		done := make(chan error, 1)
		go func() {
			_, err := mod.ExportedFunction(fn).Call(ctx, c.args...)
			done <- err
		}()
		select {
		case <-started:
		case err := <-done:
			t.Fatalf("%s ended before it started: %v", fn, err)
		}
		for range 3 {
			runtime.GC()
		}
		select {
		case err := <-done:
			t.Fatalf("%s returned before the flag was set: %v", fn, err)
		default:
		}
		g := mod.ExportedGlobal(flagName).(api.MutableGlobal)
		g.Set(1)
		if err := <-done; err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("%s: %v, want an unreachable trap", fn, err)
		}
		g.Set(0)
	}
}

// realModule is a real-world module to instrument.
type realModule struct {
	name string
	wasm []byte
	// compile selects wazero's compiler (the runtime toolhost uses) to
	// check the output; otherwise the interpreter, which validates
	// modules the same way without generating code, keeps the test fast.
	compile bool
}

// realModules returns toolhost's first-party Go plugins (built through
// testplugins, normally from its cache) and the plugins shipped in the
// Extism go-sdk module, when that module is in the module cache.
// TestInterruptRealGoModules runs two more Go modules.
func realModules(tb testing.TB) []realModule {
	tb.Helper()
	var mods []realModule
	for _, name := range []string{"hash", "fetch"} {
		mods = append(mods, realModule{"plugins/" + name, testplugins.Bytes(tb, testplugins.Plugin(tb, name)), true})
	}
	if t, ok := tb.(*testing.T); ok {
		if dir := extismSDKDir(t); dir != "" {
			files, _ := filepath.Glob(filepath.Join(dir, "wasm", "*.wasm"))
			files = append(files, filepath.Join(dir, "extism-runtime.wasm"))
			for _, f := range files {
				if b, err := os.ReadFile(f); err == nil {
					mods = append(mods, realModule{"extism/" + filepath.Base(f), b, false})
				}
			}
		}
	}
	return mods
}

// TestInstrumentRealModules instruments real plugins (Go, TinyGo, Rust, C,
// Haskell, the Extism kernel) and compiles them with wazero.
func TestInstrumentRealModules(t *testing.T) {
	if testing.Short() {
		t.Skip("builds (or reads cached) plugins and compiles megabytes of code")
	}
	ctx := context.Background()
	for _, rm := range realModules(t) {
		t.Run(rm.name, func(t *testing.T) {
			start := time.Now()
			out, err := InstrumentInterrupt(rm.wasm, flagName)
			cold := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			if _, err := InstrumentInterrupt(rm.wasm, flagName); err != nil {
				t.Fatal(err)
			}
			warm := time.Since(start)
			stats := instrumentStats(t, rm.wasm, out)
			t.Logf("%d -> %d bytes (%+.2f%%), %d checks in %d functions, %d DWARF bytes dropped; instrumented in %v (first call), %v (second)",
				len(rm.wasm), len(out), 100*float64(len(out)-len(rm.wasm))/float64(len(rm.wasm)), stats.checks, stats.funcs, stats.dropped, cold, warm)
			// A fresh runtime per module: the compiled code is not cached.
			cfg := wazero.NewRuntimeConfigInterpreter()
			if rm.compile {
				cfg = wazero.NewRuntimeConfig()
			}
			rt := wazero.NewRuntimeWithConfig(ctx, cfg)
			defer rt.Close(ctx)
			start = time.Now()
			compile(t, rt, out, "instrumented module")
			t.Logf("wazero compiled it in %v", time.Since(start))
		})
	}
}

type stats struct{ checks, funcs, dropped int }

// instrumentStats counts the checks InstrumentInterrupt inserted, from the
// growth of each function body, and checks that every section other than
// global, export, code and DWARF sections is unchanged (a memory section
// may be added).
func instrumentStats(t testing.TB, in, out []byte) stats {
	t.Helper()
	inSecs, err := splitSections(in)
	if err != nil {
		t.Fatal(err)
	}
	outSecs, err := splitSections(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	var flag uint32
	for _, e := range m.Exports {
		if e.Name == flagName {
			flag = e.Index
		}
	}
	if m.HasStart {
		t.Fatal("the start section was kept")
	}
	var st stats
	j := 0
	for _, s := range inSecs {
		if s.id == secStart {
			continue // exported instead
		}
		if s.id == secCustom {
			r := &reader{b: in, pos: s.body, end: s.end}
			if name, _ := r.name("name"); strings.HasPrefix(name, ".debug_") {
				st.dropped += s.end - s.start
				continue
			}
		}
		for j < len(outSecs) && outSecs[j].id != s.id && (outSecs[j].id == secMemory || outSecs[j].id == secGlobal || outSecs[j].id == secExport) {
			j++ // sections InstrumentInterrupt added
		}
		if j == len(outSecs) || outSecs[j].id != s.id {
			t.Fatalf("%s missing from the output", sectionNames[s.id])
		}
		o := outSecs[j]
		j++
		switch s.id {
		case secGlobal, secExport:
			continue
		case secCode:
			ri := &reader{b: in, pos: s.body, end: s.end}
			ro := &reader{b: out, pos: o.body, end: o.end}
			n, _ := ri.u32("count")
			ro.u32("count")
			check := checkSeq(flag, flag+1, m.Memories[0].Is64)
			for range n {
				a, _ := ri.u32("size")
				b, _ := ro.u32("size")
				checks := bytes.Count(out[ro.pos:ro.pos+int(b)], check)
				if (checks == 0) != (a == b) || b < a+uint32(checks*len(check)) {
					t.Fatalf("body grew from %d to %d bytes with %d checks of %d bytes", a, b, checks, len(check))
				}
				st.checks += checks
				ri.pos += int(a)
				ro.pos += int(b)
			}
			st.funcs = int(n)
		default:
			if !bytes.Equal(in[s.start:s.end], out[o.start:o.end]) {
				t.Fatalf("%s changed", sectionNames[s.id])
			}
		}
	}
	return st
}

// wasiStubs instantiates WASI and, for every other module that b imports
// functions from, a host module whose functions return zeros.
func wasiStubs(t *testing.T, rt wazero.Runtime, b []byte) {
	t.Helper()
	ctx := context.Background()
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	builders := map[string]wazero.HostModuleBuilder{}
	for _, im := range m.Imports {
		if im.Kind != Func || im.Module == wasi_snapshot_preview1.ModuleName {
			continue
		}
		hb, ok := builders[im.Module]
		if !ok {
			hb = rt.NewHostModuleBuilder(im.Module)
			builders[im.Module] = hb
		}
		params, results := make([]api.ValueType, len(im.Type.Params)), make([]api.ValueType, len(im.Type.Results))
		for i, v := range im.Type.Params {
			params[i] = api.ValueType(v)
		}
		for i, v := range im.Type.Results {
			results[i] = api.ValueType(v)
		}
		hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
			clear(stack)
		}), params, results).Export(im.Name)
	}
	for name, hb := range builders {
		if _, err := hb.Instantiate(ctx); err != nil {
			t.Fatalf("stub module %q: %v", name, err)
		}
	}
}

// TestInterruptRealGoModules runs instrumented Go wasip1 modules: a WASI
// command answers a request as before, and a plugin whose init spins
// forever is stopped through the flag.
func TestInterruptRealGoModules(t *testing.T) {
	if testing.Short() {
		t.Skip("builds (or reads cached) plugins and compiles megabytes of code")
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("wazero's compiler does not support", runtime.GOARCH)
	}
	ctx := context.Background()

	t.Run("cmdtool", func(t *testing.T) {
		wasm, err := InstrumentInterrupt(testplugins.Bytes(t, testplugins.Test(t, "cmdtool")), flagName)
		if err != nil {
			t.Fatal(err)
		}
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
		defer rt.Close(ctx)
		wasiStubs(t, rt, wasm)
		cm, err := rt.CompileModule(ctx, wasm)
		if err != nil {
			t.Fatal(err)
		}
		run := func(flagValue uint64) (string, error) {
			var stdout bytes.Buffer
			cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions().
				WithStdin(strings.NewReader(`{"method":"call_tool","request":{"name":"upper","arguments":{"text":"interrupt me"}}}`)).
				WithStdout(&stdout).WithStderr(&stdout)
			mod, err := rt.InstantiateModule(ctx, cm, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer mod.Close(ctx)
			mod.ExportedGlobal(flagName).(api.MutableGlobal).Set(flagValue)
			_, err = mod.ExportedFunction("_start").Call(ctx)
			if exit, ok := err.(*sys.ExitError); ok && exit.ExitCode() == 0 {
				err = nil
			}
			return stdout.String(), err
		}
		if out, err := run(0); err != nil || !strings.Contains(out, "INTERRUPT ME") {
			t.Fatalf("instrumented cmdtool: %q, %v", out, err)
		}
		if _, err := run(1); err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("cmdtool with the flag set: %v, want an unreachable trap", err)
		}
	})

	t.Run("hostile_initspin", func(t *testing.T) {
		wasm, err := InstrumentInterrupt(testplugins.Bytes(t, testplugins.Test(t, "hostile_initspin")), flagName)
		if err != nil {
			t.Fatal(err)
		}
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
		defer rt.Close(ctx)
		wasiStubs(t, rt, wasm)
		mod, err := rt.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithStartFunctions())
		if err != nil {
			t.Fatal(err)
		}
		defer mod.Close(ctx)
		done := make(chan error, 1)
		go func() {
			_, err := mod.ExportedFunction("_initialize").Call(ctx)
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("_initialize returned before the flag was set: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		mod.ExportedGlobal(flagName).(api.MutableGlobal).Set(1)
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "unreachable") {
				t.Fatalf("_initialize: %v, want an unreachable trap", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("_initialize still running 30s after the flag was set")
		}
	})
}

func BenchmarkInstrumentInterrupt(b *testing.B) {
	wasm := testplugins.Bytes(b, testplugins.Plugin(b, "fetch"))
	b.SetBytes(int64(len(wasm)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := InstrumentInterrupt(wasm, flagName); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstrumentedLoop compares a tight loop (sum of 1..1e6) run
// plain, instrumented, and under wazero's WithCloseOnContextDone, which
// the instrumentation replaces.
func BenchmarkInstrumentedLoop(b *testing.B) {
	ctx := context.Background()
	plain := interruptModule()
	instrumented, err := InstrumentInterrupt(plain, flagName)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		wasm        []byte
		closeOnDone bool
	}{
		{"plain", plain, false},
		{"instrumented", instrumented, false},
		{"close-on-context-done", plain, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(c.closeOnDone))
			defer rt.Close(ctx)
			if _, err := rt.NewHostModuleBuilder("env").
				NewFunctionBuilder().WithFunc(func() {}).Export("started").
				Instantiate(ctx); err != nil {
				b.Fatal(err)
			}
			mod, err := rt.Instantiate(ctx, c.wasm)
			if err != nil {
				b.Fatal(err)
			}
			sum := mod.ExportedFunction("sum")
			for b.Loop() {
				if _, err := sum.Call(ctx, 1_000_000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestStartFunctionExported checks, on wazero, that a start function no
// longer runs inside instantiation but when the host calls its export, and
// that a start function that never returns is stopped by the flag.
func TestStartFunctionExported(t *testing.T) {
	ctx := context.Background()
	tVoid := functype(nil, nil)
	build := func(start []byte) []byte {
		return module(
			sec(secType, vec(tVoid)),
			sec(secFunction, vec(uleb(0))),
			sec(secGlobal, vec(globalI32(1, 0x41, 0x00))),
			sec(secExport, vec(export("ran", Global, 0))),
			sec(secStart, uleb(0)),
			sec(secCode, vec(start)),
		)
	}
	for _, tc := range []struct {
		name  string
		start []byte
		spins bool
	}{
		{"sets a global", body(0x41, 42, 0x24, 0x00), false},                             // ran = 42
		{"never returns", body(0x41, 1, 0x24, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b), true}, // ran = 1; loop forever
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := InstrumentInterrupt(build(tc.start), flagName)
			if err != nil {
				t.Fatal(err)
			}
			rt := wazero.NewRuntime(ctx)
			defer rt.Close(ctx)
			mod, err := rt.Instantiate(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			if v := mod.ExportedGlobal("ran").Get(); v != 0 {
				t.Fatalf("the start function ran during instantiation (ran = %d)", v)
			}
			start := mod.ExportedFunction(StartExport(flagName))
			if start == nil {
				t.Fatal("no start export")
			}
			if !tc.spins {
				if _, err := start.Call(ctx); err != nil {
					t.Fatal(err)
				}
				if v := mod.ExportedGlobal("ran").Get(); v != 42 {
					t.Fatalf("ran = %d after the start export, want 42", v)
				}
				return
			}
			done := make(chan error, 1)
			go func() { _, err := start.Call(ctx); done <- err }()
			for mod.ExportedGlobal("ran").Get() != 1 {
				runtime.Gosched()
			}
			mod.ExportedGlobal(flagName).(api.MutableGlobal).Set(1)
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "unreachable") {
					t.Fatalf("spinning start function: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the flag did not stop the start function")
			}
		})
	}
}
