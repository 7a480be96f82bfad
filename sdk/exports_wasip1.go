//go:build wasip1

package sdk

import "github.com/extism/go-pdk"

// The V2 exports. Each reads the Extism input, dispatches, and either writes
// the JSON output and returns 0, or sets the Extism error and returns 1.

//go:wasmexport list_tools
func wasmListTools() int32 { return run(exportListTools) }

//go:wasmexport call_tool
func wasmCallTool() int32 { return run(exportCallTool) }

//go:wasmexport list_prompts
func wasmListPrompts() int32 { return run(exportListPrompts) }

//go:wasmexport get_prompt
func wasmGetPrompt() int32 { return run(exportGetPrompt) }

//go:wasmexport list_resources
func wasmListResources() int32 { return run(exportListResources) }

//go:wasmexport list_resource_templates
func wasmListResourceTemplates() int32 { return run(exportListResourceTemplates) }

//go:wasmexport read_resource
func wasmReadResource() int32 { return run(exportReadResource) }

//go:wasmexport complete
func wasmComplete() int32 { return run(exportComplete) }

//go:wasmexport on_roots_list_changed
func wasmOnRootsListChanged() int32 { return run(exportOnRootsListChanged) }

func run(export string) int32 {
	out, err := dispatch(export, pdk.Input())
	if err != nil {
		pdk.SetErrorString(err.Error())
		return 1
	}
	if out != nil {
		pdk.Output(out)
	}
	return 0
}
