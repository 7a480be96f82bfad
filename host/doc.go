// Package host is toolhost as a library: it loads the plugins a
// configuration names and serves them as one MCP server over streamable
// HTTP or stdio.
//
//	cfg, err := config.Load("toolhost.yaml", config.Options{LookupEnv: os.LookupEnv})
//	h, err := host.New(ctx, cfg, host.Options{Logger: logger})
//	defer h.Close(ctx)
//	http.ListenAndServe("127.0.0.1:8931", h.HTTPHandler(host.HTTPOptions{}))
//
// Everything else lives in subpackages: config (the file format), plugin
// (running one wasm plugin), mcpserver (the MCP front), abi (the plugin
// ABI) and sandbox (filesystem and network grants).
package host
