package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/internal/testplugins"
)

// notes records the notifications a client receives.
type notes struct {
	mu   sync.Mutex
	list []mcp.JSONRPCNotification
	ch   chan struct{}
}

func watch(c *client.Client) *notes {
	n := &notes{ch: make(chan struct{}, 1000)}
	c.OnNotification(func(x mcp.JSONRPCNotification) {
		n.mu.Lock()
		n.list = append(n.list, x)
		n.mu.Unlock()
		n.ch <- struct{}{}
	})
	return n
}

func (n *notes) method(m string) []mcp.JSONRPCNotification {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []mcp.JSONRPCNotification
	for _, x := range n.list {
		if x.Method == m {
			out = append(out, x)
		}
	}
	return out
}

// waitFor waits until at least count notifications of method arrived.
func (n *notes) waitFor(t *testing.T, m string, count int, d time.Duration) []mcp.JSONRPCNotification {
	t.Helper()
	deadline := time.After(d)
	for {
		if got := n.method(m); len(got) >= count {
			return got
		}
		select {
		case <-n.ch:
		case <-deadline:
			t.Fatalf("waited %s for %d %s notifications, got %d", d, count, m, len(n.method(m)))
		}
	}
}

// transports runs f against one toolhost through every transport and era.
func transports(t *testing.T, f func(t *testing.T, mk func(opts ...client.ClientOption) *client.Client, era string)) {
	s := serve(t, testConfig(t))
	for _, era := range []string{legacy, modern} {
		t.Run("http-"+era, func(t *testing.T) {
			f(t, func(opts ...client.ClientOption) *client.Client { return connect(t, s.url, era, opts...) }, era)
		})
	}
	t.Run("stdio", func(t *testing.T) {
		bin := toolhostBinary(t)
		cfgPath := filepath.Join(t.TempDir(), "toolhost.yaml")
		if err := os.WriteFile(cfgPath, []byte(testConfig(t)), 0o600); err != nil {
			t.Fatal(err)
		}
		f(t, func(...client.ClientOption) *client.Client {
			c, err := client.NewStdioMCPClient(bin, os.Environ(), "serve", "--transport", "stdio", "--config", cfgPath, "--log-level", "warn")
			if err != nil {
				t.Fatal(err)
			}
			return initialize(t, c, legacy)
		}, legacy)
	})
}

func TestToolsListAndCall(t *testing.T) {
	transports(t, func(t *testing.T, mk func(...client.ClientOption) *client.Client, era string) {
		c := mk()
		ctx := context.Background()
		list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range list.Tools {
			names = append(names, tool.Name)
		}
		for _, want := range []string{"everything-echo", "everything-add", "everything-spin", "v1echo-echo", "v1echo-add", "v1echo-fail_rc"} {
			if !slices.Contains(names, want) {
				t.Errorf("tools/list lacks %s; got %v", want, names)
			}
		}
		tests := []struct {
			tool    string
			args    map[string]any
			want    string // substring of the text content
			isError bool
		}{
			{"everything-echo", map[string]any{"message": "hi " + era}, "hi " + era, false},
			{"everything-add", map[string]any{"a": 2, "b": 3.5}, "5.5", false},
			{"v1echo-echo", map[string]any{"message": "v1 says hi"}, "v1 says hi", false},
			{"v1echo-add", map[string]any{"a": 2, "b": 3}, "5", false},
			{"v1echo-fail_result", nil, "", true},
			{"v1echo-fail_rc", nil, "plugin[v1echo] tool[fail_rc]: the plugin reported an error", true},
			{"everything-error_result", nil, "", true},
			{"everything-error_rc", nil, "plugin[everything] tool[error_rc]: the plugin reported an error", true},
			{"everything-trap", nil, "plugin[everything] tool[trap]: the plugin crashed (wasm trap)", true},
			{"everything-bad_json", nil, "plugin[everything] tool[bad_json]: the plugin returned an invalid result", true},
			{"everything-big_output", map[string]any{"bytes": 300 << 10}, "exceeds runtime_config.max_output (256Ki)", true},
			{"everything-spin", nil, "plugin[everything] tool[spin]: stopped after runtime_config.timeout (3s)", true},
			// The host keeps serving after every failure above.
			{"everything-echo", map[string]any{"message": "still here"}, "still here", false},
		}
		for _, tt := range tests {
			res, err := c.CallTool(ctx, callArgs(tt.tool, tt.args))
			if err != nil {
				t.Errorf("%s: %v", tt.tool, err)
				continue
			}
			if res.IsError != tt.isError || !strings.Contains(text(res), tt.want) {
				t.Errorf("%s: isError=%v text=%q; want isError=%v containing %q", tt.tool, res.IsError, text(res), tt.isError, tt.want)
			}
		}
		res, err := c.CallTool(ctx, callArgs("everything-add", map[string]any{"a": 1, "b": 1}))
		if err != nil {
			t.Fatal(err)
		}
		if sc, _ := json.Marshal(res.StructuredContent); string(sc) != `{"sum":2}` {
			t.Errorf("structuredContent = %s, want {\"sum\":2}", sc)
		}
		if _, err := c.CallTool(ctx, callArgs("everything-nosuch", nil)); err == nil {
			t.Error("unknown tool: want a JSON-RPC error, got a result")
		}
		if _, err := c.CallTool(ctx, callArgs("nosuch-echo", nil)); err == nil {
			t.Error("unknown plugin: want a JSON-RPC error, got a result")
		}
		// Arguments that break the tool's input schema are an isError result.
		res, err = c.CallTool(ctx, callArgs("everything-echo", map[string]any{"message": 42}))
		if err != nil || !res.IsError {
			t.Errorf("schema-invalid arguments: want an isError result, got %+v, %v", res, err)
		}
	})
}

