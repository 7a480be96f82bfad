package wasmbin

import (
	"fmt"
	"strings"
)

// ExternKind is the kind of an imported or exported definition, encoded as
// in the binary format's import and export descriptors.
type ExternKind byte

// Extern kinds, numbered as in the binary format.
const (
	Func   ExternKind = 0x00
	Table  ExternKind = 0x01
	Memory ExternKind = 0x02
	Global ExternKind = 0x03
	Tag    ExternKind = 0x04 // exception-handling proposal
)

func (k ExternKind) String() string {
	switch k {
	case Func:
		return "func"
	case Table:
		return "table"
	case Memory:
		return "memory"
	case Global:
		return "global"
	case Tag:
		return "tag"
	}
	return fmt.Sprintf("externkind(%#02x)", byte(k))
}

// ValType is a value type, encoded as its one-byte binary form.
type ValType byte

// Value types that Parse accepts.
const (
	I32       ValType = 0x7f
	I64       ValType = 0x7e
	F32       ValType = 0x7d
	F64       ValType = 0x7c
	V128      ValType = 0x7b
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6f
)

func (v ValType) String() string {
	switch v {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExternRef:
		return "externref"
	}
	return fmt.Sprintf("valtype(%#02x)", byte(v))
}

func validValType(b byte) bool {
	switch ValType(b) {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return true
	}
	return false
}

// FuncType is a function signature.
type FuncType struct {
	Params, Results []ValType
}

// Equal reports whether t and o have the same parameters and results.
// A nil FuncType equals only another nil FuncType.
func (t *FuncType) Equal(o *FuncType) bool {
	if t == nil || o == nil {
		return t == o
	}
	return equalVals(t.Params, o.Params) && equalVals(t.Results, o.Results)
}

func equalVals(a, b []ValType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// String formats t as "(i64, i64) -> (i64)".
func (t *FuncType) String() string {
	if t == nil {
		return "<nil>"
	}
	return joinVals(t.Params) + " -> " + joinVals(t.Results)
}

func joinVals(vs []ValType) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// Limits are the size limits of a memory (in 64 KiB pages) or a table (in
// elements).
type Limits struct {
	Min    uint64
	Max    uint64 // meaningful only when HasMax
	HasMax bool
	Shared bool // threads proposal: shared memory
	Is64   bool // memory64 proposal: 64-bit index type
}

// Import is one entry of the import section.
type Import struct {
	Module, Name string
	Kind         ExternKind
	// Type is the signature of an imported function (or the parameter
	// signature of an imported tag); nil for other kinds. It may be shared
	// with other imports and exports of the same type: treat it as read-only.
	Type *FuncType
}

// Export is one entry of the export section.
type Export struct {
	Name  string
	Kind  ExternKind
	Index uint32 // index in the function, table, memory, global or tag space
	// Type is the signature of an exported function, resolved through the
	// imports and the function section; nil for other kinds. Read-only, as
	// Import.Type.
	Type *FuncType
}

// Module is what Parse learned about a core module.
type Module struct {
	Imports []Import
	Exports []Export
	// Memories lists the memory index space: imported memories first, in
	// import order, then those defined by the memory section.
	Memories []Limits
	// CustomSections holds the names of the custom sections in file order.
	CustomSections []string
	// HasStart reports a start section: a function wasm runs during
	// instantiation.
	HasStart bool
	// Size is the length in bytes of the parsed module.
	Size int
}

// ExportedFunc returns the exported function called name.
func (m *Module) ExportedFunc(name string) (Export, bool) {
	for _, e := range m.Exports {
		if e.Kind == Func && e.Name == name {
			return e, true
		}
	}
	return Export{}, false
}

// HasImportModule reports whether any import comes from the named module.
func (m *Module) HasImportModule(module string) bool {
	for _, im := range m.Imports {
		if im.Module == module {
			return true
		}
	}
	return false
}
