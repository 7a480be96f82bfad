//go:build wasip1

package sdk

import (
	"fmt"

	"github.com/extism/go-pdk"
)

// The MCP host functions (plugin-abi §5). Parameters and results are
// offsets of Extism kernel memory blocks holding JSON. Each is reached from
// exactly one bridge method, so the linker imports only the functions a
// plugin can actually call.

//go:wasmimport toolhost:host/user request_input
func hostRequestInput(in uint64) uint64

//go:wasmimport extism:host/user create_elicitation
func hostCreateElicitation(in uint64) uint64

//go:wasmimport extism:host/user create_message
func hostCreateMessage(in uint64) uint64

//go:wasmimport extism:host/user list_roots
func hostListRoots() uint64

//go:wasmimport extism:host/user notify_logging_message
func hostNotifyLoggingMessage(in uint64)

//go:wasmimport extism:host/user notify_progress
func hostNotifyProgress(in uint64)

//go:wasmimport extism:host/user notify_tool_list_changed
func hostNotifyToolListChanged()

//go:wasmimport extism:host/user notify_prompt_list_changed
func hostNotifyPromptListChanged()

//go:wasmimport extism:host/user notify_resource_list_changed
func hostNotifyResourceListChanged()

//go:wasmimport extism:host/user notify_resource_updated
func hostNotifyResourceUpdated(in uint64)

// defaultBridge calls the real host.
type defaultBridge struct{}

// call passes payload (if any) in a kernel block to f and reads the JSON
// block it returns; both blocks are freed.
func call(name string, payload []byte, f func(uint64) uint64) ([]byte, error) {
	var in pdk.Memory
	if payload != nil {
		in = pdk.AllocateBytes(payload)
		defer in.Free()
	}
	off := f(in.Offset())
	if off == 0 {
		return nil, fmt.Errorf("sdk: host function %s returned no value", name)
	}
	out := pdk.FindMemory(off)
	defer out.Free()
	return out.ReadBytes(), nil
}

// send passes payload in a kernel block to f and frees it.
func send(payload []byte, f func(uint64)) {
	in := pdk.AllocateBytes(payload)
	defer in.Free()
	f(in.Offset())
}

func (defaultBridge) requestInput(req []byte) ([]byte, error) {
	return call("request_input", req, hostRequestInput)
}

func (defaultBridge) createElicitation(req []byte) ([]byte, error) {
	return call("create_elicitation", req, hostCreateElicitation)
}

func (defaultBridge) createMessage(req []byte) ([]byte, error) {
	return call("create_message", req, hostCreateMessage)
}

func (defaultBridge) listRoots() ([]byte, error) {
	return call("list_roots", nil, func(uint64) uint64 { return hostListRoots() })
}

func (defaultBridge) notifyLoggingMessage(msg []byte)  { send(msg, hostNotifyLoggingMessage) }
func (defaultBridge) notifyProgress(msg []byte)        { send(msg, hostNotifyProgress) }
func (defaultBridge) notifyResourceUpdated(msg []byte) { send(msg, hostNotifyResourceUpdated) }
func (defaultBridge) notifyToolListChanged()           { hostNotifyToolListChanged() }
func (defaultBridge) notifyPromptListChanged()         { hostNotifyPromptListChanged() }
func (defaultBridge) notifyResourceListChanged()       { hostNotifyResourceListChanged() }

func (defaultBridge) config(key string) (string, bool) { return pdk.GetConfig(key) }
