// Package abi describes the plugin ABI that toolhost speaks with WebAssembly
// guests, without depending on any wasm engine or MCP library.
//
// Two ABIs exist in the wild and both run unchanged:
//
//   - V1, the mcp.run "servlet" ABI: exports describe and call.
//   - V2, the hyper-mcp ABI: exports list_tools, call_tool and optionally
//     prompts, resources, resource templates, complete and
//     on_roots_list_changed.
//
// Every export has type () -> i32 and exchanges UTF-8 JSON through the
// Extism kernel (see ../shared/reference/plugin-abi.md in the design notes).
// This package names the exports, builds the JSON inputs, and decodes and
// normalises the guest's outputs, which are untrusted bytes: every decoder
// here has a fuzz target.
//
// It also owns namespacing: how a plugin-local tool name, prompt name or
// resource URI becomes the name an MCP client sees, and back.
package abi
