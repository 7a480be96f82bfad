package mcpserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The guard runs in front of the real handler on a loopback server; the
// requests are legacy initializes, which succeed when the guard lets them
// through.
func TestOriginAndHostGuard(t *testing.T) {
	tests := []struct {
		name           string
		origin, host   string
		allowedOrigins []string
		allowedHosts   []string
		anyHost        bool
		want           int
	}{
		{name: "no origin, loopback host", want: 200},
		{name: "localhost origin", origin: "http://localhost:5173", want: 200},
		{name: "ipv6 loopback origin", origin: "http://[::1]:8080", want: 200},
		{name: "foreign origin", origin: "http://evil.example.com", want: 403},
		{name: "null origin", origin: "null", want: 403},
		{name: "file origin", origin: "file://", want: 403},
		{name: "allowed origin", origin: "https://app.example.com", allowedOrigins: []string{"https://App.example.com:443"}, want: 200},
		{name: "other origin with allow list", origin: "https://app.example.com.evil", allowedOrigins: []string{"https://app.example.com"}, want: 403},
		{name: "any origin", origin: "https://x.example", allowedOrigins: []string{"*"}, want: 200},
		{name: "rebinding host", host: "evil.example.com", want: 403},
		{name: "rebinding host and origin", host: "evil.example.com", origin: "http://evil.example.com", want: 403},
		{name: "localhost host", host: "localhost:1234", want: 200},
		{name: "allowed host", host: "mcp.internal:443", allowedHosts: []string{"MCP.internal"}, want: 200},
		{name: "host check off", host: "anything.example", anyHost: true, want: 200},
		{name: "host check off, origin still checked", host: "anything.example", origin: "http://evil.example.com", anyHost: true, want: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			srv := httptest.NewServer(s.HTTPHandler(HTTPOptions{AllowedOrigins: tt.allowedOrigins, AllowedHosts: tt.allowedHosts, DisableHostCheck: tt.anyHost}))
			defer srv.Close()
			body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/mcp", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
