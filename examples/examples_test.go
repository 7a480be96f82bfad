package examples_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/bundled"
	"github.com/toolhost/toolhost/internal/testplugins"
)

// env is the environment the examples are loaded with: the variables they
// require and nothing else, so that every ${NAME:-default} takes its default.
var env = map[string]string{
	"GITHUB_TOKEN":    "ghp_example",
	"EXAMPLE_API_KEY": "example-key",
}

func lookupEnv(k string) (string, bool) { v, ok := env[k]; return v, ok }

// The tests compile through the default cache (host.Options.CacheDir ""),
// as the e2e tests do: the four bundled plugins are then compiled once, not
// once per run.

// start loads the example config file and starts a Host on it.
func start(t *testing.T, file string) (*config.Config, *host.Host) {
	t.Helper()
	cfg, err := config.Load(file, config.Options{LookupEnv: lookupEnv})
	if err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	if len(cfg.Warnings) > 0 {
		t.Errorf("%s has warnings:\n%s", file, strings.Join(cfg.Warnings, "\n"))
	}
	open := bundled.Open
	if len(bundled.Names()) == 0 {
		// A checkout without `go generate`: build the same plugins from
		// plugins/<name> instead of failing.
		t.Logf(`bundled plugins not embedded (run "go generate ./internal/bundled"); building them from plugins/`)
		open = func(name string) ([]byte, error) {
			if !slices.Contains(bundled.FirstParty(), name) {
				return nil, fmt.Errorf("unknown bundled plugin %q", name)
			}
			return os.ReadFile(testplugins.Plugin(t, name))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := host.New(ctx, cfg, host.Options{Bundled: open})
	if err != nil {
		t.Fatalf("starting %s: %v", file, err)
	}
	t.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return cfg, h
}

func wantTools(t *testing.T, h *host.Host, want ...string) {
	t.Helper()
	if got := h.Tools(); !slices.Equal(got, want) {
		t.Errorf("tools = %v\nwant    %v", got, want)
	}
}

func TestHyperMCPExample(t *testing.T) {
	cfg, h := start(t, "hyper-mcp.yaml")
	// hash-hmac is hidden by skip_tools; the plugin names are the prefixes.
	wantTools(t, h, "fetch-fetch", "files-list_dir", "files-read_file", "hash-digest", "time-add", "time-convert", "time-now")

	fetch := cfg.Plugin("fetch").Runtime
	if fetch.EnvVars["API_KEY"] != "example-key" || fetch.EnvVars["USER_AGENT"] != "toolhost-example/1" {
		t.Errorf("fetch env_vars = %v: want ${EXAMPLE_API_KEY} expanded and USER_AGENT's default", fetch.EnvVars)
	}
	if !slices.Equal(fetch.AllowedHosts, []string{"example.com", "*.example.com"}) || fetch.MemoryLimit.String() != "128Mi" {
		t.Errorf("fetch runtime_config = %+v", fetch)
	}
	abs, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	files := cfg.Plugin("files").Runtime.AllowedPaths
	if len(files) != 1 || files[0] != (config.Mount{Host: abs, Guest: "/docs", ReadOnly: true}) {
		t.Errorf("files allowed_paths = %+v, want examples/ read-only at /docs", files)
	}
	if cfg.Plugin("time").Location.URL != "bundled://clock" {
		t.Errorf("time url = %s", cfg.Plugin("time").Location.URL)
	}
}

func TestToolhostExample(t *testing.T) {
	cfg, h := start(t, "toolhost.yaml")
	// clock is prefixed time, hash has no prefix, fetch runs as github.
	wantTools(t, h, "digest", "files-list_dir", "files-read_file", "github-fetch", "hmac", "time-add", "time-convert", "time-now")

	clock := cfg.Plugin("clock").Runtime
	if clock.Timeout != 5*time.Second || clock.Instances != config.Pooled || clock.MaxConcurrency != 16 {
		t.Errorf("clock runtime_config = %+v", clock)
	}
	if p := cfg.Plugin("hash").Runtime; p.Prefix == nil || *p.Prefix != "" || p.MaxOutput.String() != "64Ki" {
		t.Errorf("hash runtime_config = %+v, want prefix \"\" and max_output 64Ki", p)
	}
	gh := cfg.Plugin("github").Runtime
	if len(gh.Secrets) != 1 || gh.Secrets[0].Host != "api.github.com" || gh.Secrets[0].Header != "Authorization" ||
		gh.Secrets[0].Value.Reveal() != "Bearer ghp_example" {
		t.Errorf("github secrets = %+v", gh.Secrets)
	}
	if files := cfg.Plugin("files").Runtime; files.Instances != config.PerSession || files.MaxConcurrency != 2 {
		t.Errorf("files runtime_config = %+v", files)
	}

	// The calls the README walks through.
	srv := httptest.NewServer(h.HTTPHandler(host.HTTPOptions{}))
	defer srv.Close()
	tr, err := transport.NewStreamableHTTP(srv.URL + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = "2025-11-25"
	init.Params.ClientInfo = mcp.Implementation{Name: "examples-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		tool    string
		args    map[string]any
		want    string
		isError bool
	}{
		{"digest", map[string]any{"algorithm": "sha256", "text": "hello"}, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", false},
		{"time-convert", map[string]any{"time": "2026-03-01 09:00", "from_timezone": "America/New_York", "to_timezone": "Asia/Tokyo"}, "2026-03-01T23:00:00+09:00", false},
		{"files-list_dir", map[string]any{"path": "/project"}, "examples/", false},
		{"files-read_file", map[string]any{"path": "/project/examples/toolhost.yaml"}, "bundled://clock", false},
		{"github-fetch", map[string]any{"url": "https://example.org/"}, `not in allowed_hosts; to allow it, add "example.org"`, true},
	} {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = tt.tool, tt.args
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Errorf("%s: %v", tt.tool, err)
			continue
		}
		var text strings.Builder
		for _, c := range res.Content {
			switch c := c.(type) {
			case mcp.TextContent:
				text.WriteString(c.Text)
			case mcp.EmbeddedResource:
				if r, ok := c.Resource.(mcp.TextResourceContents); ok {
					text.WriteString(r.Text)
				}
			}
		}
		if res.IsError != tt.isError || !strings.Contains(text.String(), tt.want) {
			t.Errorf("%s: isError=%v text=%q; want isError=%v and text containing %q", tt.tool, res.IsError, text.String(), tt.isError, tt.want)
		}
	}
}