func TestPromptsResourcesCompletion(t *testing.T) {
	transports(t, func(t *testing.T, mk func(...client.ClientOption) *client.Client, era string) {
		c := mk()
		ctx := context.Background()
		prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		if err != nil || len(prompts.Prompts) != 1 || prompts.Prompts[0].Name != "everything-greet" {
			t.Fatalf("prompts/list = %+v, %v; want just everything-greet", prompts, err)
		}
		var gp mcp.GetPromptRequest
		gp.Params.Name = "everything-greet"
		gp.Params.Arguments = map[string]string{"name": "Ada", "style": "pirate"}
		got, err := c.GetPrompt(ctx, gp)
		if err != nil || len(got.Messages) == 0 {
			t.Fatalf("prompts/get: %+v, %v", got, err)
		}
		if tc, ok := got.Messages[0].Content.(mcp.TextContent); !ok || !strings.Contains(tc.Text, "Ada") {
			t.Errorf("prompt message = %+v, want text mentioning Ada", got.Messages[0].Content)
		}
		gp.Params.Name = "everything-nosuch"
		if _, err := c.GetPrompt(ctx, gp); err == nil {
			t.Error("unknown prompt: want an error")
		}

		resources, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var uris []string
		for _, r := range resources.Resources {
			uris = append(uris, r.URI)
		}
		slices.Sort(uris)
		if want := []string{"mem://static/everything/hello", "mem://static/everything/logo"}; !slices.Equal(uris, want) {
			t.Errorf("resources/list URIs = %v, want %v (plugin as first path segment)", uris, want)
		}
		read := func(uri string) []mcp.ResourceContents {
			var rr mcp.ReadResourceRequest
			rr.Params.URI = uri
			res, err := c.ReadResource(ctx, rr)
			if err != nil {
				t.Fatalf("resources/read %s: %v", uri, err)
			}
			return res.Contents
		}
		if tc, ok := read("mem://static/everything/hello")[0].(mcp.TextResourceContents); !ok || tc.URI != "mem://static/everything/hello" || tc.Text == "" {
			t.Errorf("text resource = %+v", tc)
		}
		if bc, ok := read("mem://static/everything/logo")[0].(mcp.BlobResourceContents); !ok || bc.Blob == "" {
			t.Errorf("binary resource = %+v", bc)
		}
		templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
		if err != nil || len(templates.ResourceTemplates) != 1 || templates.ResourceTemplates[0].URITemplate.Raw() != "mem://notes/everything/{id}" {
			t.Fatalf("templates = %+v, %v", templates, err)
		}
		if tc, ok := read("mem://notes/everything/42")[0].(mcp.TextResourceContents); !ok || !strings.Contains(tc.Text, "42") {
			t.Errorf("template resource = %+v", tc)
		}

		var cr mcp.CompleteRequest
		cr.Params.Ref = mcp.PromptReference{Type: "ref/prompt", Name: "everything-greet"}
		cr.Params.Argument.Name = "style"
		cr.Params.Argument.Value = "p"
		comp, err := c.Complete(ctx, cr)
		if err != nil || !slices.Equal(comp.Completion.Values, []string{"pirate"}) {
			t.Errorf("completion = %+v, %v; want [pirate]", comp, err)
		}
	})
}

