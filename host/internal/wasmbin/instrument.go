package wasmbin

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// ErrUnsupported is wrapped by the error InstrumentInterrupt returns for a
// module that uses an instruction or encoding it does not know (a proposal
// such as GC or function references, or an unassigned opcode). The module
// may still be valid: the caller can run it uninstrumented and rely on the
// runtime's own interruption instead.
var ErrUnsupported = errors.New("not supported by the interrupt instrumentation")

// debugPrefix starts the names of DWARF custom sections, whose code offsets
// instrumentation invalidates.
const debugPrefix = ".debug_"

// InstrumentInterrupt returns a copy of module b in which function bodies
// check an interrupt flag on entry, in bodies that call, and every
// loopInterval iterations of their loops, and trap (unreachable) when it
// is non-zero. The flag is a new mutable i32 global, initialised to 0 and
// exported as exportName; its index is the original global count. The
// host sets it to 1 (with api.MutableGlobal.Set, from any goroutine) to
// stop the guest at its next check, and may set it back to 0 to run the
// instance again.
//
// Every check also counts down a second new global (not exported, index
// flag+1) and, every yieldInterval checks, runs memory.grow 0, which wazero
// executes in Go. The Go runtime cannot preempt a goroutine inside
// wazero's compiled code, so without that exit a guest that spins blocks
// every stop-the-world (each GC cycle), which stops every other goroutine,
// including the one that would set the flag: the process hangs. A module
// without memory gets an empty one for the memory.grow.
//
// The check is
//
//	global.get $budget  i32.const 1  i32.sub  global.set $budget
//	global.get $budget  i32.eqz  global.get $flag  i32.or
//	if
//	  global.get $flag  if  unreachable  end
//	  i32.const yieldInterval  global.set $budget  i32.const 0  memory.grow 0  drop
//	end
//
// inserted after the locals of bodies that contain a call; a body with
// loops gets a new i32 local, its loop counter, and after every loop's
// block type
//
//	local.get $n  i32.const 1  i32.add  local.tee $n
//	i32.const loopInterval-1  i32.and  i32.eqz  if  <check>  end
//
// so a guest that runs without end passes checks forever: it loops or it
// recurses. A body without calls or loops runs in time bounded by its
// size. Host functions that block are not interrupted (they must watch
// their call's context themselves).
//
// The original module must not reference the new globals: every global.get
// and global.set, in code and in constant expressions, is checked against
// the original global count. Function body sizes and the code section's
// size are recomputed; custom sections named ".debug_*" are dropped (their
// code offsets would be wrong); every other byte is copied unchanged. b is
// not modified.
//
// A start function would run inside instantiation, before the host can
// reach the flag, so the start section is removed and the function is
// exported as StartExport(exportName) instead: the host must call it once,
// right after instantiating and before anything else, with the flag armed.
//
// The error wraps ErrUnsupported when b uses an instruction or encoding
// the instrumentation does not know; any other error reports a malformed
// module (a *Error with the offset) or an invalid or clashing exportName.
func InstrumentInterrupt(b []byte, exportName string) ([]byte, error) {
	if exportName == "" {
		return nil, errors.New("wasmbin: InstrumentInterrupt needs a non-empty export name")
	}
	if !utf8.ValidString(exportName) {
		return nil, fmt.Errorf("wasmbin: export name %q is not valid utf-8", exportName)
	}
	if uint64(len(exportName)) > math.MaxUint32 {
		return nil, fmt.Errorf("wasmbin: export name is %d bytes, over the u32 limit", len(exportName))
	}
	m, lay, err := parse(b)
	if err != nil {
		return nil, err
	}
	for _, e := range m.Exports {
		if e.Name == exportName || (m.HasStart && e.Name == StartExport(exportName)) {
			return nil, fmt.Errorf("wasmbin: module already exports a %s named %q", e.Kind, e.Name)
		}
	}
	in := instrumenter{b: b, secs: lay.sections, funcs: lay.funcs, addMemory: len(m.Memories) == 0}
	if len(m.Memories) > 0 {
		in.mem64 = m.Memories[0].Is64
	}
	for _, im := range m.Imports {
		switch im.Kind {
		case Func:
			in.importedFuncs++
		case Global:
			in.globals++
		}
	}
	for i := range in.at {
		in.at[i] = -1
	}
	for i, s := range lay.sections {
		if s.id != secCustom {
			in.at[s.id] = i
		}
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	return in.emit(exportName)
}

// StartExport is the name under which InstrumentInterrupt exports a
// module's start function.
func StartExport(exportName string) string { return exportName + "_start" }

// instrumenter holds what InstrumentInterrupt learns about the module.
type instrumenter struct {
	b     []byte
	secs  []section
	at    [secTag + 1]int // index into secs of each non-custom section, or -1
	funcs []*FuncType     // function index space: imports, then definitions

	importedFuncs int
	globals       uint32 // imported plus defined: the original global count
	definedFuncs  uint32 // function section count
	globalCount   int    // offset just past the global section's count, if any
	exportCount   int    // the same for the export section
	nDefGlobals   uint32
	nExports      uint32
	codeCount     int        // offset just past the code section's count
	bodies        []funcBody // the function bodies, in order
	sites         []int      // offsets where loop checks go, in order
	addMemory     bool       // the module has no memory
	hasStart      bool       // the module has a start section, exported instead
	startFunc     uint32     // its function index
	mem64         bool       // memory 0 has 64-bit addresses
}

func (in *instrumenter) sec(id byte) (section, bool) {
	if i := in.at[id]; i >= 0 {
		return in.secs[i], true
	}
	return section{}, false
}

func (in *instrumenter) walker(s section) *walker {
	return &walker{b: in.b, pos: s.body, end: s.end, where: sectionNames[s.id], globals: in.globals}
}

// check reads the sections that hold constant expressions (or counts that
// the rewrite needs) and rejects any reference to a global index at or
// beyond the original global count.
func (in *instrumenter) check() error {
	if s, ok := in.sec(secGlobal); ok {
		w := in.walker(s)
		n, err := w.count("global", 3)
		if err != nil {
			return err
		}
		if uint64(in.globals)+uint64(n)+2 > math.MaxUint32 {
			return w.errorf(s.body, "%d globals leave no index for the interrupt globals", uint64(in.globals)+uint64(n))
		}
		in.globalCount, in.nDefGlobals = w.pos, uint32(n)
		in.globals += uint32(n)
		w.globals = in.globals
		w.what = "global"
		for i := range n {
			w.index = int(in.globals) - n + i
			off := w.pos
			vt, err := w.byte("global type")
			if err != nil {
				return err
			}
			if !validValType(vt) {
				return w.unsupported(off, "value type %#02x", vt)
			}
			off = w.pos
			mut, err := w.byte("global mutability")
			if err != nil {
				return err
			}
			if mut > 1 {
				return w.errorf(off, "invalid global mutability %#02x", mut)
			}
			if err := w.constExpr(); err != nil {
				return err
			}
		}
		if err := w.atEnd(); err != nil {
			return err
		}
	}
	if s, ok := in.sec(secFunction); ok {
		w := in.walker(s)
		n, err := w.u32("function count")
		if err != nil {
			return err
		}
		in.definedFuncs = n
	}
	if s, ok := in.sec(secStart); ok {
		w := in.walker(s)
		f, err := w.u32("start function index")
		if err != nil {
			return err
		}
		if n := uint64(in.importedFuncs) + uint64(in.definedFuncs); uint64(f) >= n {
			return w.errorf(s.body, "start function index %d out of range (%d functions)", f, n)
		}
		if err := w.atEnd(); err != nil {
			return err
		}
		in.hasStart, in.startFunc = true, f
	}
	if s, ok := in.sec(secExport); ok {
		w := in.walker(s)
		n, err := w.u32("export count")
		if err != nil {
			return err
		}
		if n >= math.MaxUint32-1 {
			return w.errorf(s.body, "%d exports leave no room for the interrupt flag's", n)
		}
		in.exportCount, in.nExports = w.pos, n
	}
	if s, ok := in.sec(secTable); ok {
		if err := in.tableSection(in.walker(s)); err != nil {
			return err
		}
	}
	if s, ok := in.sec(secElement); ok {
		if err := in.elementSection(in.walker(s)); err != nil {
			return err
		}
	}
	if s, ok := in.sec(secData); ok {
		w := in.walker(s)
		if err := in.dataSection(w); err != nil {
			return err
		}
		if err := in.needMemory(w, "active data segment"); err != nil {
			return err
		}
	}
	if s, ok := in.sec(secCode); ok {
		w := in.walker(s)
		if err := in.codeSection(w); err != nil {
			return err
		}
		return in.needMemory(w, "memory instruction")
	}
	if in.definedFuncs != 0 {
		return &Error{Offset: len(in.b), Where: "code section", Err: fmt.Errorf("missing: the function section declares %d functions", in.definedFuncs)}
	}
	return nil
}

// needMemory rejects a module without memory that w found using one: the
// memory added for the checks must not make an invalid module valid.
func (in *instrumenter) needMemory(w *walker, what string) error {
	if in.addMemory && w.memUse != 0 {
		return &Error{Offset: w.memUse - 1, Where: w.where, Err: fmt.Errorf("%s in a module without memory", what)}
	}
	return nil
}

// tableSection checks table types, including the function-references form
// 0x40 0x00 tabletype expr that carries an initialiser.
func (in *instrumenter) tableSection(w *walker) error {
	n, err := w.count("table", 3)
	if err != nil {
		return err
	}
	w.what = "table"
	for i := range n {
		w.index = i
		init := w.pos < w.end && w.b[w.pos] == 0x40
		if init {
			w.pos++
			off := w.pos
			c, err := w.byte("table initialiser flag")
			if err != nil {
				return err
			}
			if c != 0x00 {
				return w.errorf(off, "invalid table initialiser flag %#02x", c)
			}
		}
		if err := w.refType(); err != nil {
			return err
		}
		r := reader{b: w.b, pos: w.pos, end: w.end, where: w.where, limit: "section"}
		if _, err := r.limits(fmt.Sprintf("table %d", i)); err != nil {
			return err
		}
		w.pos = r.pos
		if init {
			if err := w.constExpr(); err != nil {
				return err
			}
		}
	}
	return w.atEnd()
}

func (in *instrumenter) elementSection(w *walker) error {
	n, err := w.count("element segment", 2)
	if err != nil {
		return err
	}
	w.what = "element segment"
	for i := range n {
		w.index = i
		off := w.pos
		flags, err := w.u32("element segment flags")
		if err != nil {
			return err
		}
		if flags > 7 {
			return w.errorf(off, "invalid element segment flags %d", flags)
		}
		if flags&0x03 == 0x02 { // active with an explicit table index
			if _, err := w.u32("table index"); err != nil {
				return err
			}
		}
		if flags&0x01 == 0 { // active: offset expression
			if err := w.constExpr(); err != nil {
				return err
			}
		}
		if flags&0x03 != 0 { // elemkind or reftype
			if flags&0x04 == 0 {
				off := w.pos
				k, err := w.byte("element kind")
				if err != nil {
					return err
				}
				if k != 0x00 {
					return w.errorf(off, "invalid element kind %#02x", k)
				}
			} else if err := w.refType(); err != nil {
				return err
			}
		}
		if flags&0x04 == 0 {
			m, err := w.count("function index", 1)
			if err != nil {
				return err
			}
			for range m {
				if _, err := w.u32("function index"); err != nil {
					return err
				}
			}
		} else {
			m, err := w.count("element expression", 2)
			if err != nil {
				return err
			}
			for range m {
				if err := w.constExpr(); err != nil {
					return err
				}
			}
		}
	}
	return w.atEnd()
}

func (in *instrumenter) dataSection(w *walker) error {
	n, err := w.count("data segment", 2)
	if err != nil {
		return err
	}
	w.what = "data segment"
	for i := range n {
		w.index = i
		off := w.pos
		flags, err := w.u32("data segment flags")
		if err != nil {
			return err
		}
		if flags > 2 {
			return w.errorf(off, "invalid data segment flags %d", flags)
		}
		if flags == 2 {
			if _, err := w.u32("memory index"); err != nil {
				return err
			}
		}
		if flags != 1 { // active
			w.usesMemory(off)
			if err := w.constExpr(); err != nil {
				return err
			}
		}
		off = w.pos
		size, err := w.u32("data length")
		if err != nil {
			return err
		}
		if uint64(size) > uint64(w.end-w.pos) {
			return w.errorf(off, "data length %d exceeds remaining %d bytes", size, w.end-w.pos)
		}
		w.pos += int(size)
	}
	return w.atEnd()
}

// yieldInterval is how many checks run between two exits to Go.
const yieldInterval = 4096

// checkSeq returns the sequence inserted at each check site:
//
//	global.get $budget  i32.const 1  i32.sub  global.set $budget
//	global.get $budget  i32.eqz  global.get $flag  i32.or
//	if
//	  global.get $flag  if  unreachable  end
//	  i32.const yieldInterval  global.set $budget
//	  i32.const 0  memory.grow 0  drop    ;; i64.const 0 for memory64
//	end
//
// One branch, usually not taken, covers both the flag and the budget.
// memory.grow 0 changes nothing, but wazero runs it in Go: the goroutine
// leaves the compiled code, so the Go runtime can preempt it and stop the
// world (for a GC) while the guest spins. Without that exit a spinning
// guest blocks every stop-the-world, and with it every other goroutine,
// including the one that would set the flag.
func checkSeq(flag, budget uint32, mem64 bool) []byte {
	c := appendULEB([]byte{0x23}, uint64(budget))   // global.get $budget
	c = append(c, 0x41, 0x01, 0x6b, 0x24)           // i32.const 1, i32.sub, global.set
	c = appendULEB(c, uint64(budget))               //   $budget
	c = appendULEB(append(c, 0x23), uint64(budget)) // global.get $budget
	c = appendULEB(append(c, 0x45, 0x23), uint64(flag))
	c = append(c, 0x72, 0x04, 0x40) // i32.eqz, global.get $flag, i32.or, if
	c = appendULEB(append(c, 0x23), uint64(flag))
	c = append(c, 0x04, 0x40, 0x00, 0x0b)           // global.get $flag, if unreachable end
	c = appendSLEB(append(c, 0x41), yieldInterval)  // i32.const interval
	c = appendULEB(append(c, 0x24), uint64(budget)) // global.set $budget
	if mem64 {
		c = append(c, 0x42, 0x00) // i64.const 0
	} else {
		c = append(c, 0x41, 0x00) // i32.const 0
	}
	return append(c, 0x40, 0x00, 0x1a, 0x0b) // memory.grow 0, drop, end
}

// loopInterval is how many iterations a body's loops run between two
// checks (a power of two).
const loopInterval = 256

// appendLoopCheck appends the sequence inserted at the head of each loop
// of a body whose loop counter is local $n:
//
//	local.get $n  i32.const 1  i32.add  local.tee $n
//	i32.const loopInterval-1  i32.and  i32.eqz
//	if  <check>  end
//
// Counting lives in a local, which the compiler keeps in a register, and
// the global check runs once every loopInterval iterations. The counter
// starts at zero on each call and counts up, so a loop entered once per
// call never reaches the check: a Go function's body is a dispatch loop
// entered on every call, which paid a global check on top of the one on
// entry (sha256 in Go: 1.2-1.3 times slower, now 1.03). A tight loop
// without calls still pays for the memory.grow in its slow path, rare as
// it is: a 1-cycle loop runs 2.6 times slower with the counter in a
// global or here, 1.3-1.7 times with no call in the slow path (which
// would hang a GC, above). The likely cause is that wazero's register
// allocator spills the loop's values on every iteration once a call sits
// anywhere in the loop; wazero's own inline back-edge check, which also
// exits to Go periodically, measured 1.76 times.
func appendLoopCheck(dst []byte, counter uint32, check []byte) []byte {
	dst = appendULEB(append(dst, 0x20), uint64(counter)) // local.get $n
	dst = append(dst, 0x41, 0x01, 0x6a, 0x22)            // i32.const 1, i32.add, local.tee
	dst = appendULEB(dst, uint64(counter))               //   $n
	dst = appendSLEB(append(dst, 0x41), loopInterval-1)  // i32.const mask
	dst = append(dst, 0x71, 0x45, 0x04, 0x40)            // i32.and, i32.eqz, if
	dst = append(dst, check...)
	return append(dst, 0x0b) // end
}

// loopCheckLen is len(appendLoopCheck(nil, counter, check)).
func loopCheckLen(counter uint32, checkLen int) int {
	const maskLen = 2 // signed LEB128 of loopInterval-1
	return 2*ulebLen(uint64(counter)) + 11 + maskLen + checkLen
}

func appendSLEB(dst []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(dst, c)
		}
		dst = append(dst, c|0x80)
	}
}

