// Command files is a toolhost plugin that reads files and lists
// directories with plain os calls. It sees only the directories the
// operator mounted for it as WASI preopens (allowed_paths in the plugin's
// runtime_config); everything else is refused, and the error tells the
// agent which path was refused, what is mounted, and how access is granted.
//
// Build (from plugins/):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o files.wasm ./files
package main
