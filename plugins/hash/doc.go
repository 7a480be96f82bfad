// Command hash is a toolhost plugin that computes message digests (MD5,
// SHA-1, SHA-256, SHA-512) and HMACs of text or base64-encoded bytes.
//
// It needs no grants: no paths, no hosts, no config.
//
// Build (from plugins/):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o hash.wasm ./hash
package main