// emit writes the instrumented module.
func (in *instrumenter) emit(exportName string) ([]byte, error) {
	b := in.b
	flag, budget := in.globals, in.globals+1
	check := checkSeq(flag, budget, in.mem64)

	// The output is allocated once: its size is known but for the LEB128
	// lengths of the global and export sections, bounded here.
	var codeSize uint64
	estimate := len(b) + 3*(1+5+5) + 6 + 2*(1+1+ulebLen(yieldInterval)+1) + 5 + len(exportName) + 1 + 5
	if in.hasStart {
		estimate += 5 + len(StartExport(exportName)) + 1 + 5
	}
	if s, ok := in.sec(secCode); ok {
		var err error
		if codeSize, err = in.codeSize(s, len(check)); err != nil {
			return nil, err
		}
		estimate += int(codeSize) - (s.end - s.body)
	}
	out := make([]byte, 0, estimate)
	out = append(out, b[:headerSize]...)

	// The flag, then the budget (full: the first yield comes after a
	// whole interval).
	newGlobals := appendSLEB([]byte{byte(I32), 0x01, 0x41, 0x00, 0x0b, byte(I32), 0x01, 0x41}, yieldInterval)
	newGlobals = append(newGlobals, 0x0b)
	startName := StartExport(exportName)
	newExports := uint64(1)
	if in.hasStart {
		newExports = 2
	}
	newExport := func(out []byte) []byte {
		out = appendULEB(out, uint64(len(exportName)))
		out = append(out, exportName...)
		out = append(out, byte(Global))
		out = appendULEB(out, uint64(flag))
		if in.hasStart {
			out = appendULEB(out, uint64(len(startName)))
			out = append(out, startName...)
			out = append(out, byte(Func))
			out = appendULEB(out, uint64(in.startFunc))
		}
		return out
	}
	exportEntryLen := ulebLen(uint64(len(exportName))) + len(exportName) + 1 + ulebLen(uint64(flag))
	if in.hasStart {
		exportEntryLen += ulebLen(uint64(len(startName))) + len(startName) + 1 + ulebLen(uint64(in.startFunc))
	}

	// memory.grow needs a memory: a module without one gets (memory 0 0).
	haveMemory := !in.addMemory
	_, haveGlobal := in.sec(secGlobal)
	_, haveExport := in.sec(secExport)
	addSections := func(out []byte, beforeRank int) []byte {
		if !haveMemory && sectionRank[secMemory] < beforeRank {
			haveMemory = true
			out = append(out, secMemory, 4, 1, 0x01, 0x00, 0x00)
		}
		if !haveGlobal && sectionRank[secGlobal] < beforeRank {
			haveGlobal = true
			out = append(out, secGlobal)
			out = appendULEB(out, uint64(1+len(newGlobals)))
			out = append(out, 2)
			out = append(out, newGlobals...)
		}
		if !haveExport && sectionRank[secExport] < beforeRank {
			haveExport = true
			out = append(out, secExport)
			out = appendULEB(out, uint64(1+exportEntryLen))
			out = append(out, byte(newExports))
			out = newExport(out)
		}
		return out
	}

	for _, s := range in.secs {
		if s.id != secCustom {
			out = addSections(out, sectionRank[s.id])
		}
		switch s.id {
		case secCustom:
			r := reader{b: b, pos: s.body, end: s.end, where: "custom section", limit: "section"}
			name, err := r.name("custom section name")
			if err != nil {
				return nil, err // parse accepted it; defensive
			}
			if len(name) >= len(debugPrefix) && name[:len(debugPrefix)] == debugPrefix {
				continue
			}
			out = append(out, b[s.start:s.end]...)
		case secGlobal:
			rest := b[in.globalCount:s.end]
			size := uint64(ulebLen(uint64(in.nDefGlobals)+2)) + uint64(len(rest)) + uint64(len(newGlobals))
			if size > math.MaxUint32 {
				return nil, &Error{Offset: s.start, Where: "global section", Err: fmt.Errorf("section would grow to %d bytes, over the u32 limit", size)}
			}
			out = append(out, secGlobal)
			out = appendULEB(out, size)
			out = appendULEB(out, uint64(in.nDefGlobals)+2)
			out = append(out, rest...)
			out = append(out, newGlobals...)
		case secExport:
			rest := b[in.exportCount:s.end]
			size := uint64(ulebLen(uint64(in.nExports)+newExports)) + uint64(len(rest)) + uint64(exportEntryLen)
			if size > math.MaxUint32 {
				return nil, &Error{Offset: s.start, Where: "export section", Err: fmt.Errorf("section would grow to %d bytes, over the u32 limit", size)}
			}
			out = append(out, secExport)
			out = appendULEB(out, size)
			out = appendULEB(out, uint64(in.nExports)+newExports)
			out = append(out, rest...)
			out = newExport(out)
		case secStart:
			continue // exported instead; the host calls it
		case secCode:
			out = in.code(out, s, codeSize, check)
		default:
			out = append(out, b[s.start:s.end]...)
		}
	}
	out = addSections(out, math.MaxInt)
	return out, nil
}

