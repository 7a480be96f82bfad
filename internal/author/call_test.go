package author

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toolhost/toolhost/host"
	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/internal/testplugins"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		json string
		kv   []string
		want string
		err  string
	}{
		{"none", "", nil, `{}`, ""},
		{"json", `{"a":1,"b":"x"}`, nil, `{"a":1,"b":"x"}`, ""},
		{"string", "", []string{"name=World"}, `{"name":"World"}`, ""},
		{"string that looks like JSON", "", []string{"n=42", "t=true"}, `{"n":"42","t":"true"}`, ""},
		{"raw JSON", "", []string{"n:=42", `tags:=["a","b"]`, "o:={\"k\":null}"}, `{"n":42,"o":{"k":null},"tags":["a","b"]}`, ""},
		{"empty value and = in value", "", []string{"a=", "b=x=y"}, `{"a":"","b":"x=y"}`, ""},
		{"kv over json", `{"a":1,"b":2}`, []string{"b=two"}, `{"a":1,"b":"two"}`, ""},
		{"bad json", `{bad`, nil, "", `--args {bad: want a JSON object`},
		{"json array", `[1]`, nil, "", `want a JSON object`},
		{"json null", `null`, nil, "", `want a JSON object`},
		{"no =", "", []string{"name"}, "", `--arg "name": use key=string or key:=json`},
		{"no key", "", []string{"=x"}, "", `--arg "=x"`},
		{"no key raw", "", []string{":=1"}, "", `--arg ":=1"`},
		{"bad raw", "", []string{"n:=forty"}, "", `--arg n:=forty: "forty" is not JSON (use n=forty for a string)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseArgs(tc.json, tc.kv)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseArgs error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("ParseArgs = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestCallResultText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ json, want string }{
		{`{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`, "a\nb"},
		{`{"content":[{"type":"image","data":"AAAA","mimeType":"image/png"}]}`, "[image image/png, 4 bytes base64]"},
		{`{"content":[{"type":"resource","resource":{"uri":"u://x","text":"inner"}}]}`, "inner"},
		{`{"content":[{"type":"resource","resource":{"uri":"u://x","mimeType":"a/b","blob":"AA=="}}]}`, "[resource u://x a/b, 4 bytes base64]"},
		{`{"content":[{"type":"resource_link","uri":"u://y","name":"y"}]}`, "[resource link u://y y]"},
		{`{"content":[],"structuredContent":{"sum":3}}`, `{"sum":3}`},
		{`not json`, `not json`},
	} {
		if got := (&CallResult{JSON: json.RawMessage(tc.json)}).Text(); got != tc.want {
			t.Errorf("Text(%s) = %q, want %q", tc.json, got, tc.want)
		}
	}
}

// TestCallFile calls the everything test plugin in process.
func TestCallFile(t *testing.T) {
	t.Parallel()
	everything := testplugins.Test(t, "everything")
	dir := t.TempDir()
	notWasm := writeFile(t, dir, "notes.wasm", []byte("notes\n"))
	for _, tc := range []struct {
		name    string
		o       CallOptions
		text    string // substring of the result text
		isError bool
		err     string // substring of the error; the call fails
		peer    string // substring of what the WriterPeer printed
	}{
		{name: "echo", o: CallOptions{Tool: "echo", Args: json.RawMessage(`{"message":"hi there"}`)}, text: "hi there"},
		{name: "add", o: CallOptions{Tool: "add", Args: mustArgs(t, "", "a:=2", "b:=3.5")}, text: "5.5"},
		{name: "no args", o: CallOptions{Tool: "counter"}, text: "1"},
		{name: "isError result", o: CallOptions{Tool: "error_result"}, text: "this tool always fails", isError: true},
		{name: "guest error", o: CallOptions{Tool: "error_rc"}, text: "deliberate failure with rc=1", isError: true},
		{name: "trap", o: CallOptions{Tool: "trap"}, text: "plugin[", isError: true},
		{name: "timeout", o: CallOptions{Tool: "spin", Timeout: 5 * time.Second}, text: "stopped after runtime_config.timeout (5s)", isError: true},
		{name: "progress", o: CallOptions{Tool: "progress", Args: json.RawMessage(`{"steps":2,"delay_ms":0}`)}, text: "done 2 steps", peer: "progress 2/2 step 2 of 2"},
		{name: "log", o: CallOptions{Tool: "log", Args: json.RawMessage(`{"level":"warning","message":"careful"}`)}, text: "logged at warning", peer: "log warning everything: careful"},
		{name: "elicit without client", o: CallOptions{Tool: "elicit", Args: json.RawMessage(`{"message":"ok?"}`)}, text: "decline"},
		{name: "unknown tool", o: CallOptions{Tool: "nope"}, err: `has no tool "nope": it has tools echo, add,`},
		{name: "args not an object", o: CallOptions{Tool: "echo", Args: json.RawMessage(`[1]`)}, err: "arguments: [1] is not a JSON object"},
		{name: "args not JSON", o: CallOptions{Tool: "echo", Args: json.RawMessage(`{`)}, err: "arguments: not JSON"},
		{name: "missing file", o: CallOptions{File: filepath.Join(dir, "missing.wasm"), Tool: "echo"}, err: "no such file or directory"},
		{name: "not wasm", o: CallOptions{File: notWasm, Tool: "echo"}, err: "is not a WebAssembly module"},
		{name: "missing allowed path", o: CallOptions{Tool: "echo", AllowPaths: []string{filepath.Join(dir, "absent") + ":/data"}}, err: "allowed_paths"},
		{name: "bad allowed host", o: CallOptions{Tool: "echo", AllowHosts: []string{"http://"}}, err: "allowed_hosts"},
		{name: "no tool", o: CallOptions{}, err: "no tool named"},
		{name: "file and url", o: CallOptions{Tool: "echo", URL: "http://127.0.0.1:1/mcp"}, err: "give either a plugin file or --url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.o
			if o.File == "" {
				o.File = everything
			}
			if o.Tool == "" && tc.name == "no tool" {
				o.File = everything
			}
			var peer strings.Builder
			o.Peer = &WriterPeer{W: &peer}
			o.CacheDir = compileCache
			o.BaseDir = dir
			res, err := Call(context.Background(), o)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Call error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError != tc.isError || !strings.Contains(res.Text(), tc.text) {
				t.Errorf("Call = %s (isError %v), want text containing %q (isError %v)", res.JSON, res.IsError, tc.text, tc.isError)
			}
			if !strings.Contains(peer.String(), tc.peer) {
				t.Errorf("peer output %q lacks %q", peer.String(), tc.peer)
			}
		})
	}
}

// TestCallGrants: --allow-path reaches the plugin as a mount (the bundled
// files plugin reads a granted file, and nothing else).
func TestCallGrants(t *testing.T) {
	t.Parallel()
	files := testplugins.Plugin(t, "files")
	data := t.TempDir()
	writeFile(t, data, "notes.txt", []byte("granted content\n"))
	base := t.TempDir()
	rel, err := filepath.Rel(base, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		paths   []string
		text    string
		isError bool
	}{
		{"granted", []string{data + ":/data:ro"}, "granted content", false},
		{"relative to BaseDir", []string{rel + ":/data:ro"}, "granted content", false},
		{"not granted", nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := Call(context.Background(), CallOptions{File: files, Tool: "read_file", Args: json.RawMessage(`{"path":"/data/notes.txt"}`),
				AllowPaths: tc.paths, BaseDir: base, CacheDir: compileCache})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError != tc.isError || !strings.Contains(res.Text(), tc.text) {
				t.Errorf("read_file = %s (isError %v)", res.JSON, res.IsError)
			}
		})
	}
}

// serve starts toolhost in process over HTTP with the everything plugin and
// returns its MCP URL.
func serve(t *testing.T) string {
	t.Helper()
	yaml := "plugins:\n  everything:\n    url: file://" + testplugins.Test(t, "everything") + "\n    runtime_config:\n      timeout: 3s\n"
	cfg, err := config.Parse([]byte(yaml), config.YAML, config.Options{LookupEnv: os.LookupEnv, BaseDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := host.New(ctx, cfg, host.Options{Logger: slog.New(slog.DiscardHandler), CacheDir: compileCache})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.HTTPHandler(host.HTTPOptions{}))
	t.Cleanup(func() {
		srv.Close()
		h.Close(context.Background())
	})
	return srv.URL + "/mcp"
}

func TestCallRemote(t *testing.T) {
	t.Parallel()
	url := serve(t)
	for _, tc := range []struct {
		name    string
		o       CallOptions
		text    string
		isError bool
		err     string
	}{
		{name: "echo", o: CallOptions{Tool: "everything-echo", Args: json.RawMessage(`{"message":"over http"}`)}, text: "over http"},
		{name: "structured", o: CallOptions{Tool: "everything-add", Args: json.RawMessage(`{"a":1,"b":2}`)}, text: "3"},
		{name: "isError", o: CallOptions{Tool: "everything-error_result"}, text: "always fails", isError: true},
		{name: "trap", o: CallOptions{Tool: "everything-trap"}, text: "plugin[everything]", isError: true},
		{name: "unknown tool", o: CallOptions{Tool: "everything-nope"}, err: "everything-nope"},
		{name: "grants", o: CallOptions{Tool: "everything-echo", AllowHosts: []string{"example.com"}}, err: "a server's plugins get theirs from its config file"},
		{name: "bad args", o: CallOptions{Tool: "everything-echo", Args: json.RawMessage(`"x"`)}, err: "is not a JSON object"},
		{name: "unreachable", o: CallOptions{Tool: "x", URL: "http://127.0.0.1:1/mcp", Timeout: 5 * time.Second}, err: "mcp server http://127.0.0.1:1/mcp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.o
			if o.URL == "" {
				o.URL = url
			}
			res, err := Call(context.Background(), o)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Call error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError != tc.isError || !strings.Contains(res.Text(), tc.text) {
				t.Errorf("Call = %s (isError %v), want text containing %q (isError %v)", res.JSON, res.IsError, tc.text, tc.isError)
			}
		})
	}
}

func mustArgs(t *testing.T, js string, kv ...string) json.RawMessage {
	t.Helper()
	a, err := ParseArgs(js, kv)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
