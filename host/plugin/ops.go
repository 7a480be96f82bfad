package plugin

import (
	"context"
	"encoding/json"

	"github.com/toolhost/toolhost/host/abi"
)

// CallTool calls a tool by its plugin-local name and returns the result as
// canonical MCP CallToolResult JSON. A guest that reports a tool failure
// itself ({"isError":true,...}) is a successful call; a trap, a timeout, a
// guest error status or an output that is not a CallToolResult is a
// *CallError.
func (p *Plugin) CallTool(ctx context.Context, req Request, name string, args json.RawMessage) ([]byte, error) {
	var export string
	var input []byte
	if p.version == abi.V1 {
		export, input = abi.ExportCall, abi.V1CallInput(name, args)
	} else {
		export, input = abi.ExportCallTool, abi.CallToolInput(req.context(), name, args)
	}
	if !p.exports[export] {
		return nil, &CallError{Plugin: p.name, Tool: name, Kind: Unavailable, Msg: "the plugin does not export " + export}
	}
	out, err := p.Call(ctx, req, export, name, input)
	if err != nil {
		return nil, err
	}
	res, err := abi.NormaliseCallToolResult(out)
	if err != nil {
		return nil, &CallError{Plugin: p.name, Export: export, Tool: name, Kind: BadOutput, Err: err,
			Msg: "the plugin returned an invalid result: " + err.Error()}
	}
	return res, nil
}

// GetPrompt renders a prompt (plugin-local name) and returns canonical MCP
// GetPromptResult JSON.
func (p *Plugin) GetPrompt(ctx context.Context, req Request, name string, args map[string]string) ([]byte, error) {
	out, err := p.callV2(ctx, req, abi.ExportGetPrompt, abi.GetPromptInput(req.context(), name, args))
	if err != nil {
		return nil, err
	}
	res, err := abi.NormaliseGetPromptResult(out)
	if err != nil {
		return nil, p.badOutput(abi.ExportGetPrompt, err)
	}
	return res, nil
}

// ReadResource reads a plugin-local URI and returns canonical MCP
// ReadResourceResult JSON (with plugin-local URIs in it).
func (p *Plugin) ReadResource(ctx context.Context, req Request, uri string) ([]byte, error) {
	out, err := p.callV2(ctx, req, abi.ExportReadResource, abi.ReadResourceInput(req.context(), uri))
	if err != nil {
		return nil, err
	}
	res, err := abi.NormaliseReadResourceResult(out)
	if err != nil {
		return nil, p.badOutput(abi.ExportReadResource, err)
	}
	return res, nil
}

// Complete asks the plugin for argument completions. A plugin without a
// complete export has none.
func (p *Plugin) Complete(ctx context.Context, req Request, ref abi.CompletionRef, arg, value string, ctxArgs map[string]string) (abi.Completion, error) {
	if !p.exports[abi.ExportComplete] {
		return abi.Completion{Values: []string{}}, nil
	}
	out, err := p.Call(ctx, req, abi.ExportComplete, "", abi.CompleteInput(req.context(), ref, arg, value, ctxArgs))
	if err != nil {
		return abi.Completion{}, err
	}
	c, err := abi.DecodeCompletion(out)
	if err != nil {
		return abi.Completion{}, p.badOutput(abi.ExportComplete, err)
	}
	return c, nil
}

// RootsListChanged tells the plugin the client's roots changed. It is
// fire-and-forget (hyper-mcp never managed to call it; see plugin-abi.md
// §10.5): errors are logged, never returned.
func (p *Plugin) RootsListChanged(ctx context.Context, req Request) {
	if !p.exports[abi.ExportOnRootsListChanged] {
		return
	}
	if _, err := p.Call(ctx, req, abi.ExportOnRootsListChanged, "", abi.RootsListChangedInput()); err != nil {
		p.log.Warn("on_roots_list_changed failed", "error", err)
	}
}

func (p *Plugin) callV2(ctx context.Context, req Request, export string, input []byte) ([]byte, error) {
	if !p.exports[export] {
		return nil, &CallError{Plugin: p.name, Export: export, Kind: Unavailable, Msg: "the plugin does not export " + export}
	}
	return p.Call(ctx, req, export, "", input)
}

func (p *Plugin) badOutput(export string, err error) error {
	return &CallError{Plugin: p.name, Export: export, Kind: BadOutput, Err: err, Msg: "the plugin returned an invalid result: " + err.Error()}
}