// funcBody locates one function body and its check sites.
type funcBody struct {
	start, end int    // the locals and instructions, after the size
	declEnd    int    // just past the count of local declarations
	localsEnd  int    // just past the local declarations
	decls      uint32 // the count of local declarations
	counter    uint32 // index of the loop counter added if loops > 0
	entry      bool   // the body calls: checked on entry
	sites      int    // end of the body's entries in instrumenter.sites
	loops      int    // how many loop checks the body gets
}

// codeSection walks every function body, checking its instructions and
// recording where checks go: after every loop's block type and, in a body
// that calls, after the locals. A body that calls nothing can only run
// long in its loops, so it needs no check on entry; one that calls may
// recurse. A body with loops gets a new i32 local, the loop counter.
func (in *instrumenter) codeSection(w *walker) error {
	secBody, secEnd := w.pos, w.end
	n, err := w.count("function body", 2)
	if err != nil {
		return err
	}
	if uint32(n) != in.definedFuncs {
		return w.errorf(secBody, "%d function bodies for %d functions in the function section", n, in.definedFuncs)
	}
	if in.importedFuncs+n > len(in.funcs) {
		return w.errorf(secBody, "%d function bodies for %d function types", n, len(in.funcs)-in.importedFuncs) // parse checked; defensive
	}
	in.codeCount = w.pos
	in.bodies = make([]funcBody, 0, n)
	w.what = "function"
	for i := range n {
		w.index = in.importedFuncs + i
		off := w.pos
		size, err := w.u32("body size")
		if err != nil {
			return err
		}
		if uint64(size) > uint64(secEnd-w.pos) {
			return w.errorf(off, "body size %d exceeds remaining %d bytes", size, secEnd-w.pos)
		}
		bd := funcBody{start: w.pos, end: w.pos + int(size)}
		w.end = bd.end
		decls, locals, err := w.locals()
		if err != nil {
			return err
		}
		bd.decls, bd.declEnd, bd.localsEnd = uint32(decls), w.declEnd, w.pos
		w.loops = w.loops[:0]
		w.calls = false
		if err := w.expr(true); err != nil {
			return err
		}
		bd.entry, bd.loops = w.calls, len(w.loops)
		if bd.loops > 0 {
			locals += uint64(len(in.funcs[w.index].Params))
			if locals >= math.MaxUint32 || decls == math.MaxUint32 {
				return w.errorf(off, "%d locals leave no index for the loop counter", locals)
			}
			bd.counter = uint32(locals)
		}
		in.sites = append(in.sites, w.loops...)
		bd.sites = len(in.sites)
		in.bodies = append(in.bodies, bd)
		w.end = secEnd
	}
	return w.atEnd()
}

