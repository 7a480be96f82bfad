// Package bundled holds toolhost's first-party plugins (hash, clock, files,
// fetch), compiled to WebAssembly and embedded in the toolhost binary, and the
// default configuration that serves them.
//
// The .wasm files in wasm/ are generated, never committed:
//
//	go generate ./...   # runs ./gen: builds plugins/<name> into wasm/<name>.wasm
//
// A binary built before `go generate` embeds no plugins; Open then says so.
// Configurations refer to a bundled plugin with the URL bundled://<name>.
package bundled
