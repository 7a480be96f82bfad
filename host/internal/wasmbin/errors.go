package wasmbin

import (
	"errors"
	"fmt"
)

// ErrComponent is wrapped by the error Parse and RewriteImports return for a
// WebAssembly component (component-model layer 1) instead of a core module.
var ErrComponent = errors.New("this is a WebAssembly component (WASI p2); toolhost runs core modules only")

// Error reports malformed module bytes.
type Error struct {
	// Offset is the byte offset in the module at which the problem starts.
	Offset int
	// Where names the part of the module being read, such as
	// "module header" or "import section".
	Where string
	// Err describes the problem.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("wasm: %s at offset %#x: %v", e.Where, e.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