// grownSize returns the size of bd once instrumented.
func (bd *funcBody) grownSize(checkLen int) uint64 {
	size := uint64(bd.end - bd.start)
	if bd.entry {
		size += uint64(checkLen)
	}
	if bd.loops > 0 {
		// One more declaration, (1 i32), whose count may take a byte more.
		size += uint64(ulebLen(uint64(bd.decls)+1)-ulebLen(uint64(bd.decls))) + 2
		size += uint64(bd.loops) * uint64(loopCheckLen(bd.counter, checkLen))
	}
	return size
}

// codeSize returns the size of the instrumented code section's content.
func (in *instrumenter) codeSize(s section, checkLen int) (uint64, error) {
	size := uint64(in.codeCount - s.body)
	for i := range in.bodies {
		bd := &in.bodies[i]
		grown := bd.grownSize(checkLen)
		if grown > math.MaxUint32 {
			return 0, &Error{Offset: bd.start, Where: "code section", Err: fmt.Errorf("function %d: instrumented body would be %d bytes, over the u32 limit", in.importedFuncs+i, grown)}
		}
		size += uint64(ulebLen(grown)) + grown
	}
	if size > math.MaxUint32 {
		return 0, &Error{Offset: s.start, Where: "code section", Err: fmt.Errorf("instrumented section would be %d bytes, over the u32 limit", size)}
	}
	return size, nil
}