func TestProgressAndLogging(t *testing.T) {
	transports(t, func(t *testing.T, mk func(...client.ClientOption) *client.Client, era string) {
		c := mk()
		n := watch(c)
		ctx := context.Background()
		req := callArgs("everything-progress", map[string]any{"steps": 3})
		req.Params.Meta = &mcp.Meta{ProgressToken: "tok-" + era}
		res, err := c.CallTool(ctx, req)
		if err != nil || res.IsError {
			t.Fatalf("progress tool: %+v, %v", res, err)
		}
		got := n.waitFor(t, "notifications/progress", 3, 5*time.Second)
		for i, x := range got {
			if x.Params.AdditionalFields["progressToken"] != "tok-"+era || x.Params.AdditionalFields["progress"] != float64(i+1) {
				t.Errorf("progress %d = %v, want token tok-%s progress %d", i, x.Params.AdditionalFields, era, i+1)
			}
		}
		// Without a progressToken, the guest's progress goes nowhere.
		if _, err := c.CallTool(ctx, callArgs("everything-progress", map[string]any{"steps": 2})); err != nil {
			t.Fatal(err)
		}
		if len(n.method("notifications/progress")) != 3 {
			t.Errorf("progress without a token was delivered: %d notifications", len(n.method("notifications/progress")))
		}

		var lvl mcp.SetLevelRequest
		lvl.Params.Level = mcp.LoggingLevelInfo
		if err := c.SetLevel(ctx, lvl); err != nil {
			t.Fatal(err)
		}
		for _, level := range []string{"debug", "warning"} {
			if _, err := c.CallTool(ctx, callArgs("everything-log", map[string]any{"level": level, "message": "from " + level})); err != nil {
				t.Fatal(err)
			}
		}
		logs := n.waitFor(t, "notifications/message", 1, 5*time.Second)
		if len(logs) != 1 || logs[0].Params.AdditionalFields["level"] != "warning" {
			t.Errorf("log notifications = %+v; want only the warning (debug is below the client's level)", logs)
		}
	})
}

