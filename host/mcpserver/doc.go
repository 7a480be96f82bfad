// Package mcpserver is toolhost's MCP front: it exposes the tools, prompts,
// resources and resource templates of loaded plugins through one MCP server
// and routes each request to the plugin that owns it. It is the only
// package that imports the MCP library (github.com/mark3labs/mcp-go), so a
// change of library stays here.
//
// One server serves every transport: streamable HTTP (both protocol eras on
// one URL: legacy initialize + Mcp-Session-Id clients and stateless
// 2026-07-28 clients) and stdio.
//
// Names: a plugin's tool and prompt names are exposed as <prefix>-<name>
// and its resource URIs get <prefix> as their first path segment, where the
// prefix is the plugin name unless runtime_config.prefix changes or drops
// it (package abi does the naming). Two plugins exposing the same name is a
// start-up error.
//
// Errors follow the spec: an unknown tool is a JSON-RPC error; a plugin
// that fails, traps, times out or answers garbage yields an isError tool
// result naming the plugin and the reason, and the server keeps serving.
package mcpserver