// code appends the instrumented code section s, whose content codeSize
// measured, to out.
func (in *instrumenter) code(out []byte, s section, size uint64, check []byte) []byte {
	out = appendULEB(append(out, secCode), size)
	out = append(out, in.b[s.body:in.codeCount]...) // the count, as encoded
	lo := 0
	for i := range in.bodies {
		bd := &in.bodies[i]
		sites := in.sites[lo:bd.sites]
		lo = bd.sites
		out = appendULEB(out, bd.grownSize(len(check)))
		if bd.loops > 0 {
			out = appendULEB(out, uint64(bd.decls)+1)
			out = append(out, in.b[bd.declEnd:bd.localsEnd]...)
			out = append(out, 0x01, byte(I32)) // (local $counter i32)
		} else {
			out = append(out, in.b[bd.start:bd.localsEnd]...)
		}
		if bd.entry {
			out = append(out, check...)
		}
		prev := bd.localsEnd
		for _, p := range sites {
			out = append(out, in.b[prev:p]...)
			out = appendLoopCheck(out, bd.counter, check)
			prev = p
		}
		out = append(out, in.b[prev:bd.end]...)
	}
	return out
}

// walker decodes instructions and the entries around them in b[pos:end],
// recording where loops begin and checking global indices.
type walker struct {
	b        []byte
	pos, end int
	where    string // section name, for errors
	what     string // "function", "global", ...: the entry being read
	index    int
	globals  uint32 // global indices must be below this
	loops    []int  // offsets just past each loop's block type
	declEnd  int    // just past the count of local declarations
	calls    bool   // a call instruction was seen
	memUse   int    // 1 + offset of the first use of a memory, or 0
}

