// Package plugin runs one WebAssembly plugin: it loads and checks the
// module, compiles it once (through a compilation cache shared by every
// plugin and kept on disk), creates instances on demand, and calls the
// plugin's ABI exports with per-call limits.
//
// Lifecycle, in the style of a caddy module: Load decodes and validates the
// module (ABI detection, imports the host must provide, memory limit), links
// only the capabilities the operator granted (filesystem mounts, network
// rules, secrets), instantiates once to fail fast and reads the plugin's
// catalog (tools, prompts, resources, templates). Calls then run on
// instances taken from a pool; Close releases everything.
//
// Instances are never shared between concurrent calls (Extism instances are
// not goroutine-safe). A plugin in per-session mode gives each MCP session
// its own instance, so guest globals persist per session as hyper-mcp
// plugins expect; calls without a session (the stateless 2026-07-28 era)
// and plugins in pooled mode use a shared pool. An instance whose call
// trapped, timed out or was cancelled is closed and never reused.
//
// Everything a guest asks of the connected MCP client during a call
// (progress, logging, elicitation, sampling, roots, resource updates) goes
// through the Peer the caller passes in; list_changed notifications make the
// plugin re-read its catalog on the same instance once the call returns.
package plugin
