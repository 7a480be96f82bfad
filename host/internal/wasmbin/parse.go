package wasmbin

import "fmt"

// Section ids of the core binary format.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

var sectionNames = [...]string{
	secCustom:    "custom section",
	secType:      "type section",
	secImport:    "import section",
	secFunction:  "function section",
	secTable:     "table section",
	secMemory:    "memory section",
	secGlobal:    "global section",
	secExport:    "export section",
	secStart:     "start section",
	secElement:   "element section",
	secCode:      "code section",
	secData:      "data section",
	secDataCount: "data count section",
	secTag:       "tag section",
}

// sectionRank gives the position each non-custom section must take: ids are
// not in file order because datacount (12) precedes code (10) and tag (13)
// sits between memory (5) and global (6).
var sectionRank = [...]int{
	secType:      1,
	secImport:    2,
	secFunction:  3,
	secTable:     4,
	secMemory:    5,
	secTag:       6,
	secGlobal:    7,
	secExport:    8,
	secStart:     9,
	secElement:   10,
	secDataCount: 11,
	secCode:      12,
	secData:      13,
}

const headerSize = 8

var wasmMagic = [4]byte{0x00, 'a', 's', 'm'}

// section locates one section in the module.
type section struct {
	id    byte
	start int // offset of the id byte
	body  int // offset of the first content byte
	end   int // offset just past the content
}

// importSpan locates the parts of one import entry that RewriteImports needs.
type importSpan struct {
	modStart int // offset of the module name's length
	modEnd   int // offset just past the module name
	end      int // offset just past the entry
}

// layout is where things are in a parsed module.
type layout struct {
	sections []section
	imports  int // index into sections of the import section, or -1
	spans    []importSpan
	funcs    []*FuncType // function index space: imports, then definitions
}

// Parse decodes the imports, exports, memories and custom section names of
// the core module b. It does not retain b.
func Parse(b []byte) (*Module, error) {
	m, _, err := parse(b)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func checkHeader(b []byte) error {
	if len(b) < headerSize {
		if len(b) >= 4 && [4]byte(b[:4]) != wasmMagic {
			return &Error{Offset: 0, Where: "module header", Err: fmt.Errorf("bad magic %x: not a WebAssembly module", b[:4])}
		}
		return &Error{Offset: 0, Where: "module header", Err: fmt.Errorf("module is %d bytes, shorter than the %d-byte header", len(b), headerSize)}
	}
	if [4]byte(b[:4]) != wasmMagic {
		return &Error{Offset: 0, Where: "module header", Err: fmt.Errorf("bad magic %x: not a WebAssembly module", b[:4])}
	}
	// A component shares the magic; its version word is a 16-bit version
	// followed by the 16-bit layer 1 (core modules use layer 0).
	if b[6] == 0x01 && b[7] == 0x00 {
		return &Error{Offset: 4, Where: "module header", Err: ErrComponent}
	}
	if b[4] != 0x01 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return &Error{Offset: 4, Where: "module header", Err: fmt.Errorf("unsupported binary version %x (want 01000000)", b[4:8])}
	}
	return nil
}

// splitSections checks the header and the section framing: known ids, each
// non-custom section at most once and in order, sizes within the module.
func splitSections(b []byte) ([]section, error) {
	if err := checkHeader(b); err != nil {
		return nil, err
	}
	var secs []section
	r := &reader{b: b, pos: headerSize, end: len(b), where: "section header", limit: "module"}
	lastRank, lastID := 0, byte(0)
	for r.pos < len(b) {
		start := r.pos
		id := b[start]
		r.pos++
		if int(id) >= len(sectionNames) {
			return nil, r.errorf(start, "unknown section id %#02x", id)
		}
		if id != secCustom {
			rank := sectionRank[id]
			if rank == lastRank {
				return nil, r.errorf(start, "duplicate %s", sectionNames[id])
			}
			if rank < lastRank {
				return nil, r.errorf(start, "%s (id %d) out of order after %s (id %d)", sectionNames[id], id, sectionNames[lastID], lastID)
			}
			lastRank, lastID = rank, id
		}
		size, err := r.u32(sectionNames[id] + " size")
		if err != nil {
			return nil, err
		}
		if uint64(size) > uint64(r.remaining()) {
			return nil, r.errorf(start, "%s size %d exceeds remaining %d bytes", sectionNames[id], size, r.remaining())
		}
		secs = append(secs, section{id: id, start: start, body: r.pos, end: r.pos + int(size)})
		r.pos += int(size)
	}
	return secs, nil
}

// parser holds the index spaces built while reading sections in order.
type parser struct {
	b     []byte
	m     *Module
	lay   *layout
	types []*FuncType
	funcs []*FuncType // function index space: imports, then definitions

	tables, globals, tags int // index space sizes
}