func (w *walker) message(format string, args []any) string {
	msg := fmt.Sprintf(format, args...)
	if w.what != "" {
		msg = fmt.Sprintf("%s %d: %s", w.what, w.index, msg)
	}
	return msg
}

func (w *walker) errorf(off int, format string, args ...any) error {
	return &Error{Offset: off, Where: w.where, Err: errors.New(w.message(format, args))}
}

func (w *walker) unsupported(off int, format string, args ...any) error {
	return &Error{Offset: off, Where: w.where, Err: fmt.Errorf("%s: %w", w.message(format, args), ErrUnsupported)}
}

func (w *walker) truncated(off int, what string) error {
	return w.errorf(off, "unexpected end reading %s", what)
}

// usesMemory notes that the instruction or segment at off needs a memory.
func (w *walker) usesMemory(off int) {
	if w.memUse == 0 {
		w.memUse = off + 1
	}
}

func (w *walker) atEnd() error {
	w.what = ""
	if w.pos != w.end {
		return w.errorf(w.pos, "%d unread bytes at the end of the section", w.end-w.pos)
	}
	return nil
}

func (w *walker) byte(what string) (byte, error) {
	if w.pos >= w.end {
		return 0, w.truncated(w.pos, what)
	}
	c := w.b[w.pos]
	w.pos++
	return c, nil
}

// u32 decodes an unsigned LEB128 u32: at most 5 bytes, no bits above 32.
func (w *walker) u32(what string) (uint32, error) {
	if w.pos < w.end {
		if c := w.b[w.pos]; c < 0x80 {
			w.pos++
			return uint32(c), nil
		}
	}
	v, err := w.uleb(what, 32)
	return uint32(v), err
}

