// Package e2e holds toolhost's end-to-end tests: a real toolhost (in
// process on a loopback HTTP server, or the built binary over stdio) running
// real wasm plugins built from plugins/, driven by real MCP clients
// (mcp-go's Go client in both protocol eras, and the official Node clients
// from testdata/node).
package e2e
