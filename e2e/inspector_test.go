package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/toolhost/toolhost/internal/nodeclients"
)

// inspectorTimeout bounds one run of the Inspector CLI (Node start-up, and for
// stdio targets a toolhost start-up, plus one request).
const inspectorTimeout = 90 * time.Second

// inspectorTarget is one way of reaching toolhost from the Inspector CLI.
type inspectorTarget struct {
	name string
	// opts go before the method flags: transport and protocol era.
	opts []string
	// target goes last: the URL, or "--" and the server command. The "--" is
	// needed because toolhost's own --transport, --config and --log-level
	// would otherwise be taken as the inspector's flags of the same names.
	target []string
}

// inspectorRun is the outcome of one Inspector CLI run with --format json.
type inspectorRun struct {
	args   []string
	code   int
	stdout []byte
	stderr string
	// result is stdout's {"result": …}; nil when stdout was empty.
	result json.RawMessage
	// errCode and errMsg are the {"error":{code,message}} line on stderr,
	// if there was one.
	errCode, errMsg string
}

func (r *inspectorRun) String() string {
	return "mcp-inspector " + strings.Join(r.args, " ") + "\nexit " + strconv.Itoa(r.code) +
		"\nstdout: " + string(r.stdout) + "\nstderr: " + r.stderr
}

// decode unmarshals the result into v, failing the test if it cannot.
func (r *inspectorRun) decode(t *testing.T, v any) {
	t.Helper()
	if r.result == nil {
		t.Fatalf("no result on stdout:\n%s", r)
	}
	if err := json.Unmarshal(r.result, v); err != nil {
		t.Fatalf("decoding the result: %v\n%s", err, r)
	}
}

// inspector runs the pinned Inspector CLI with a throwaway HOME, so that its
// catalog, client config and OAuth store never touch the user's.
type inspector struct {
	c   *nodeclients.Clients
	env []string
}

func newInspector(t *testing.T, c *nodeclients.Clients) *inspector {
	home := t.TempDir()
	return &inspector{c: c, env: []string{
		"HOME=" + home,
		"USERPROFILE=" + home,
		"MCP_CATALOG_PATH=" + filepath.Join(home, "mcp.json"),
		"MCP_CLIENT_CONFIG_PATH=" + filepath.Join(home, "client.json"),
		"MCP_INSPECTOR_OAUTH_STATE_PATH=" + filepath.Join(home, "oauth.json"),
		"NO_COLOR=1",
	}}
}

// run runs `mcp-inspector --cli <opts> <args> --format json <target>`.
func (in *inspector) run(t *testing.T, tg inspectorTarget, args ...string) *inspectorRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), inspectorTimeout)
	defer cancel()
	full := append([]string{"--cli"}, tg.opts...)
	full = append(full, args...)
	full = append(full, "--format", "json")
	full = append(full, tg.target...)
	cmd := in.c.Command(ctx, in.c.Inspector, full...)
	cmd.Env = append(cmd.Env, in.env...) // later entries win
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := &inspectorRun{args: full, stdout: stdout.Bytes(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("inspector did not finish within %s:\n%s", inspectorTimeout, r)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running the inspector: %v\n%s", err, r)
	}
	if out := bytes.TrimSpace(r.stdout); len(out) > 0 {
		var env struct {
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(out, &env); err != nil || env.Result == nil {
			t.Fatalf("stdout is not one {\"result\": …} object (%v):\n%s", err, r)
		}
		r.result = env.Result
	}
	// The error envelope is one JSON line; a stdio server's own log lines
	// may precede it on the same stream.
	sc := bufio.NewScanner(strings.NewReader(r.stderr))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var env struct {
			Error *struct{ Code, Message string } `json:"error"`
		}
		if line := sc.Bytes(); bytes.HasPrefix(line, []byte(`{"error"`)) && json.Unmarshal(line, &env) == nil && env.Error != nil {
			r.errCode, r.errMsg = env.Error.Code, env.Error.Message
		}
	}
	return r
}

