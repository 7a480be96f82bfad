// Command gen builds toolhost's first-party plugins into internal/bundled/wasm
// so that package bundled can embed them. It runs through
//
//	go generate ./internal/bundled/   (or go generate ./...)
//
// and prints one line per plugin: its size and whether the build came from
// the wasmbuild cache. It also removes .wasm files of plugins that are no
// longer bundled, so they stop being embedded.
//
// Usage:
//
//	go run ./internal/bundled/gen [-repo dir] [-out dir]
package main
