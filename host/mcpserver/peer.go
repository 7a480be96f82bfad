package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/toolhost/toolhost/host/abi"
	"github.com/toolhost/toolhost/host/plugin"
)

// peer is the plugin.Peer of one MCP request: what a guest asks of the
// client during that request goes to the request's own session and stream.
type peer struct {
	s      *Server
	plugin *plugin.Plugin
	token  mcp.ProgressToken // the request's progressToken, or nil
}

var _ plugin.Peer = (*peer)(nil)

func (p *peer) Progress(ctx context.Context, progress float64, total *float64, message string) {
	if p.token == nil {
		return // the client did not ask for progress
	}
	params := map[string]any{"progressToken": p.token, "progress": progress}
	if total != nil {
		params["total"] = *total
	}
	if message != "" {
		params["message"] = message
	}
	if p.sendOnRequestStream(ctx, mcp.MethodNotificationProgress, params) {
		return
	}
	if err := p.s.mcp.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), params); err != nil {
		p.s.log.Debug("progress not delivered", "plugin", p.plugin.Name(), "error", err)
		return
	}
	queued(ctx)
}

// queued records a notification queued for the request's scope, which
// awaitDelivery then waits for.
func queued(ctx context.Context) {
	if d := deliveryFrom(ctx); d != nil {
		d.queue()
	}
}

func (p *peer) Log(ctx context.Context, level, logger string, data json.RawMessage) {
	lvl := mcp.LoggingLevel(level)
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern &&
		(info.LogLevel == "" || !lvl.ShouldSendTo(info.LogLevel)) {
		return // the request did not ask for this level (2026-07-28: per-request _meta logLevel)
	}
	n := mcp.NewLoggingMessageNotification(lvl, logger, data)
	if !server.IsModernRequest(ctx) {
		if sl, ok := server.ClientSessionFromContext(ctx).(server.SessionWithLogging); ok && !lvl.ShouldSendTo(sl.GetLogLevel()) {
			return // below the level the session set with logging/setLevel
		}
		params := map[string]any{"level": lvl, "data": data}
		if logger != "" {
			params["logger"] = logger
		}
		if p.sendOnRequestStream(ctx, mcp.MethodNotificationMessage, params) {
			return
		}
	}
	if err := p.s.mcp.SendLogMessageToClient(ctx, n); err != nil {
		p.s.log.Debug("log message not delivered", "plugin", p.plugin.Name(), "error", err)
		return
	}
	queued(ctx)
}

func (p *peer) Elicit(ctx context.Context, params json.RawMessage) (json.RawMessage, error) {
	var ep mcp.ElicitationParams
	if err := json.Unmarshal(params, &ep); err != nil {
		return nil, fmt.Errorf("invalid elicitation request: %w", err)
	}
	res, err := p.s.mcp.RequestElicitation(ctx, mcp.ElicitationRequest{
		Request: mcp.Request{Method: string(mcp.MethodElicitationCreate)},
		Params:  ep,
	})
	if err != nil {
		return nil, fmt.Errorf("elicitation unavailable: %w", err)
	}
	return json.Marshal(res)
}

func (p *peer) CreateMessage(ctx context.Context, params json.RawMessage) (json.RawMessage, error) {
	var cp mcp.CreateMessageParams
	if err := json.Unmarshal(params, &cp); err != nil {
		return nil, fmt.Errorf("invalid sampling request: %w", err)
	}
	res, err := p.s.mcp.RequestSampling(ctx, mcp.CreateMessageRequest{
		Request:             mcp.Request{Method: string(mcp.MethodSamplingCreateMessage)},
		CreateMessageParams: cp,
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

func (p *peer) ListRoots(ctx context.Context) (json.RawMessage, error) {
	res, err := p.s.mcp.RequestRoots(ctx, mcp.ListRootsRequest{Request: mcp.Request{Method: string(mcp.MethodListRoots)}})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

func (p *peer) ResourceUpdated(_ context.Context, uri string) {
	exposed, _ := abi.NamespaceURI(p.plugin.Prefix(), uri)
	p.s.notifyResourceUpdated(exposed)
}

// Ask sends each question as a real server-to-client request (legacy
// sessions), concurrently, and returns the answers by key.
func (p *peer) Ask(ctx context.Context, requests map[string]plugin.InputRequest) (map[string]json.RawMessage, error) {
	type answer struct {
		key string
		raw json.RawMessage
		err error
	}
	ch := make(chan answer, len(requests))
	for key, r := range requests {
		go func() {
			var raw json.RawMessage
			var err error
			switch r.Method {
			case plugin.MethodElicit:
				raw, err = p.Elicit(ctx, r.Params)
			case plugin.MethodSample:
				raw, err = p.CreateMessage(ctx, r.Params)
			case plugin.MethodRoots:
				raw, err = p.ListRoots(ctx)
			default:
				err = fmt.Errorf("unsupported input method %q", r.Method)
			}
			ch <- answer{key, raw, err}
		}()
	}
	out := map[string]json.RawMessage{}
	var errs []error
	for range requests {
		a := <-ch
		if a.err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", a.key, a.err))
			continue
		}
		out[a.key] = a.raw
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// sendOnRequestStream writes a legacy request's notification on that
// request's own SSE response (see reqStream), and tells mcp-go the
// response is now an event stream so it sends the result there too. It
// reports false when the request has no such stream (stdio, stateless,
// or a client that accepts only JSON).
func (p *peer) sendOnRequestStream(ctx context.Context, method mcp.MCPMethod, params map[string]any) bool {
	rs := reqStreamFrom(ctx)
	if rs == nil || server.IsModernRequest(ctx) {
		return false
	}
	n := mcp.JSONRPCNotification{JSONRPC: mcp.JSONRPC_VERSION, Notification: mcp.Notification{
		Method: string(method), Params: mcp.NotificationParams{AdditionalFields: params}}}
	if err := rs.send(n); err != nil {
		p.s.log.Debug("notification not delivered", "plugin", p.plugin.Name(), "method", method, "error", err)
		return true
	}
	if cs, ok := server.ClientSessionFromContext(ctx).(server.SessionWithStreamableHTTPConfig); ok {
		cs.UpgradeToSSEWhenReceiveNotification()
	}
	return true
}
