package author

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/toolhost/toolhost/host/config"
	"github.com/toolhost/toolhost/host/mcpserver"
	"github.com/toolhost/toolhost/host/plugin"
)

// CallOptions describe one tool call, of a plugin file in process or of a
// running server.
type CallOptions struct {
	// File is a plugin .wasm file to run in process; exactly one of File and
	// URL is set.
	File string
	// URL is the MCP endpoint of a running server (streamable HTTP).
	URL string
	// Tool is the plugin-local tool name (File) or the name the server
	// exposes (URL), such as greet or hash-digest.
	Tool string
	// Args is the arguments object; nil means {}.
	Args json.RawMessage
	// Grants for File, as in runtime_config: allowed_hosts entries and
	// allowed_paths entries (host[:guest][:ro|:rw]). Relative host
	// directories resolve against BaseDir ("" means the working directory).
	AllowHosts, AllowPaths []string
	BaseDir                string
	// Timeout bounds the call: runtime_config.timeout for File (0 means its
	// default, 60s), the whole exchange for URL (0 means 60s).
	Timeout time.Duration
	// CacheDir is the wazero compilation cache for File ("" means in memory).
	CacheDir string
	// Peer receives what the plugin asks of the client (progress, logs, ...)
	// for File; nil means none.
	Peer plugin.Peer
	// Logger receives host/plugin's logs for File; nil discards them.
	Logger *slog.Logger
	// Version is reported to servers as the client version.
	Version string
}

// CallResult is a tool's answer.
type CallResult struct {
	// JSON is the MCP CallToolResult.
	JSON json.RawMessage
	// IsError is set when the tool reported a failure: an isError result
	// from the plugin, or (in process) a trap, a timeout, a guest error or
	// an invalid output, which a server also turns into an isError result.
	IsError bool
}

// Call runs one tool. A tool failure is a CallResult with IsError; an error
// means the call could not be made (missing file, not a plugin, unknown
// tool, bad arguments, unreachable server).
func Call(ctx context.Context, o CallOptions) (*CallResult, error) {
	if (o.File == "") == (o.URL == "") {
		return nil, errors.New("call: give either a plugin file or --url")
	}
	if o.Tool == "" {
		return nil, errors.New("call: no tool named")
	}
	args := o.Args
	if len(args) == 0 {
		args = json.RawMessage(`{}`)
	}
	if err := checkObject(args); err != nil {
		return nil, fmt.Errorf("arguments: %w", err)
	}
	if o.URL != "" {
		return callRemote(ctx, o, args)
	}
	return callFile(ctx, o, args)
}

