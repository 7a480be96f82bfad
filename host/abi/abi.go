package abi

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Export names of the V1 (mcp.run servlet) ABI.
const (
	ExportDescribe = "describe"
	ExportCall     = "call"
)

// CommandInput turns a V2 export's input into a command plugin's stdin:
// the same JSON object with "method" set to the export name.
func CommandInput(export string, input []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(input, &m); err != nil || m == nil {
		return nil, fmt.Errorf("input of %s is not a JSON object", export)
	}
	m["method"], _ = json.Marshal(export)
	return json.Marshal(m)
}

// Export names of the V2 (hyper-mcp) ABI.
const (
	ExportListTools             = "list_tools"
	ExportCallTool              = "call_tool"
	ExportListPrompts           = "list_prompts"
	ExportGetPrompt             = "get_prompt"
	ExportListResources         = "list_resources"
	ExportListResourceTemplates = "list_resource_templates"
	ExportReadResource          = "read_resource"
	ExportComplete              = "complete"
	ExportOnRootsListChanged    = "on_roots_list_changed"
)

// Exports a reactor module uses for runtime initialisation.
const (
	ExportInitialize = "_initialize"
	ExportStart      = "_start"
)

// Version is a plugin ABI generation.
type Version int

const (
	// V1 is the mcp.run servlet ABI (describe/call).
	V1 Version = 1
	// V2 is the hyper-mcp ABI (list_tools/call_tool/...).
	V2 Version = 2
	// Command is a plain WASI command module: each call runs _start with a
	// V2 input on stdin, extended with "method" (the V2 export name), and
	// reads the V2 output from stdout. No Extism kit is needed.
	Command Version = 3
)

func (v Version) String() string {
	switch v {
	case V1:
		return "v1 (describe/call)"
	case V2:
		return "v2 (list_tools/call_tool)"
	case Command:
		return "wasi command (JSON on stdin/stdout)"
	}
	return fmt.Sprintf("unknown(%d)", int(v))
}

// Detect picks the ABI from a module's exported function names, using the
// reference host's rule: V1 when both call and describe exist (V1 wins when
// both sets exist), otherwise V2 when list_tools exists.
//
// Unlike the reference host, a module with neither is an error rather than
// an empty plugin, and a command module (_start without _initialize) is
// called out, since Extism never runs _start and every call would trap.
func Detect(exports []string) (Version, error) {
	has := func(name string) bool { return slices.Contains(exports, name) }
	switch {
	case has(ExportCall) && has(ExportDescribe):
		return V1, nil
	case has(ExportListTools):
		return V2, nil
	case has(ExportStart) && !has(ExportInitialize):
		return 0, fmt.Errorf("module is a WASI command (exports _start, not _initialize) and has no plugin exports: " +
			"build standard Go plugins with -buildmode=c-shared and mark exports with //go:wasmexport")
	case has(ExportInitialize) && len(exports) <= 2:
		return 0, fmt.Errorf("module exports no plugin functions (only %v): standard Go needs //go:wasmexport "+
			"(TinyGo's //export is ignored); export list_tools and call_tool (V2) or describe and call (V1)", exports)
	}
	return 0, fmt.Errorf("module exports neither list_tools (V2 ABI) nor describe+call (V1 ABI); it exports %v", exports)
}
