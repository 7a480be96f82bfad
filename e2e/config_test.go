package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/internal/testplugins"
)

func toolNames(t *testing.T, url, era string) []string {
	t.Helper()
	c := connect(t, url, era)
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// skip_* hide items; prefix renames or drops the namespace; an http(s)
// plugin URL is downloaded with hyper-mcp's auths.
func TestConfigOptions(t *testing.T) {
	wasm := testplugins.Bytes(t, testplugins.Test(t, "everything"))
	const token = "s3cret-download-token"
	var downloads int
	plugSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		downloads++
		w.Write(wasm)
	}))
	defer plugSrv.Close()
	t.Setenv("DOWNLOAD_TOKEN", token)
	s := serve(t, fmt.Sprintf(`
auths:
  %[1]s/:
    type: token
    token: ${DOWNLOAD_TOKEN}
plugins:
  skipped:
    url: file://%[2]s
    runtime_config:
      skip_tools: ["e.*o", "^add"]   # echo (anchored), and everything starting with add
      skip_prompts: [".*"]
      skip_resources: ["mem://static/logo"]
      skip_resource_templates: [".*"]
  renamed:
    url: file://%[2]s
    runtime_config:
      prefix: ev
  bare:
    url: %[1]s/everything.wasm
    runtime_config:
      prefix: ""
`, plugSrv.URL, testplugins.Test(t, "everything")))
	if downloads != 1 {
		t.Errorf("plugin downloaded %d times, want 1", downloads)
	}
	names := toolNames(t, s.url, legacy)
	for _, want := range []string{"skipped-counter", "ev-echo", "ev-add_tool", "echo", "add"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools/list lacks %s", want)
		}
	}
	for _, hidden := range []string{"skipped-echo", "skipped-add", "skipped-add_tool", "renamed-echo", "everything-echo"} {
		if slices.Contains(names, hidden) {
			t.Errorf("tools/list has %s, which should be hidden or renamed", hidden)
		}
	}
	c := connect(t, s.url, legacy)
	ctx := context.Background()
	if _, err := c.CallTool(ctx, callArgs("skipped-echo", map[string]any{"message": "x"})); err == nil {
		t.Error("calling a skipped tool: want a JSON-RPC error")
	}
	res, err := c.CallTool(ctx, callArgs("echo", map[string]any{"message": "no prefix"}))
	if err != nil || text(res) != "no prefix" {
		t.Errorf("unprefixed echo: %+v, %v", res, err)
	}
	prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var pnames []string
	for _, p := range prompts.Prompts {
		pnames = append(pnames, p.Name)
	}
	slices.Sort(pnames)
	if !slices.Equal(pnames, []string{"ev-greet", "greet"}) {
		t.Errorf("prompts = %v, want [ev-greet greet] (skipped-greet hidden)", pnames)
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
	want := []string{"mem://static/ev/hello", "mem://static/ev/logo", "mem://static/hello", "mem://static/logo", "mem://static/skipped/hello"}
	if !slices.Equal(uris, want) {
		t.Errorf("resources = %v, want %v", uris, want)
	}
	if strings.Contains(s.logs.String(), token) {
		t.Error("the download token appears in the host log")
	}
}

