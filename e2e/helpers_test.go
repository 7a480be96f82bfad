package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// Protocol eras a client can speak.
const (
	legacy = "2025-11-25"
	modern = "2026-07-28"
)

// testConfig is the configuration most tests serve: the V2 "everything"
// test plugin (short timeout, small max_output, per-session instances) and
// the V1 servlet.
func testConfig(t testing.TB) string {
	return fmt.Sprintf(`
plugins:
  everything:
    url: file://%s
    runtime_config:
      timeout: 3s
      max_output: 256Ki
      max_concurrency: 4
  v1echo:
    url: file://%s
`, testplugins.Test(t, "everything"), testplugins.Test(t, "v1echo"))
}

// logBuffer collects the host's structured logs for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type served struct {
	host *host.Host
	url  string
	logs *logBuffer
}

// serve starts toolhost in process with the YAML config on a loopback HTTP
// server and returns its MCP URL. Everything stops with the test.
func serve(t testing.TB, yaml string) *served {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg, err := config.Parse([]byte(yaml), config.YAML, config.Options{LookupEnv: os.LookupEnv, BaseDir: t.TempDir()})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &logBuffer{}
	h, err := host.New(ctx, cfg, host.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatalf("host.New: %v", err)
	}
	srv := httptest.NewServer(h.HTTPHandler(host.HTTPOptions{}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("host log:\n%s", logs.String())
		}
		srv.Close()
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("host.Close: %v", err)
		}
	})
	return &served{host: h, url: srv.URL + "/mcp", logs: logs}
}

// connect opens an mcp-go client session speaking the given protocol era.
// A legacy client also opens the GET stream, as most clients do.
func connect(t testing.TB, url, era string, opts ...client.ClientOption) *client.Client {
	t.Helper()
	return connectStreams(t, url, era, era == legacy, opts...)
}

// connectStreams is connect with the legacy GET stream optional.
func connectStreams(t testing.TB, url, era string, getStream bool, opts ...client.ClientOption) *client.Client {
	t.Helper()
	var topts []transport.StreamableHTTPCOption
	if getStream {
		// Legacy list_changed and resource updates arrive on the GET stream.
		topts = append(topts, transport.WithContinuousListening())
	}
	tr, err := transport.NewStreamableHTTP(url, topts...)
	if err != nil {
		t.Fatal(err)
	}
	return initialize(t, client.NewClient(tr, append([]client.ClientOption{client.WithProtocolVersion(era)}, opts...)...), era)
}

func initialize(t testing.TB, c *client.Client, era string) *client.Client {
	t.Helper()
	// Start's context lives as long as the client: the legacy GET stream
	// (list_changed, sampling, roots) runs under it.
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = era
	req.Params.ClientInfo = mcp.Implementation{Name: "toolhost-e2e", Version: "1"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize (%s): %v", era, err)
	}
	if res.ProtocolVersion != era {
		t.Fatalf("negotiated protocol %q, want %q", res.ProtocolVersion, era)
	}
	return c
}

// binary builds cmd/toolhost once per test process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "toolhost-e2e-bin")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "toolhost")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/toolhost")
	cmd.Dir = repoRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/toolhost: %v\n%s", err, b)
	}
	return out, nil
})

var repoRoot string

func toolhostBinary(t testing.TB) string {
	t.Helper()
	repoRoot = testplugins.RepoRoot(t)
	b, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func callArgs(name string, args map[string]any) mcp.CallToolRequest {
	var r mcp.CallToolRequest
	r.Params.Name = name
	r.Params.Arguments = args
	return r
}

// text returns the concatenated text of a result: text content and the
// text of embedded text resources.
func text(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		switch c := c.(type) {
		case mcp.TextContent:
			b.WriteString(c.Text)
		case mcp.EmbeddedResource:
			if tr, ok := c.Resource.(mcp.TextResourceContents); ok {
				b.WriteString(tr.Text)
			}
		}
	}
	return b.String()
}
