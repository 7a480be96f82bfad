// The fixtures below were compiled from their wat sources with wat2wasm
// 1.0.32 (Debian package wabt) using the flags noted. To change one, edit the
// source, rerun wat2wasm and replace the hex.

package wasmbin

import "encoding/hex"

// watFixture is a small real module produced by an independent encoder.
type watFixture struct {
	name   string
	flags  string // wat2wasm flags used
	wat    string
	wasm   []byte
	wazero bool // wazero's default features compile it
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

var watFixtures = []watFixture{
	{
		name:   "plugin",
		flags:  "--debug-names",
		wazero: true,
		wat: `(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
  (import "extism:host/env" "http_headers" (func $http_headers (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 16)
  (table 2 funcref)
  (elem (i32.const 0) $fetch $helper)
  (global $sp (mut i32) (i32.const 1024))
  (data (i32.const 8) "https://example.invalid/")
  (func $helper (result i32) (global.get $sp))
  (func $init (global.set $sp (i32.const 2048)))
  (start $init)
  (func $fetch (export "fetch") (result i32)
    (drop (call $http_request (i64.const 0) (i64.const 0)))
    (drop (call $http_headers))
    (call $output_set (i64.const 8) (i64.const 24))
    (call $http_status_code))
  (export "sp" (global $sp)))`,
		wasm: mustHex("0061736d01000000011f066000017e60027e7e017e6000017f60027e7e0060047f7f7f7f017f60000002c001060f6578" +
			"7469736d3a686f73742f656e760c696e7075745f6c656e67746800000f65787469736d3a686f73742f656e760c687474" +
			"705f7265717565737400010f65787469736d3a686f73742f656e7610687474705f7374617475735f636f646500020f65" +
			"787469736d3a686f73742f656e760c687474705f6865616465727300000f65787469736d3a686f73742f656e760a6f75" +
			"747075745f736574000316776173695f736e617073686f745f70726576696577310866645f7772697465000403040302" +
			"05020404017000020504010101100607017f014180080b071703066d656d6f7279020005666574636800080273700300" +
			"0801070908010041000b0208060a2303040023000b070041801024000b14004200420010011a10031a42084218100410" +
			"020b0b1e010041080b1868747470733a2f2f6578616d706c652e696e76616c69642f008b01046e616d65016809000c69" +
			"6e7075745f6c656e677468010c687474705f726571756573740210687474705f7374617475735f636f6465030c687474" +
			"705f68656164657273040a6f75747075745f736574050866645f7772697465060668656c7065720704696e6974080566" +
			"6574636802130900000100020003000400050006000700080007050100027370"),
	},
	{
		name:   "kitchen",
		flags:  "",
		wazero: true,
		wat: `(module
  (type $pair (func (param i32 i64) (result f32 f64)))
  (import "env" "memory" (memory 2 32))
  (import "env" "table" (table 1 10 externref))
  (import "env" "flag" (global i32))
  (import "env" "pair" (func $pair (type $pair)))
  (import "extism:host/env" "http_request" (func (param i64 i64) (result i64)))
  (func $multi (export "multi") (param i32 i64) (result f32 f64)
    (call $pair (local.get 0) (local.get 1)))
  (func (export "simd") (param v128) (result v128) (local.get 0))
  (func (export "refs") (param funcref externref) (result externref) (local.get 1))
  (export "mem" (memory 0))
  (export "tab" (table 0)))`,
		wasm: mustHex("0061736d0100000001190460027f7e027d7c60027e7e017e60017b017b6002706f016f02550503656e76066d656d6f72" +
			"790201022003656e76057461626c65016f01010a03656e7604666c6167037f0003656e76047061697200000f65787469" +
			"736d3a686f73742f656e760c687474705f726571756573740001030403000203072305056d756c746900020473696d64" +
			"000304726566730004036d656d02000374616201000a140308002000200110000b040020000b040020010b"),
	},
	{
		name:   "exceptions",
		flags:  "--enable-exceptions",
		wazero: false,
		wat: `(module
  (import "env" "err" (tag $err (param i32)))
  (import "extism:host/env" "http_headers" (func (result i64)))
  (tag $local (param i64 f32))
  (export "err" (tag $err))
  (export "local" (tag $local)))`,
		wasm: mustHex("0061736d01000000010e0360017f006000017e60027e7d00022b0203656e76036572720400000f65787469736d3a686f" +
			"73742f656e760c687474705f6865616465727300010d03010002070f02036572720400056c6f63616c0401"),
	},
	{
		name:   "memory64",
		flags:  "--enable-memory64 --enable-multi-memory",
		wazero: false,
		wat: `(module
  (import "env" "big" (memory i64 1 65536))
  (memory (export "mem64") i64 3)
  (memory (export "mem32") 1))`,
		wasm: mustHex("0061736d01000000020f0103656e760362696702050180800405050204030001071102056d656d36340201056d656d33" +
			"320202"),
	},
	{
		name:   "threads",
		flags:  "--enable-threads",
		wazero: false,
		wat: `(module
  (import "env" "memory" (memory 1 100 shared))
  (import "extism:host/env" "http_status_code" (func (result i32))))`,
		wasm: mustHex("0061736d010000000105016000017f02330203656e76066d656d6f7279020301640f65787469736d3a686f73742f656e" +
			"7610687474705f7374617475735f636f64650000"),
	},
}
