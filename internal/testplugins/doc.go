// Package testplugins gives tests the WebAssembly binaries of toolhost's
// plugins, built from source on demand.
//
//	wasm := testplugins.Plugin(t, "hash")     // <repo>/plugins/hash, Extism reactor
//	wasm := testplugins.Test(t, "everything") // <repo>/plugins/test/everything, reactor
//	wasm := testplugins.Test(t, "command")    // <repo>/plugins/test/command, plain wasip1 command
//	data := testplugins.Bytes(t, wasm)
//
// Builds go through internal/wasmbuild, so they are cached by content in
// $TOOLHOST_WASM_CACHE (default: <user cache dir>/toolhost/wasm). The first
// run of the test suite compiles the Go runtime and the plugins for
// wasip1/wasm, which takes about 15 s; later runs hit the cache and return in
// milliseconds until a plugin's sources (or the sdk it replaces) change.
// Building needs Go 1.24 or newer on PATH, as `go test` provides.
//
// Per-process state: each plugin is built at most once per test binary; the
// outcome (path or error) is memoized so parallel tests share one build.
package testplugins