func callRemote(ctx context.Context, o CallOptions, args json.RawMessage) (*CallResult, error) {
	if len(o.AllowHosts) > 0 || len(o.AllowPaths) > 0 {
		return nil, errors.New("--allow-host and --allow-path grant capabilities to a plugin file; a server's plugins get theirs from its config file")
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := mcpserver.CallRemote(ctx, o.URL, o.Tool, args, mcpserver.RemoteOptions{ClientName: "toolhost call", ClientVersion: o.Version})
	if err != nil {
		return nil, err
	}
	var res struct {
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("mcp server %s: tool %s: %w", o.URL, o.Tool, err)
	}
	return &CallResult{JSON: raw, IsError: res.IsError}, nil
}

func callFile(ctx context.Context, o CallOptions, args json.RawMessage) (*CallResult, error) {
	if _, err := readModule(o.File); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(o.File)
	if err != nil {
		return nil, err
	}
	base := o.BaseDir
	if base == "" {
		if base, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	runtime := map[string]any{}
	if len(o.AllowHosts) > 0 {
		runtime["allowed_hosts"] = literals(o.AllowHosts)
	}
	if len(o.AllowPaths) > 0 {
		runtime["allowed_paths"] = literals(o.AllowPaths)
	}
	if o.Timeout > 0 {
		runtime["timeout"] = o.Timeout.String()
	}
	p, loader, err := loadFile(ctx, abs, runtime, base, o.CacheDir, o.Logger)
	if err != nil {
		return nil, err
	}
	defer loader.Close(context.WithoutCancel(ctx))
	defer p.Close(context.WithoutCancel(ctx))
	var names []string
	found := false
	for _, t := range p.Catalog().Tools {
		names = append(names, t.Name)
		found = found || t.Name == o.Tool
	}
	if !found {
		has := "no tools"
		if len(names) > 0 {
			has = "tools " + strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("plugin[%s] (%s) has no tool %q: it has %s", p.Name(), o.File, o.Tool, has)
	}
	req := plugin.Request{ID: 1, Peer: o.Peer}
	if o.Peer != nil {
		// Guests report progress only for requests that carry a token.
		req.Meta = map[string]any{"progressToken": "toolhost-call"}
	}
	raw, err := p.CallTool(ctx, req, o.Tool, args)
	if err != nil {
		if plugin.KindOf(err) == 0 {
			return nil, err
		}
		// A plugin failure is an isError result, as toolhost serve sends it.
		res, _ := json.Marshal(map[string]any{
			"content": []map[string]string{{"type": "text", "text": err.Error()}},
			"isError": true,
		})
		return &CallResult{JSON: res, IsError: true}, nil
	}
	var res struct {
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("BUG: author: host/plugin returned a result that is not JSON: %w", err)
	}
	return &CallResult{JSON: raw, IsError: res.IsError}, nil
}

func literals(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = literal(s)
	}
	return out
}

func checkObject(raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("%s is not a JSON object", compact(raw))
	}
	return nil
}

// ParseArgs builds a tool's arguments object from --args (a JSON object,
// "" for none) and --arg flags, which set one key each on top of it:
// key=value sets a string, key:=json sets any JSON value (as HTTPie does),
// e.g. --arg name=World --arg count:=3 --arg tags:='["a","b"]'.
func ParseArgs(argsJSON string, kv []string) (json.RawMessage, error) {
	obj := map[string]json.RawMessage{}
	if strings.TrimSpace(argsJSON) != "" {
		if err := json.Unmarshal([]byte(argsJSON), &obj); err != nil || obj == nil {
			if err == nil {
				err = errors.New("null")
			}
			return nil, fmt.Errorf("--args %s: want a JSON object such as '{\"name\":\"World\"}': %v", argsJSON, err)
		}
	}
	for _, a := range kv {
		eq := strings.IndexByte(a, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("--arg %q: use key=string or key:=json", a)
		}
		key, val := a[:eq], a[eq+1:]
		if k, ok := strings.CutSuffix(key, ":"); ok {
			if k == "" {
				return nil, fmt.Errorf("--arg %q: use key=string or key:=json", a)
			}
			if !json.Valid([]byte(val)) {
				return nil, fmt.Errorf("--arg %s: %q is not JSON (use %s=%s for a string)", a, val, k, val)
			}
			obj[k] = json.RawMessage(val)
			continue
		}
		s, _ := json.Marshal(val)
		obj[key] = s
	}
	return json.Marshal(obj)
}

// Text returns what an agent would read in the result: the text of text
// content and of embedded text resources, one item per line, and a
// one-line description of every other item.
func (r *CallResult) Text() string {
	var res struct {
		Content []struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			MIMEType string `json:"mimeType"`
			Data     string `json:"data"`
			URI      string `json:"uri"`
			Name     string `json:"name"`
			Resource *struct {
				URI      string  `json:"uri"`
				MIMEType string  `json:"mimeType"`
				Text     *string `json:"text"`
				Blob     string  `json:"blob"`
			} `json:"resource"`
		} `json:"content"`
		Structured json.RawMessage `json:"structuredContent"`
	}
	if err := json.Unmarshal(r.JSON, &res); err != nil {
		return string(r.JSON)
	}
	var lines []string
	for _, c := range res.Content {
		switch {
		case c.Type == "text":
			lines = append(lines, c.Text)
		case c.Type == "resource" && c.Resource != nil && c.Resource.Text != nil:
			lines = append(lines, *c.Resource.Text)
		case c.Type == "resource" && c.Resource != nil:
			lines = append(lines, fmt.Sprintf("[resource %s %s, %d bytes base64]", c.Resource.URI, c.Resource.MIMEType, len(c.Resource.Blob)))
		case c.Type == "resource_link":
			lines = append(lines, fmt.Sprintf("[resource link %s %s]", c.URI, c.Name))
		default:
			lines = append(lines, fmt.Sprintf("[%s %s, %d bytes base64]", c.Type, c.MIMEType, len(c.Data)))
		}
	}
	if len(lines) == 0 && len(res.Structured) > 0 {
		lines = append(lines, compact(res.Structured))
	}
	return strings.Join(lines, "\n")
}

// WriterPeer is a plugin.Peer for a command line: it prints progress and
// log notifications to W and answers elicitation, sampling and roots
// requests as a host without a client does.
type WriterPeer struct {
	W  io.Writer
	mu sync.Mutex
}

var _ plugin.Peer = (*WriterPeer)(nil)

// errNoClient is what a guest's client requests get from `toolhost call`.
var errNoClient = errors.New("toolhost call has no MCP client to ask")

func (p *WriterPeer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.W, format, args...)
}

// Progress implements plugin.Peer.
func (p *WriterPeer) Progress(_ context.Context, progress float64, total *float64, message string) {
	of := ""
	if total != nil {
		of = fmt.Sprintf("/%g", *total)
	}
	p.printf("progress %g%s %s\n", progress, of, message)
}

// Log implements plugin.Peer.
func (p *WriterPeer) Log(_ context.Context, level, logger string, data json.RawMessage) {
	var s string
	if json.Unmarshal(data, &s) != nil {
		s = compact(data)
	}
	if logger != "" {
		logger = " " + logger
	}
	p.printf("log %s%s: %s\n", level, logger, s)
}

// Elicit implements plugin.Peer.
func (p *WriterPeer) Elicit(context.Context, json.RawMessage) (json.RawMessage, error) {
	return nil, errNoClient
}

// CreateMessage implements plugin.Peer.
func (p *WriterPeer) CreateMessage(context.Context, json.RawMessage) (json.RawMessage, error) {
	return nil, errNoClient
}

// ListRoots implements plugin.Peer.
func (p *WriterPeer) ListRoots(context.Context) (json.RawMessage, error) { return nil, errNoClient }

// Ask implements plugin.Peer.
func (p *WriterPeer) Ask(context.Context, map[string]plugin.InputRequest) (map[string]json.RawMessage, error) {
	return nil, errNoClient
}

// ResourceUpdated implements plugin.Peer.
func (p *WriterPeer) ResourceUpdated(_ context.Context, uri string) {
	p.printf("resource updated %s\n", uri)
}