func (w *walker) uleb(what string, bits uint) (uint64, error) {
	start := w.pos
	maxLen := int((bits + 6) / 7)
	var v uint64
	for i := 0; ; i++ {
		if w.pos >= w.end {
			return 0, w.truncated(start, what)
		}
		c := w.b[w.pos]
		w.pos++
		shift := uint(i) * 7
		if i == maxLen-1 && (c&0x80 != 0 || uint64(c)>>(bits-shift) != 0) {
			return 0, w.errorf(start, "%s: invalid leb128 u%d", what, bits)
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

// sleb decodes a signed LEB128 integer of the given width; the unused high
// bits of a maximal-length encoding must extend its sign.
func (w *walker) sleb(what string, bits uint) (int64, error) {
	start := w.pos
	maxLen := int((bits + 6) / 7)
	var v int64
	for i := 0; ; i++ {
		if w.pos >= w.end {
			return 0, w.truncated(start, what)
		}
		c := w.b[w.pos]
		w.pos++
		shift := uint(i) * 7
		if i == maxLen-1 {
			used := bits - shift // 1..7 bits of this byte belong to the value
			top := c >> (used - 1)
			if c&0x80 != 0 || (top != 0 && top != 0x7f>>(used-1)) {
				return 0, w.errorf(start, "%s: invalid leb128 s%d", what, bits)
			}
		}
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v, nil
		}
	}
}

// count decodes a vector length that the remaining bytes can hold at
// minSize bytes an element.
func (w *walker) count(what string, minSize int) (int, error) {
	start := w.pos
	var n uint32
	if w.pos < w.end && w.b[w.pos] < 0x80 {
		n = uint32(w.b[w.pos])
		w.pos++
	} else {
		v, err := w.uleb(what+" count", 32)
		if err != nil {
			return 0, err
		}
		n = uint32(v)
	}
	if need := uint64(n) * uint64(minSize); need > uint64(w.end-w.pos) {
		return 0, w.errorf(start, "%s count %d needs at least %d bytes but only %d remain", what, n, need, w.end-w.pos)
	}
	return int(n), nil
}

func (w *walker) refType() error {
	off := w.pos
	c, err := w.byte("reference type")
	if err != nil {
		return err
	}
	if ValType(c) != FuncRef && ValType(c) != ExternRef {
		return w.unsupported(off, "reference type %#02x", c)
	}
	return nil
}

// locals decodes a body's local declarations, returning their count and
// the number of locals they declare.
func (w *walker) locals() (decls int, locals uint64, err error) {
	n, err := w.count("local declaration", 2)
	if err != nil {
		return 0, 0, err
	}
	w.declEnd = w.pos
	for range n {
		c, err := w.u32("local count")
		if err != nil {
			return 0, 0, err
		}
		locals += uint64(c)
		off := w.pos
		t, err := w.byte("local type")
		if err != nil {
			return 0, 0, err
		}
		if !validValType(t) {
			return 0, 0, w.unsupported(off, "local type %#02x", t)
		}
	}
	return n, locals, nil
}

// blockType decodes the block type after block, loop, if, try and
// try_table: 0x40, a value type, or a non-negative s33 type index.
func (w *walker) blockType() error {
	if w.pos < w.end {
		if c := w.b[w.pos]; c == 0x40 || validValType(c) {
			w.pos++
			return nil
		}
	}
	off := w.pos
	v, err := w.sleb("block type", 33)
	if err != nil {
		return err
	}
	if v < 0 {
		return w.unsupported(off, "block type %#02x", w.b[off])
	}
	return nil
}

// memarg decodes an alignment (whose bit 6 announces a memory index, as in
// the multi-memory proposal) and an offset (up to 64 bits for memory64).
func (w *walker) memarg() error {
	off := w.pos
	align, err := w.u32("memarg alignment")
	if err != nil {
		return err
	}
	if align >= 0x80 {
		return w.errorf(off, "invalid memarg alignment flags %#x", align)
	}
	if align&0x40 != 0 {
		if _, err := w.u32("memarg memory index"); err != nil {
			return err
		}
	}
	if w.pos < w.end && w.b[w.pos] < 0x80 {
		w.pos++
		return nil
	}
	_, err = w.uleb("memarg offset", 64)
	return err
}

func (w *walker) skip(n int, what string) error {
	if n > w.end-w.pos {
		return w.truncated(w.pos, what)
	}
	w.pos += n
	return nil
}

// constExpr walks an initialiser expression: it must end with its own end.
func (w *walker) constExpr() error {
	mark := len(w.loops)
	err := w.expr(false)
	w.loops = w.loops[:mark]
	return err
}

// Instruction classes: what follows the opcode byte.
const (
	opUnknown      = iota
	opNone         // no immediate
	opBlock        // block type; opens a block (block, if, try)
	opLoop         // block type; opens a loop
	opEnd          // closes a block, or the expression
	opDelegate     // label; closes a try block
	opU32          // one u32 index or label
	opCall         // function index
	opCallIndirect // type and table indices
	opGlobal       // global index
	opMemarg
	opMemory // memory index
	opI32
	opI64
	opF32
	opF64
	opBrTable
	opSelectT
	opRefNull
	opTryTable
	opPrefixFC
	opPrefixFD
	opPrefixFE
)

var opClass = func() (c [256]uint8) {
	set := func(class uint8, lo, hi int) {
		for op := lo; op <= hi; op++ {
			c[op] = class
		}
	}
	set(opNone, 0x00, 0x01) // unreachable, nop
	c[0x02] = opBlock       // block
	c[0x03] = opLoop
	c[0x04] = opBlock // if
	c[0x05] = opNone  // else
	c[0x06] = opBlock // try (legacy exceptions)
	c[0x07] = opU32   // catch tag
	c[0x08] = opU32   // throw tag
	c[0x09] = opU32   // rethrow label
	c[0x0a] = opNone  // throw_ref
	c[0x0b] = opEnd
	set(opU32, 0x0c, 0x0d) // br, br_if
	c[0x0e] = opBrTable
	c[0x0f] = opNone         // return
	c[0x10] = opCall         // call
	c[0x11] = opCallIndirect // call_indirect type table
	c[0x12] = opCall         // return_call
	c[0x13] = opCallIndirect // return_call_indirect
	c[0x18] = opDelegate
	c[0x19] = opNone        // catch_all
	set(opNone, 0x1a, 0x1b) // drop, select
	c[0x1c] = opSelectT
	c[0x1f] = opTryTable
	set(opU32, 0x20, 0x22) // local.get/set/tee
	set(opGlobal, 0x23, 0x24)
	set(opU32, 0x25, 0x26)    // table.get/set
	set(opMemarg, 0x28, 0x3e) // loads and stores
	set(opMemory, 0x3f, 0x40) // memory.size/grow memory index
	c[0x41] = opI32
	c[0x42] = opI64
	c[0x43] = opF32
	c[0x44] = opF64
	set(opNone, 0x45, 0xc4) // numeric and sign extension
	c[0xd0] = opRefNull
	c[0xd1] = opNone // ref.is_null
	c[0xd2] = opU32  // ref.func
	c[0xfc] = opPrefixFC
	c[0xfd] = opPrefixFD
	c[0xfe] = opPrefixFE
	return c
}()

// SIMD (0xFD) sub-opcode classes, including relaxed SIMD (0x100-0x113).
const (
	simdUnknown = iota
	simdNone
	simdMemarg
	simdBytes16 // v128.const, i8x16.shuffle
	simdLane    // extract/replace lane
	simdMemargLane
)

var simdClass = func() (c [0x114]uint8) {
	for op := range c {
		c[op] = simdNone
	}
	for op := 0x00; op <= 0x0b; op++ {
		c[op] = simdMemarg
	}
	c[0x0c], c[0x0d] = simdBytes16, simdBytes16
	for op := 0x15; op <= 0x22; op++ {
		c[op] = simdLane
	}
	for op := 0x54; op <= 0x5b; op++ {
		c[op] = simdMemargLane
	}
	c[0x5c], c[0x5d] = simdMemarg, simdMemarg
	// Opcodes dropped before the proposal was finalised.
	for _, op := range []int{0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee} {
		c[op] = simdUnknown
	}
	return c
}()

var globalOpName = [2]string{"global.get", "global.set"}

// expr walks instructions up to and including the end that closes the
// expression. In a function body (body true) that end must be the body's
// last byte.
func (w *walker) expr(body bool) error {
	depth := 0
	for w.pos < w.end {
		off := w.pos
		op := w.b[off]
		w.pos++
		var err error
		switch opClass[op] {
		case opNone:
		case opBlock:
			err = w.blockType()
			depth++
		case opLoop:
			err = w.blockType()
			depth++
			w.loops = append(w.loops, w.pos)
		case opEnd:
			if depth == 0 {
				if body && w.pos != w.end {
					return w.errorf(w.pos, "%d bytes after the body's final end", w.end-w.pos)
				}
				return nil
			}
			depth--
		case opDelegate:
			if depth == 0 {
				return w.errorf(off, "delegate outside a try block")
			}
			depth--
			_, err = w.u32("delegate label")
		case opU32:
			_, err = w.u32("immediate")
		case opCall:
			w.calls = true
			_, err = w.u32("function index")
		case opCallIndirect:
			w.calls = true
			if _, err = w.u32("type index"); err == nil {
				_, err = w.u32("table index")
			}
		case opGlobal:
			var idx uint32
			if idx, err = w.u32("global index"); err == nil && idx >= w.globals {
				return w.errorf(off, "%s index %d out of range (%d globals)", globalOpName[op-0x23], idx, w.globals)
			}
		case opMemarg:
			w.usesMemory(off)
			err = w.memarg()
		case opMemory:
			w.usesMemory(off)
			_, err = w.u32("memory index")
		case opI32:
			if w.pos < w.end && w.b[w.pos] < 0x80 {
				w.pos++
			} else {
				_, err = w.sleb("i32.const", 32)
			}
		case opI64:
			if w.pos < w.end && w.b[w.pos] < 0x80 {
				w.pos++
			} else {
				_, err = w.sleb("i64.const", 64)
			}
		case opF32:
			err = w.skip(4, "f32.const")
		case opF64:
			err = w.skip(8, "f64.const")
		case opBrTable:
			var n int
			if n, err = w.count("br_table label", 1); err == nil {
				for i := 0; i <= n && err == nil; i++ {
					_, err = w.u32("br_table label")
				}
			}
		case opSelectT:
			var n int
			if n, err = w.count("select type", 1); err == nil {
				for range n {
					if c := w.b[w.pos]; !validValType(c) {
						return w.unsupported(w.pos, "select type %#02x", c)
					}
					w.pos++
				}
			}
		case opRefNull:
			err = w.refType()
		case opTryTable:
			if err = w.blockType(); err != nil {
				return err
			}
			depth++
			var n int
			if n, err = w.count("try_table catch", 2); err == nil {
				for range n {
					koff := w.pos
					var kind byte
					if kind, err = w.byte("catch kind"); err != nil {
						return err
					}
					if kind > 3 {
						return w.errorf(koff, "invalid try_table catch kind %#02x", kind)
					}
					if kind < 2 { // catch, catch_ref: tag index
						if _, err = w.u32("catch tag"); err != nil {
							return err
						}
					}
					if _, err = w.u32("catch label"); err != nil {
						return err
					}
				}
			}
		case opPrefixFC:
			err = w.prefixFC(off)
		case opPrefixFD:
			err = w.prefixFD(off)
		case opPrefixFE:
			err = w.prefixFE(off)
		default:
			return w.unsupported(off, "opcode %#02x", op)
		}
		if err != nil {
			return err
		}
	}
	if body {
		return w.errorf(w.pos, "body ends inside %d open blocks, without its final end", depth+1)
	}
	return w.errorf(w.pos, "expression has no end")
}

func (w *walker) prefixFC(off int) error {
	sub, err := w.u32("0xfc sub-opcode")
	if err != nil {
		return err
	}
	switch {
	case sub <= 7: // saturating truncation
		return nil
	case sub == 9, sub == 11, sub == 13, sub == 15, sub == 16, sub == 17:
		// data.drop, memory.fill, elem.drop, table.grow, table.size, table.fill
		if sub == 11 {
			w.usesMemory(off)
		}
		_, err = w.u32("immediate")
		return err
	case sub == 8, sub == 10, sub == 12, sub == 14:
		// memory.init, memory.copy, table.init, table.copy
		if sub == 8 || sub == 10 {
			w.usesMemory(off)
		}
		if _, err = w.u32("immediate"); err != nil {
			return err
		}
		_, err = w.u32("immediate")
		return err
	}
	return w.unsupported(off, "opcode 0xfc %d", sub)
}

func (w *walker) prefixFD(off int) error {
	sub, err := w.u32("0xfd sub-opcode")
	if err != nil {
		return err
	}
	class := uint8(simdUnknown)
	if sub < uint32(len(simdClass)) {
		class = simdClass[sub]
	}
	switch class {
	case simdNone:
		return nil
	case simdMemarg:
		w.usesMemory(off)
		return w.memarg()
	case simdBytes16:
		return w.skip(16, "16-byte immediate")
	case simdLane:
		return w.skip(1, "lane index")
	case simdMemargLane:
		w.usesMemory(off)
		if err := w.memarg(); err != nil {
			return err
		}
		return w.skip(1, "lane index")
	}
	return w.unsupported(off, "opcode 0xfd %#x", sub)
}

func (w *walker) prefixFE(off int) error {
	sub, err := w.u32("0xfe sub-opcode")
	if err != nil {
		return err
	}
	switch {
	case sub == 0x03: // atomic.fence
		zoff := w.pos
		c, err := w.byte("atomic.fence flags")
		if err != nil {
			return err
		}
		if c != 0 {
			return w.errorf(zoff, "invalid atomic.fence flags %#02x", c)
		}
		return nil
	case sub <= 0x02, sub >= 0x10 && sub <= 0x4e:
		w.usesMemory(off)
		return w.memarg()
	}
	return w.unsupported(off, "opcode 0xfe %#x", sub)
}