func parse(b []byte) (*Module, *layout, error) {
	secs, err := splitSections(b)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{
		b:   b,
		m:   &Module{Size: len(b)},
		lay: &layout{sections: secs, imports: -1},
	}
	for i, s := range secs {
		r := &reader{b: b, pos: s.body, end: s.end, where: sectionNames[s.id], limit: "section"}
		switch s.id {
		case secCustom:
			err = p.custom(r)
		case secType:
			err = p.typeSection(r)
		case secImport:
			p.lay.imports = i
			err = p.importSection(r)
		case secFunction:
			err = p.functionSection(r)
		case secTable:
			err = p.countOnly(r, "table", 3, &p.tables)
		case secMemory:
			err = p.memorySection(r)
		case secGlobal:
			err = p.countOnly(r, "global", 3, &p.globals)
		case secTag:
			err = p.countOnly(r, "tag", 2, &p.tags)
		case secExport:
			err = p.exportSection(r)
		case secStart:
			p.m.HasStart = true
			continue
		default:
			continue // skipped by size
		}
		if err != nil {
			return nil, nil, err
		}
		if s.id != secCustom && s.id != secTable && s.id != secGlobal && s.id != secTag && r.pos != s.end {
			return nil, nil, r.errorf(r.pos, "%d unread bytes at the end of the section", s.end-r.pos)
		}
	}
	p.lay.funcs = p.funcs
	return p.m, p.lay, nil
}

func (p *parser) custom(r *reader) error {
	name, err := r.name("custom section name")
	if err != nil {
		return err
	}
	p.m.CustomSections = append(p.m.CustomSections, name)
	return nil
}

// countOnly reads a vector length, range-checked against the section's
// bytes, and adds it to an index space; the entries are not decoded.
func (p *parser) countOnly(r *reader, what string, minSize int, space *int) error {
	n, err := r.count(what, minSize)
	if err != nil {
		return err
	}
	*space += n
	return nil
}

func (p *parser) typeSection(r *reader) error {
	n, err := r.count("type", 3)
	if err != nil {
		return err
	}
	p.types = make([]*FuncType, 0, n)
	for i := range n {
		off := r.pos
		form, err := r.byte(fmt.Sprintf("type %d form", i))
		if err != nil {
			return err
		}
		if form != 0x60 {
			return r.errorf(off, "type %d: form %#02x is not a function type (0x60); gc proposal types are not supported", i, form)
		}
		ft := &FuncType{}
		if ft.Params, err = r.valTypes(fmt.Sprintf("type %d params", i)); err != nil {
			return err
		}
		if ft.Results, err = r.valTypes(fmt.Sprintf("type %d results", i)); err != nil {
			return err
		}
		p.types = append(p.types, ft)
	}
	return nil
}

func (r *reader) valTypes(what string) ([]ValType, error) {
	n, err := r.count(what, 1)
	if err != nil || n == 0 {
		return nil, err
	}
	vs := make([]ValType, n)
	for i := range vs {
		off := r.pos
		c, _ := r.byte(what) // count guaranteed the bytes
		if !validValType(c) {
			return nil, r.errorf(off, "%s: unsupported value type %#02x", what, c)
		}
		vs[i] = ValType(c)
	}
	return vs, nil
}

func (p *parser) typeIndex(r *reader, what string) (*FuncType, error) {
	off := r.pos
	idx, err := r.u32(what + " type index")
	if err != nil {
		return nil, err
	}
	if uint64(idx) >= uint64(len(p.types)) {
		return nil, r.errorf(off, "%s: type index %d out of range (%d types)", what, idx, len(p.types))
	}
	return p.types[idx], nil
}