func TestCancellation(t *testing.T) {
	s := serve(t, testConfig(t))
	for _, era := range []string{legacy, modern} {
		t.Run(era, func(t *testing.T) {
			c := connect(t, s.url, era)
			// A first call, so that the plugin is compiled (a warm start
			// compiles on first use) and the session has its instance:
			// what is cancelled below is guest code.
			if _, err := c.CallTool(context.Background(), callArgs("everything-echo", map[string]any{"message": "warm"})); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.CallTool(ctx, callArgs("everything-spin", nil))
			if err == nil {
				t.Fatal("cancelled call returned a result")
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("cancelled call took %s", d)
			}
			// The guest is really stopped: the host logs the cancellation
			// well before the 3 s timeout would have fired.
			deadline := time.Now().Add(2 * time.Second)
			for !strings.Contains(s.logs.String(), "cancelled by the client") {
				if time.Now().After(deadline) {
					t.Fatalf("host never logged the cancellation; logs:\n%s", s.logs.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			res, err := c.CallTool(context.Background(), callArgs("everything-echo", map[string]any{"message": "after cancel"}))
			if err != nil || text(res) != "after cancel" {
				t.Fatalf("after cancel: %+v, %v", res, err)
			}
		})
	}
}

func TestListChanged(t *testing.T) {
	s := serve(t, testConfig(t))
	for _, era := range []string{legacy, modern} {
		t.Run(era, func(t *testing.T) {
			c := connect(t, s.url, era)
			n := watch(c)
			if era == modern {
				stop, err := c.ListenAsync(context.Background(), mcp.SubscriptionFilter{ToolsListChanged: true}, func(err error) { t.Errorf("listen: %v", err) })
				if err != nil {
					t.Fatal(err)
				}
				defer stop()
				n.waitFor(t, "notifications/subscriptions/acknowledged", 1, 5*time.Second)
			}
			name := "dyn_" + strings.ReplaceAll(era, "-", "")
			res, err := c.CallTool(context.Background(), callArgs("everything-add_tool", map[string]any{"name": name}))
			if err != nil || res.IsError {
				t.Fatalf("add_tool: %+v, %v", res, err)
			}
			n.waitFor(t, "notifications/tools/list_changed", 1, 5*time.Second)
			list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, tool := range list.Tools {
				found = found || tool.Name == "everything-"+name
			}
			if !found {
				t.Errorf("tools/list after list_changed lacks everything-%s", name)
			}
		})
	}
}

func TestClientRequestsLegacy(t *testing.T) {
	s := serve(t, testConfig(t))
	elicit := client.WithElicitationHandler(elicitFunc(func(_ context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept,
			Content: map[string]any{"answer": "yes to " + r.Params.Message}}}, nil
	}))
	sample := client.WithSamplingHandler(sampleFunc(func(_ context.Context, r mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
		return &mcp.CreateMessageResult{SamplingMessage: mcp.SamplingMessage{Role: mcp.RoleAssistant, Content: mcp.TextContent{Type: "text", Text: "sampled!"}}, Model: "test-model"}, nil
	}))
	roots := client.WithRootsHandler(rootsFunc(func(context.Context, mcp.ListRootsRequest) (*mcp.ListRootsResult, error) {
		return &mcp.ListRootsResult{Roots: []mcp.Root{{URI: "file:///work/project", Name: "project"}}}, nil
	}))
	c := connect(t, s.url, legacy, elicit, sample, roots)
	ctx := context.Background()
	for _, tt := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"everything-sample", map[string]any{"prompt": "hello"}, "sampled!"},
		{"everything-elicit", map[string]any{"message": "proceed?"}, "yes to proceed?"},
		{"everything-roots", nil, "file:///work/project"},
	} {
		res, err := c.CallTool(ctx, callArgs(tt.tool, tt.args))
		if err != nil || res.IsError || !strings.Contains(text(res), tt.want) {
			t.Errorf("%s: %q isError=%v err=%v; want text containing %q", tt.tool, text(res), res != nil && res.IsError, err, tt.want)
		}
	}
	// A client without those capabilities gets the documented fallbacks:
	// elicitation declines, roots are empty, sampling reports an error the
	// guest can read; none of them traps the plugin.
	plain := connect(t, s.url, legacy)
	for _, tt := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"everything-elicit", map[string]any{"message": "m"}, "decline"},
		{"everything-roots", nil, "no roots"},
		{"everything-sample", map[string]any{"prompt": "p"}, "sampling"},
	} {
		res, err := plain.CallTool(ctx, callArgs(tt.tool, tt.args))
		if err != nil || !strings.Contains(text(res), tt.want) {
			t.Errorf("%s without capability: %q, %v; want %q", tt.tool, text(res), err, tt.want)
		}
	}
}

type elicitFunc func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error)

func (f elicitFunc) Elicit(ctx context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return f(ctx, r)
}

type sampleFunc func(context.Context, mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error)

func (f sampleFunc) CreateMessage(ctx context.Context, r mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
	return f(ctx, r)
}

type rootsFunc func(context.Context, mcp.ListRootsRequest) (*mcp.ListRootsResult, error)

func (f rootsFunc) ListRoots(ctx context.Context, r mcp.ListRootsRequest) (*mcp.ListRootsResult, error) {
	return f(ctx, r)
}