// Wire shapes of the results the tests read.
type (
	inspTool struct {
		Name        string          `json:"name"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}
	inspContent struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	inspCallResult struct {
		Content []inspContent `json:"content"`
		IsError bool          `json:"isError"`
	}
)

func (r inspCallResult) text() string {
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

// TestInspectorCLI drives toolhost with the official MCP Inspector CLI
// (@modelcontextprotocol/inspector --cli, pinned in testdata/node) over
// streamable HTTP in both protocol eras and over stdio, parsing its JSON
// output and asserting its exit codes (0 ok, 5 isError or unknown tool).
func TestInspectorCLI(t *testing.T) {
	c := nodeclients.Ensure(t)
	in := newInspector(t, c)
	s := serve(t, testConfig(t))

	bin := toolhostBinary(t)
	cfgPath := filepath.Join(t.TempDir(), "toolhost.yaml")
	if err := os.WriteFile(cfgPath, []byte(testConfig(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	// Compiled code comes from the default cache, as in surface_test.go.
	stdioCmd := []string{"--", bin, "serve", "--transport", "stdio", "--config", cfgPath, "--log-level", "warn"}

	httpOpts := []string{"--transport", "http", "--stored-auth-only"}
	targets := []inspectorTarget{
		{"http-legacy", append(slices.Clone(httpOpts), "--protocol-era", "legacy"), []string{s.url}},
		{"http-modern", append(slices.Clone(httpOpts), "--protocol-era", "modern"), []string{s.url}},
		{"stdio-legacy", []string{"--transport", "stdio", "--protocol-era", "legacy"}, stdioCmd},
		{"stdio-modern", []string{"--transport", "stdio", "--protocol-era", "modern"}, stdioCmd},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Run("tools/list", func(t *testing.T) {
				r := in.run(t, tg, "--method", "tools/list")
				if r.code != 0 {
					t.Fatalf("exit %d, want 0:\n%s", r.code, r)
				}
				var res struct{ Tools []inspTool }
				r.decode(t, &res)
				var names []string
				for _, tool := range res.Tools {
					names = append(names, tool.Name)
					var schema struct{ Type string }
					if err := json.Unmarshal(tool.InputSchema, &schema); err != nil || schema.Type != "object" {
						t.Errorf("tool %s: inputSchema %s, want an object schema", tool.Name, tool.InputSchema)
					}
				}
				for _, want := range []string{
					"everything-echo", "everything-add", "everything-error_rc", "everything-progress", "everything-spin",
					"v1echo-echo", "v1echo-add", "v1echo-fail_rc", "v1echo-fail_result",
				} {
					if !slices.Contains(names, want) {
						t.Errorf("tools/list lacks %s; got %v", want, names)
					}
				}
			})

			t.Run("tools/call", func(t *testing.T) {
				msg := "hello from the inspector over " + tg.name
				r := in.run(t, tg, "--method", "tools/call", "--tool-name", "everything-echo", "--tool-arg", "message="+msg)
				if r.code != 0 {
					t.Fatalf("exit %d, want 0:\n%s", r.code, r)
				}
				var res inspCallResult
				r.decode(t, &res)
				if res.IsError || res.text() != msg {
					t.Errorf("everything-echo = %+v, want text %q", res, msg)
				}
				// The era really was negotiated: 2026-07-28 results carry
				// the server's identity in _meta, 2025-11-25 ones do not.
				var meta struct {
					Meta map[string]struct{ Name string } `json:"_meta"`
				}
				r.decode(t, &meta)
				info, modern := meta.Meta["io.modelcontextprotocol/serverInfo"]
				if wantModern := strings.HasSuffix(tg.name, "-modern"); modern != wantModern || (modern && info.Name != "toolhost") {
					t.Errorf("result _meta = %+v; want serverInfo {toolhost} only in the modern era\n%s", meta.Meta, r)
				}

				r = in.run(t, tg, "--method", "tools/call", "--tool-name", "v1echo-add", "--tool-args-json", `{"a":2,"b":3}`)
				r.decode(t, &res)
				if r.code != 0 || res.IsError || res.text() != "5" {
					t.Errorf("v1echo-add 2+3: exit %d, %+v; want exit 0 and text 5\n%s", r.code, res, r)
				}
			})

			t.Run("tools/call-failing", func(t *testing.T) {
				r := in.run(t, tg, "--method", "tools/call", "--tool-name", "everything-error_rc")
				if r.code != 5 {
					t.Fatalf("exit %d, want 5 (tool isError):\n%s", r.code, r)
				}
				var res inspCallResult
				r.decode(t, &res)
				const want = "plugin[everything] tool[error_rc]: the plugin reported an error"
				if !res.IsError || !strings.Contains(res.text(), want) {
					t.Errorf("everything-error_rc = %+v, want isError with text containing %q", res, want)
				}
				if r.errCode != "tool_is_error" {
					t.Errorf("stderr error code %q, want tool_is_error:\n%s", r.errCode, r)
				}

				r = in.run(t, tg, "--method", "tools/call", "--tool-name", "everything-nosuch")
				if r.code != 5 || r.errCode != "tool_not_found" {
					t.Errorf("unknown tool: exit %d, error code %q; want 5, tool_not_found:\n%s", r.code, r.errCode, r)
				}
			})

			t.Run("resources/list", func(t *testing.T) {
				r := in.run(t, tg, "--method", "resources/list")
				if r.code != 0 {
					t.Fatalf("exit %d, want 0:\n%s", r.code, r)
				}
				var res struct {
					Resources []struct{ URI, Name, MimeType string }
				}
				r.decode(t, &res)
				var uris []string
				for _, x := range res.Resources {
					uris = append(uris, x.URI)
				}
				slices.Sort(uris)
				if want := []string{"mem://static/everything/hello", "mem://static/everything/logo"}; !slices.Equal(uris, want) {
					t.Errorf("resources/list URIs = %v, want %v", uris, want)
				}
			})

			t.Run("resources/read", func(t *testing.T) {
				const uri = "mem://static/everything/hello"
				r := in.run(t, tg, "--method", "resources/read", "--uri", uri)
				if r.code != 0 {
					t.Fatalf("exit %d, want 0:\n%s", r.code, r)
				}
				var res struct {
					Contents []struct{ URI, MimeType, Text string }
				}
				r.decode(t, &res)
				if len(res.Contents) != 1 || res.Contents[0].URI != uri || res.Contents[0].MimeType != "text/plain" ||
					res.Contents[0].Text != "Hello, world!" {
					t.Errorf("resources/read %s = %+v, want one text/plain content \"Hello, world!\"", uri, res.Contents)
				}
			})

			t.Run("prompts/get", func(t *testing.T) {
				r := in.run(t, tg, "--method", "prompts/get", "--prompt-name", "everything-greet", "--prompt-args", "name=Ada")
				if r.code != 0 {
					t.Fatalf("exit %d, want 0:\n%s", r.code, r)
				}
				var res struct {
					Messages []struct {
						Role    string
						Content inspContent
					}
				}
				r.decode(t, &res)
				if len(res.Messages) == 0 || res.Messages[0].Role != "user" || res.Messages[0].Content.Type != "text" ||
					!strings.Contains(res.Messages[0].Content.Text, "Ada") {
					t.Errorf("prompts/get everything-greet = %+v, want a user text message mentioning Ada", res.Messages)
				}
			})
		})
	}
}