func (p *parser) importSection(r *reader) error {
	// Smallest entry: two empty names, a kind byte, a one-byte descriptor.
	n, err := r.count("import", 4)
	if err != nil || n == 0 {
		return err
	}
	p.m.Imports = make([]Import, 0, n)
	p.lay.spans = make([]importSpan, 0, n)
	for i := range n {
		var sp importSpan
		var im Import
		sp.modStart = r.pos
		if im.Module, err = r.name(fmt.Sprintf("import %d module name", i)); err != nil {
			return err
		}
		sp.modEnd = r.pos
		if im.Name, err = r.name(fmt.Sprintf("import %d (module %q) field name", i, im.Module)); err != nil {
			return err
		}
		what := fmt.Sprintf("import %d (%q %q)", i, im.Module, im.Name)
		kindOff := r.pos
		kind, err := r.byte(what + " kind")
		if err != nil {
			return err
		}
		im.Kind = ExternKind(kind)
		switch im.Kind {
		case Func:
			if im.Type, err = p.typeIndex(r, what); err != nil {
				return err
			}
			p.funcs = append(p.funcs, im.Type)
		case Table:
			off := r.pos
			rt, err := r.byte(what + " table element type")
			if err != nil {
				return err
			}
			if ValType(rt) != FuncRef && ValType(rt) != ExternRef {
				return r.errorf(off, "%s: unsupported table element type %#02x", what, rt)
			}
			if _, err := r.limits(what); err != nil {
				return err
			}
			p.tables++
		case Memory:
			l, err := r.limits(what)
			if err != nil {
				return err
			}
			p.m.Memories = append(p.m.Memories, l)
		case Global:
			off := r.pos
			vt, err := r.byte(what + " global type")
			if err != nil {
				return err
			}
			if !validValType(vt) {
				return r.errorf(off, "%s: unsupported value type %#02x", what, vt)
			}
			off = r.pos
			mut, err := r.byte(what + " global mutability")
			if err != nil {
				return err
			}
			if mut > 1 {
				return r.errorf(off, "%s: invalid global mutability %#02x", what, mut)
			}
			p.globals++
		case Tag:
			off := r.pos
			attr, err := r.byte(what + " tag attribute")
			if err != nil {
				return err
			}
			if attr != 0 {
				return r.errorf(off, "%s: invalid tag attribute %#02x", what, attr)
			}
			if im.Type, err = p.typeIndex(r, what); err != nil {
				return err
			}
			p.tags++
		default:
			return r.errorf(kindOff, "%s: unknown import kind %#02x", what, kind)
		}
		sp.end = r.pos
		p.m.Imports = append(p.m.Imports, im)
		p.lay.spans = append(p.lay.spans, sp)
	}
	return nil
}

func (p *parser) functionSection(r *reader) error {
	n, err := r.count("function", 1)
	if err != nil || n == 0 {
		return err
	}
	p.funcs = append(make([]*FuncType, 0, len(p.funcs)+n), p.funcs...)
	for i := range n {
		off := r.pos
		idx, err := r.u32("function type index")
		if err != nil {
			return err
		}
		if uint64(idx) >= uint64(len(p.types)) {
			return r.errorf(off, "function %d: type index %d out of range (%d types)", i, idx, len(p.types))
		}
		p.funcs = append(p.funcs, p.types[idx])
	}
	return nil
}

func (p *parser) memorySection(r *reader) error {
	n, err := r.count("memory", 2)
	if err != nil || n == 0 {
		return err
	}
	p.m.Memories = append(make([]Limits, 0, len(p.m.Memories)+n), p.m.Memories...)
	for i := range n {
		l, err := r.limits(fmt.Sprintf("memory %d", i))
		if err != nil {
			return err
		}
		p.m.Memories = append(p.m.Memories, l)
	}
	return nil
}

var plural = [...]string{Func: "functions", Table: "tables", Memory: "memories", Global: "globals", Tag: "tags"}

func (p *parser) exportSection(r *reader) error {
	n, err := r.count("export", 3)
	if err != nil || n == 0 {
		return err
	}
	p.m.Exports = make([]Export, 0, n)
	seen := make(map[string]struct{}, n)
	for i := range n {
		var e Export
		nameOff := r.pos
		if e.Name, err = r.name(fmt.Sprintf("export %d name", i)); err != nil {
			return err
		}
		if _, dup := seen[e.Name]; dup {
			return r.errorf(nameOff, "export %d: duplicate export name %q", i, e.Name)
		}
		seen[e.Name] = struct{}{}
		what := fmt.Sprintf("export %d (%q)", i, e.Name)
		kindOff := r.pos
		kind, err := r.byte(what + " kind")
		if err != nil {
			return err
		}
		e.Kind = ExternKind(kind)
		var space int
		switch e.Kind {
		case Func:
			space = len(p.funcs)
		case Table:
			space = p.tables
		case Memory:
			space = len(p.m.Memories)
		case Global:
			space = p.globals
		case Tag:
			space = p.tags
		default:
			return r.errorf(kindOff, "%s: unknown export kind %#02x", what, kind)
		}
		idxOff := r.pos
		if e.Index, err = r.u32(what + " index"); err != nil {
			return err
		}
		if uint64(e.Index) >= uint64(space) {
			return r.errorf(idxOff, "%s: %s index %d out of range (%d %s)", what, e.Kind, e.Index, space, plural[e.Kind])
		}
		if e.Kind == Func {
			e.Type = p.funcs[e.Index]
		}
		p.m.Exports = append(p.m.Exports, e)
	}
	return nil
}
