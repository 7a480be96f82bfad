// Package engine runs Extism plugin modules on wazero: it compiles each
// module once per memory limit (shared by every plugin using the same
// bytes), instantiates it with the Extism kernel ABI served from Go (Kernel),
// calls its exports, and stops a call whose context ends by raising an
// interrupt flag the module was instrumented to check
// (wasmbin.InstrumentInterrupt), falling back to wazero's
// close-on-context-done for modules that cannot be instrumented.
//
// It replaces the call path of Extism's go-sdk, which looks up kernel and
// guest exports by name on every call and hides the module instances an
// interrupt flag needs; go-sdk stays the reference the engine is tested
// against (RATIONALE.md, "Why our own Extism kernel?").
package engine
