package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// RemoteOptions configure CallRemote.
type RemoteOptions struct {
	// ClientName and ClientVersion are reported to the server; defaults
	// "toolhost" and "dev".
	ClientName, ClientVersion string
}

// CallRemote calls tool on the MCP server at url (streamable HTTP; the
// client negotiates either protocol era) with args, a JSON object or nil,
// and returns the CallToolResult as MCP JSON. A tool that reports a failure
// (isError) is a result, not an error; a server that cannot be reached, an
// unknown tool or any other JSON-RPC error is an error. It is a one-shot
// client for the toolhost command (`toolhost call --url`): it answers no
// server-to-client requests (elicitation, sampling, roots).
func CallRemote(ctx context.Context, url, tool string, args json.RawMessage, opts RemoteOptions) (json.RawMessage, error) {
	if opts.ClientName == "" {
		opts.ClientName = "toolhost"
	}
	if opts.ClientVersion == "" {
		opts.ClientVersion = "dev"
	}
	c, err := client.NewStreamableHttpClient(url)
	if err != nil {
		return nil, fmt.Errorf("mcp server %s: %w", url, err)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return nil, fmt.Errorf("mcp server %s: %w", url, err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: opts.ClientName, Version: opts.ClientVersion}
	if _, err := c.Initialize(ctx, init); err != nil {
		return nil, fmt.Errorf("mcp server %s: initialize: %w", url, err)
	}
	var req mcp.CallToolRequest
	req.Params.Name = tool
	if len(args) > 0 {
		req.Params.Arguments = args
	}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("mcp server %s: tool %s: %w", url, tool, err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("mcp server %s: tool %s: encoding the result: %w", url, tool, err)
	}
	return out, nil
}
