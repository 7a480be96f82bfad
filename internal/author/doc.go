// Package author is the plugin author's side of toolhost: it scaffolds
// plugin projects (Go with the toolhost sdk, C against the Extism kernel,
// AssemblyScript with @extism/as-pdk), builds them with the language's own
// toolchain, inspects .wasm files the way toolhost loads them, and calls one
// tool of a plugin, in process or on a running server.
//
// The toolhost command exposes it as `toolhost plugin new|build|inspect` and
// `toolhost call` (internal/cli). Everything that runs a plugin goes through
// host/plugin with a configuration built by host/config, so what author
// reports is what `toolhost serve` would do with the same grants.
//
// The Go sdk is not published on the module proxy, so the binary carries its
// source (sdksrc/, generated from <repo>/sdk by `go generate`) and writes it
// to <user cache dir>/toolhost/sdk/<content hash>/ for scaffolded go.mod files
// to replace.
package author
