// Package wasmbin decodes just enough of a WebAssembly core module's binary
// format to inspect what a plugin imports and exports, and rewrites the
// module names of selected imports.
//
// toolhost reads plugin files that it does not trust, so every decoder here
// treats its input as hostile: lengths and counts are checked against the
// bytes that remain before anything is allocated, LEB128 integers are
// bounded, names must be valid UTF-8, and sections must come in the order
// the specification gives. Errors are *Error values that carry the byte
// offset at which decoding failed.
//
// Parse reads the type, import, function, memory and export sections, the
// names of custom sections and the entry counts of the table, global and tag
// sections (to range-check export indices); every other section is skipped
// by its size. It does not validate code, so a module that Parse accepts can
// still be rejected by the runtime.
//
// RewriteImports changes the module name of chosen import entries, for
// example to route Extism's "extism:host/env" HTTP functions to toolhost's
// own "toolhost:host/env" implementation. Only the import section is
// re-encoded; every other byte of the module is copied unchanged.
//
// InstrumentInterrupt inserts checks of an exported interrupt flag global
// at loop heads and function entries, so that the host can stop a spinning
// guest by setting the flag instead of running it with wazero's slower
// close-on-context-done.
package wasmbin
