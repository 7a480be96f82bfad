package bench

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// EchoSchema is the input schema of the echo tool, the same in the guest
// (plugins/test/benchguest) and in the native baseline.
var EchoSchema = json.RawMessage(`{"type":"object","properties":{"message":{"type":"string"}},"required":["message"],"additionalProperties":false}`)

// NativeServer is the baseline of P1 and P3: a plain mcp-go server with the
// echo tool implemented in Go, in process. With toolhostOptions it also
// turns on the server options toolhost's front uses (input schema
// validation, recovery, hooks, an event store), to separate their cost from
// the cost of running the tool in wasm.
func NativeServer(toolhostOptions bool) *server.MCPServer {
	opts := []server.ServerOption{server.WithToolCapabilities(true)}
	if toolhostOptions {
		hooks := &server.Hooks{}
		hooks.AddOnUnregisterSession(func(context.Context, server.ClientSession) {})
		opts = append(opts,
			server.WithPromptCapabilities(true),
			server.WithResourceCapabilities(true, true),
			server.WithCompletions(),
			server.WithLogging(),
			server.WithElicitation(),
			server.WithRoots(),
			server.WithHooks(hooks),
			server.WithRecovery(),
			server.WithResourceRecovery(),
			server.WithInputSchemaValidation(),
		)
	}
	s := server.NewMCPServer("native", "1", opts...)
	s.AddTool(mcp.NewToolWithRawSchema("echo", "Echo the message back.", EchoSchema),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("message", "")), nil
		})
	return s
}

// NativeHandler serves s over streamable HTTP at /mcp, stateful (legacy
// session ids are validated) as toolhost's front is.
func NativeHandler(s *server.MCPServer, toolhostOptions bool) http.Handler {
	opts := []server.StreamableHTTPOption{server.WithEndpointPath("/mcp"), server.WithStateful(true)}
	if toolhostOptions {
		opts = append(opts, server.WithEventStore(server.NewInMemoryEventStore()))
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(s, opts...))
	return mux
}