// A plugin's notify_resource_updated reaches a legacy session subscribed
// to the namespaced URI, and the client's roots/list_changed reaches the
// plugin's on_roots_list_changed on the session's instance.
func TestResourceUpdatesAndRootsChanged(t *testing.T) {
	s := serve(t, testConfig(t))
	c := connect(t, s.url, legacy)
	n := watch(c)
	ctx := context.Background()
	var sub mcp.SubscribeRequest
	sub.Params.URI = "mem://static/everything/hello"
	if err := c.Subscribe(ctx, sub); err != nil {
		t.Fatalf("resources/subscribe: %v", err)
	}
	for _, uri := range []string{"mem://static/logo", "mem://static/hello"} {
		if _, err := c.CallTool(ctx, callArgs("everything-touch_resource", map[string]any{"uri": uri})); err != nil {
			t.Fatal(err)
		}
	}
	got := n.waitFor(t, "notifications/resources/updated", 1, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	got = n.method("notifications/resources/updated")
	if len(got) != 1 || got[0].Params.AdditionalFields["uri"] != "mem://static/everything/hello" {
		t.Errorf("resource updates = %+v; want one, for the subscribed mem://static/everything/hello", got)
	}

	if err := c.RootListChanges(ctx); err != nil {
		t.Fatalf("roots/list_changed: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := c.CallTool(ctx, callArgs("everything-roots_changed_count", nil))
		if err != nil {
			t.Fatal(err)
		}
		if text(res) == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("on_roots_list_changed count = %s after 5 s, want 1", text(res))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The bundled first-party plugins work with their grants: a real clock,
// a files plugin that sees only its mount, a fetch plugin that reaches
// only what allowed_hosts grants.
func TestFirstPartyPlugins(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte("granted content"), 0o600); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from loopback")
	}))
	defer web.Close()
	s := serve(t, fmt.Sprintf(`
plugins:
  hash:
    url: file://%s
  clock:
    url: file://%s
  files:
    url: file://%s
    runtime_config:
      allowed_paths: ["%s:/data:ro"]
  fetch:
    url: file://%s
    runtime_config:
      allowed_hosts: ["127.0.0.1/32:*"]
`, testplugins.Plugin(t, "hash"), testplugins.Plugin(t, "clock"), testplugins.Plugin(t, "files"), dir, testplugins.Plugin(t, "fetch")))
	c := connect(t, s.url, modern)
	ctx := context.Background()
	call := func(tool string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := c.CallTool(ctx, callArgs(tool, args))
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		return res
	}
	if got := text(call("hash-digest", map[string]any{"algorithm": "sha256", "text": "abc"})); !strings.Contains(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
		t.Errorf("sha256(abc) = %q", got)
	}
	now := text(call("clock-now", map[string]any{"timezone": "UTC"}))
	year := fmt.Sprint(time.Now().UTC().Year())
	if !strings.Contains(now, year) {
		t.Errorf("clock-now = %q; want the real current time (year %s), not wazero's fake clock", now, year)
	}
	if got := text(call("files-read_file", map[string]any{"path": "/data/note.txt"})); !strings.Contains(got, "granted content") {
		t.Errorf("read granted file = %q", got)
	}
	if res := call("files-read_file", map[string]any{"path": "/etc/passwd"}); !res.IsError || !strings.Contains(text(res), "allowed_paths") {
		t.Errorf("read /etc/passwd: isError=%v %q; want a refusal naming allowed_paths", res.IsError, text(res))
	}
	if got := text(call("fetch-fetch", map[string]any{"url": web.URL})); !strings.Contains(got, "hello from loopback") {
		t.Errorf("fetch granted URL = %q", got)
	}
	res := call("fetch-fetch", map[string]any{"url": "http://169.254.169.254/latest/meta-data/"})
	if !res.IsError || !strings.Contains(text(res), "allowed_hosts") {
		t.Errorf("fetch metadata address: isError=%v %q; want a denial naming allowed_hosts", res.IsError, text(res))
	}
}

// A plain WASI command module is a plugin too: one instance per call, the
// request on stdin, the answer on stdout, exit status and stderr for
// failures, and no host environment or arguments.
func TestCommandPlugin(t *testing.T) {
	t.Setenv("TOOLHOST_CANARY", "must-not-leak")
	s := serve(t, fmt.Sprintf(`
plugins:
  cmd:
    url: file://%s
    runtime_config:
      timeout: 2s
`, testplugins.Test(t, "cmdtool")))
	for _, era := range []string{legacy, modern} {
		c := connect(t, s.url, era)
		ctx := context.Background()
		res, err := c.CallTool(ctx, callArgs("cmd-upper", map[string]any{"text": "shout " + era}))
		if err != nil || text(res) != strings.ToUpper("shout "+era) {
			t.Errorf("%s: cmd-upper = %+v, %v", era, res, err)
		}
		res, err = c.CallTool(ctx, callArgs("cmd-fail", nil))
		if err != nil || !res.IsError || !strings.Contains(text(res), "exited with status 3: cmdtool: failing on purpose") {
			t.Errorf("%s: cmd-fail = %q, %v; want an isError result with the exit status and stderr", era, text(res), err)
		}
		// A WASI sleep ends with the call's timeout (wazero's own does not).
		res, err = c.CallTool(ctx, callArgs("cmd-sleep", map[string]any{"seconds": "60"}))
		if err != nil || !res.IsError || !strings.Contains(text(res), "stopped after runtime_config.timeout (2s)") {
			t.Errorf("%s: cmd-sleep = %q, %v; want the timeout", era, text(res), err)
		}
		res, err = c.CallTool(ctx, callArgs("cmd-env", nil))
		if err != nil || strings.Contains(text(res), "must-not-leak") || !strings.Contains(text(res), `args=["cmd"]`) {
			t.Errorf("%s: cmd-env = %q, %v; want no host environment and args [cmd]", era, text(res), err)
		}
	}
}
