package nodeclients_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// progressSteps is how many notifications/progress the progress tool sends.
const progressSteps = 3

// slowOutcome is what the slow tool saw.
type slowOutcome struct {
	cancelled bool          // its ctx ended before slowLimit
	after     time.Duration // how long it ran
}

// slowLimit is how long the slow tool waits for cancellation.
const slowLimit = 10 * time.Second

// testServer is a small mcp-go server with the tools the Node clients need:
// echo, progress (3 notifications/progress), slow (runs until cancelled) and
// trigger (adds a tool, so the tool list changes).
type testServer struct {
	mcp   *server.MCPServer
	added atomic.Int64
	// slowDone receives one outcome per finished slow call.
	slowDone chan slowOutcome
}

func newTestServer() *testServer {
	ts := &testServer{slowDone: make(chan slowOutcome, 64)}
	s := server.NewMCPServer("nodeclients-test", "1.0.0", server.WithToolCapabilities(true), server.WithRecovery())
	ts.mcp = s

	s.AddTool(mcp.NewTool("echo",
		mcp.WithDescription("Returns its message."),
		mcp.WithString("message", mcp.Required(), mcp.Description("text to echo")),
	), func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		msg, err := req.RequireString("message")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return mcp.NewToolResultText("echo: " + msg), nil
	})

	s.AddTool(mcp.NewTool("progress",
		mcp.WithDescription(fmt.Sprintf("Sends %d progress notifications, then returns structuredContent.progressSteps.", progressSteps)),
		mcp.WithNumber("settleMs", mcp.Description("wait this long after the last notification before returning "+
			"(works around mcp-go v1.2.1 dropping it; see TestProgressDropRate)")),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var token mcp.ProgressToken
		if req.Params.Meta != nil {
			token = req.Params.Meta.ProgressToken
		}
		if token == nil {
			return mcp.NewToolResultError("no progressToken in _meta: call with a progress callback"), nil
		}
		for i := 1; i <= progressSteps; i++ {
			if i > 1 {
				time.Sleep(20 * time.Millisecond)
			}
			if err := server.ServerFromContext(ctx).SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{
				"progressToken": token,
				"progress":      i,
				"total":         progressSteps,
				"message":       fmt.Sprintf("step %d of %d", i, progressSteps),
			}); err != nil {
				return nil, fmt.Errorf("sending progress %d: %w", i, err)
			}
		}
		if settle := req.GetInt("settleMs", 0); settle > 0 {
			time.Sleep(time.Duration(settle) * time.Millisecond)
		}
		return mcp.NewToolResultStructured(map[string]any{"progressSteps": progressSteps},
			fmt.Sprintf("sent %d progress notifications", progressSteps)), nil
	})

	s.AddTool(mcp.NewTool("slow",
		mcp.WithDescription("Waits up to 10 s for the call to be cancelled."),
	), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		start := time.Now()
		t := time.NewTimer(slowLimit)
		defer t.Stop()
		select {
		case <-ctx.Done():
			ts.slowDone <- slowOutcome{cancelled: true, after: time.Since(start)}
			return nil, ctx.Err()
		case <-t.C:
			ts.slowDone <- slowOutcome{after: time.Since(start)}
			return mcp.NewToolResultText("slow finished without being cancelled"), nil
		}
	})

	s.AddTool(mcp.NewTool("trigger",
		mcp.WithDescription("Adds a new tool, which changes the tool list."),
	), func(_ context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		name := fmt.Sprintf("added_%d", ts.added.Add(1))
		s.AddTool(mcp.NewTool(name, mcp.WithDescription("Added by trigger.")),
			func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return mcp.NewToolResultText(name), nil
			})
		return mcp.NewToolResultText("added " + name), nil
	})
	return ts
}

// serveHTTP serves ts over stateful Streamable HTTP at <URL>/mcp until the
// test ends, and returns the endpoint URL.
func (ts *testServer) serveHTTP(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(ts.mcp, server.WithStateful(true)))
	httpSrv := httptest.NewServer(mux)
	t.Cleanup(httpSrv.Close)
	return httpSrv.URL + "/mcp"
}

// waitSlow returns the next slow-tool outcome, or an error after d.
func (ts *testServer) waitSlow(d time.Duration) (slowOutcome, error) {
	select {
	case o := <-ts.slowDone:
		return o, nil
	case <-time.After(d):
		return slowOutcome{}, errors.New("the slow tool neither finished nor saw its context end")
	}
}
