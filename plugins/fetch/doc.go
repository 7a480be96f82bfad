// Command fetch is a toolhost plugin that makes HTTP(S) requests through
// the Extism http_request kernel function (go-pdk's pdk.NewHTTPRequest). WASI
// has no sockets, so this is its only way out, and the host allows only the
// hosts listed in the plugin's allowed_hosts; without that grant every
// request is refused.
//
// Build (from plugins/):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o fetch.wasm ./fetch
package main
