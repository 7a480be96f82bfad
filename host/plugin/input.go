package plugin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/toolhost/toolhost/host/internal/engine"
)

// ToolhostNamespace holds toolhost's own host functions, beyond hyper-mcp's
// (which stay in UserNamespace). A plugin that imports them runs only under
// toolhost.
const ToolhostNamespace = "toolhost:host/user"

// InputRequest is one question a guest asks the client: an MCP method
// ("elicitation/create", "sampling/createMessage" or "roots/list") and its
// params.
type InputRequest struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params,omitempty"`
}

// Input methods a guest may ask for.
const (
	MethodElicit = "elicitation/create"
	MethodSample = "sampling/createMessage"
	MethodRoots  = "roots/list"
)

// maxInputRequests caps the questions in one request_input call.
const maxInputRequests = 16

// toolhostFunctions are the host functions in ToolhostNamespace.
func (p *Plugin) toolhostFunctions() []hostFunc {
	return []hostFunc{{module: ToolhostNamespace, name: "request_input", params: ptr, results: ptr, fn: p.hostRequestInput}}
}

// ToolhostFunctionNames lists the toolhost:host/user functions.
func ToolhostFunctionNames() []string { return []string{"request_input"} }

// hostRequestInput asks the client several named questions at once:
//
//	in:  {"requests": {"<key>": {"method": "elicitation/create", "params": {...}}, ...}}
//	out: {"responses": {"<key>": <the client's result>, ...}}  or  {"error": "..."}
//
// The keys are the guest's: in the 2026-07-28 era they become the keys of
// the input_required result's inputRequests, and all questions go to the
// client in one round. Legacy sessions send one real request per question,
// concurrently. Like the hyper-mcp functions, a failure is a value the
// guest reads, never a trap.
func (p *Plugin) hostRequestInput(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	fail := func(msg string) {
		b, _ := json.Marshal(map[string]string{"error": msg})
		stack[0] = p.writeOutput(ctx, cp, b, "request_input")
	}
	in := p.readInput(ctx, cp, stack[0], "request_input")
	reqs, err := decodeInputRequests(in)
	if err != nil {
		fail(err.Error())
		return
	}
	_, peer := p.peer(ctx)
	responses, err := peer.Ask(ctx, reqs)
	if err != nil {
		fail(err.Error())
		return
	}
	b, err := json.Marshal(map[string]any{"responses": responses})
	if err != nil {
		fail(err.Error())
		return
	}
	stack[0] = p.writeOutput(ctx, cp, b, "request_input")
}

// decodeInputRequests validates request_input's input, which comes from
// the guest (untrusted).
func decodeInputRequests(in []byte) (map[string]InputRequest, error) {
	var msg struct {
		Requests map[string]InputRequest `json:"requests"`
	}
	if err := json.Unmarshal(in, &msg); err != nil {
		return nil, fmt.Errorf("invalid request_input input: %v", err)
	}
	if len(msg.Requests) == 0 {
		return nil, fmt.Errorf("request_input needs at least one request")
	}
	if len(msg.Requests) > maxInputRequests {
		return nil, fmt.Errorf("request_input takes at most %d requests, got %d", maxInputRequests, len(msg.Requests))
	}
	for key, r := range msg.Requests {
		if key == "" || len(key) > 128 {
			return nil, fmt.Errorf("request_input: keys must be 1 to 128 characters")
		}
		switch r.Method {
		case MethodElicit, MethodSample:
			if !json.Valid(r.Params) {
				return nil, fmt.Errorf("request_input: %q (%s) needs JSON params", key, r.Method)
			}
		case MethodRoots:
		default:
			return nil, fmt.Errorf("request_input: %q asks for %q; use %s, %s or %s", key, r.Method, MethodElicit, MethodSample, MethodRoots)
		}
	}
	return msg.Requests, nil
}