// Each legacy session gets its own instance, so guest globals are per
// session; a pooled plugin shares state between sessions instead.
func TestInstanceScopes(t *testing.T) {
	s := serve(t, testConfig(t)+fmt.Sprintf(`
  pooled:
    url: file://%s
    runtime_config:
      instances: pooled
      max_concurrency: 1
`, testplugins.Test(t, "everything")))
	count := func(c *client.Client, tool string) string {
		res, err := c.CallTool(context.Background(), callArgs(tool, nil))
		if err != nil || res.IsError {
			t.Fatalf("%s: %+v, %v", tool, res, err)
		}
		return text(res)
	}
	a, b := connect(t, s.url, legacy), connect(t, s.url, legacy)
	got := []string{count(a, "everything-counter"), count(a, "everything-counter"), count(b, "everything-counter")}
	if !slices.Equal(got, []string{"1", "2", "1"}) {
		t.Errorf("per-session counters = %v, want [1 2 1]", got)
	}
	got = []string{count(a, "pooled-counter"), count(b, "pooled-counter")}
	if !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("pooled counters = %v, want [1 2] (one shared instance)", got)
	}
}

// mcp-go v1.2.1 can drop a request's last notification when it is sent
// right before the result. toolhost works around it (RATIONALE.md, "Why is
// every progress notification delivered?"); this runs the worst case, no
// delay at all, many times in both eras and demands every notification
// before the result. Legacy runs with and without a GET stream open: with
// one, mcp-go would let that stream take a request's notification.
func TestProgressLastNotificationDelivered(t *testing.T) {
	s := serve(t, testConfig(t))
	for _, tc := range []struct {
		era       string
		getStream bool
	}{{legacy, false}, {legacy, true}, {modern, false}} {
		era := tc.era
		t.Run(fmt.Sprintf("%s/get-stream=%v", era, tc.getStream), func(t *testing.T) {
			c := connectStreams(t, s.url, era, tc.getStream)
			n := watch(c)
			const runs, steps = 50, 3
			for i := range runs {
				req := callArgs("everything-progress", map[string]any{"steps": steps, "delay_ms": 0})
				token := fmt.Sprintf("run-%d", i)
				req.Params.Meta = &mcp.Meta{ProgressToken: token}
				if res, err := c.CallTool(context.Background(), req); err != nil || res.IsError {
					t.Fatalf("run %d: %+v, %v", i, res, err)
				}
				got := 0
				for _, x := range n.method("notifications/progress") {
					if x.Params.AdditionalFields["progressToken"] == token {
						got++
					}
				}
				if got != steps {
					t.Errorf("run %d: the client saw %d of %d progress notifications before the result", i, got, steps)
				}
			}
		})
	}
}

// A 2026-07-28 client has no server-to-client requests: a guest's
// elicitation, sampling and roots requests become input_required results,
// the client answers on retry (mcp-go's client does this itself), and the
// parked guest carries on with the answer.
func TestClientRequestsModern(t *testing.T) {
	s := serve(t, testConfig(t))
	elicit := client.WithElicitationHandler(elicitFunc(func(_ context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept,
			Content: map[string]any{"answer": "modern yes to " + r.Params.Message}}}, nil
	}))
	sample := client.WithSamplingHandler(sampleFunc(func(_ context.Context, r mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
		return &mcp.CreateMessageResult{SamplingMessage: mcp.SamplingMessage{Role: mcp.RoleAssistant, Content: mcp.TextContent{Type: "text", Text: "modern sampled"}}, Model: "m"}, nil
	}))
	roots := client.WithRootsHandler(rootsFunc(func(context.Context, mcp.ListRootsRequest) (*mcp.ListRootsResult, error) {
		return &mcp.ListRootsResult{Roots: []mcp.Root{{URI: "file:///modern/root", Name: "r"}}}, nil
	}))
	c := connect(t, s.url, modern, elicit, sample, roots)
	ctx := context.Background()
	for _, tt := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"everything-elicit", map[string]any{"message": "go on?"}, "modern yes to go on?"},
		{"everything-sample", map[string]any{"prompt": "hi"}, "modern sampled"},
		{"everything-roots", nil, "file:///modern/root"},
	} {
		res, err := c.CallTool(ctx, callArgs(tt.tool, tt.args))
		if err != nil || res.IsError || !strings.Contains(text(res), tt.want) {
			t.Errorf("%s: %v, %v; want text containing %q", tt.tool, res, err, tt.want)
		}
	}
}
