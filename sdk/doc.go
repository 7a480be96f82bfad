// Package sdk is the guest kit for writing toolhost plugins in standard Go.
//
// A plugin is a WebAssembly module built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm .
//
// Importing this package makes the module speak the hyper-mcp "V2" plugin
// ABI: the package itself carries the //go:wasmexport functions list_tools,
// call_tool, list_prompts, get_prompt, list_resources,
// list_resource_templates, read_resource, complete and
// on_roots_list_changed, decodes their JSON inputs, dispatches to the
// handlers the plugin registered, and encodes the outputs. Plugins built with
// it run under toolhost and under hyper-mcp alike.
//
// # Registration happens in init
//
// A c-shared (reactor) module runs package initialisers in _initialize but
// never calls main.main, so handlers must be registered from init functions
// (or package-level variable initialisers). main must still exist and is
// left empty:
//
//	func init() {
//		sdk.AddTool(sdk.Tool{Name: "hello", Description: "Greets someone.",
//			InputSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}`)},
//			func(c *sdk.Call) (*sdk.Result, error) {
//				var in struct {
//					Name string `json:"name"`
//				}
//				if err := c.Bind(&in); err != nil {
//					return nil, err
//				}
//				return sdk.TextResult("Hello, " + in.Name + "!"), nil
//			})
//	}
//
//	func main() {}
//
// Registering (AddTool, AddPrompt, ...) at run time from inside a handler is
// allowed too; call NotifyToolListChanged (or its siblings) afterwards so the
// host re-reads the lists.
//
// # Errors
//
// A Go error returned by a tool handler becomes a CallToolResult with
// isError:true whose text is the error message, so the agent sees it and
// can correct itself. Errors from prompt, resource and completion handlers,
// unknown names and malformed host input fail the export at the Extism level
// (error_set and a non-zero return), which the host reports as a protocol
// error. Abort forces that behaviour for a tool call. A panic traps the
// instance; the host then discards it, so never rely on recovering.
//
// # Host functions
//
// Elicit, Sample, ListRoots, the Notify functions and Call.Progress and
// Call.Log use the MCP host functions that hyper-mcp and toolhost provide
// under the extism:host/user import module. Config reads Extism config
// (hyper-mcp's env_vars). Only the host functions a plugin actually calls are
// imported by the built module.
//
// # Concurrency
//
// A plugin instance runs one call at a time, so handlers need no locking.
// Globals persist between calls on one instance; how long an instance lives
// (per session, pooled, ...) is the host's choice.
//
// The package compiles for every GOOS so that plugin logic can be unit tested
// natively; outside wasip1 the host functions return ErrNoHost.
package sdk
