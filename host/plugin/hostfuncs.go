package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/toolhost/toolhost/host/internal/engine"

	"github.com/toolhost/toolhost/host/sandbox/egress"
)

// Host-function namespaces.
const (
	// UserNamespace is hyper-mcp's namespace for the MCP host functions.
	UserNamespace = "extism:host/user"
	// KernelNamespace is the Extism kernel's namespace.
	KernelNamespace = "extism:host/env"
)

// maxHostInput caps the JSON a guest may pass to a host function.
const maxHostInput = 1 << 20

var errNoClient = errors.New("no MCP client is connected to this call")

// hostFn is a host function's body: the instance's kernel memory for
// blocks, and the wasm stack for parameters and results.
type hostFn = func(ctx context.Context, cp *engine.Kernel, stack []uint64)

// hostFunc is a host function of one plugin.
type hostFunc struct {
	module, name    string
	params, results []api.ValueType
	fn              hostFn
}

var (
	ptr    = []api.ValueType{api.ValueTypeI64}
	i32Val = []api.ValueType{api.ValueTypeI32}
)

// hostFunctions are every host function toolhost serves beside the
// kernel's, bound to p.
func (p *Plugin) hostFunctions() []hostFunc {
	return append(append(p.userFunctions(), p.httpFunctions()...), p.toolhostFunctions()...)
}

// engineFuncs are the host functions for the engine: each finds the
// plugin of the calling instance through its binding.
func engineFuncs() []engine.Func {
	var fs []engine.Func
	for i, f := range (&Plugin{}).hostFunctions() {
		fs = append(fs, engine.Func{Module: f.module, Name: f.name, Params: f.params, Results: f.results,
			Fn: func(ctx context.Context, in *engine.Instance, stack []uint64) {
				b, _ := in.Data().(*binding)
				if b == nil {
					panic(fmt.Sprintf("BUG: host function %s.%s called on an instance without a binding", f.module, f.name))
				}
				b.p.host[i].fn(ctx, in.Kernel(), stack)
			}})
	}
	return fs
}

// userFunctions are the nine hyper-mcp host functions plus the three of its
// successor, which are deny-by-default here (plugin-abi.md §5). Each one
// turns a failure into a value the guest can read rather than a trap: a
// trap would kill the whole call for what is usually a missing client
// capability.
func (p *Plugin) userFunctions() []hostFunc {
	fn := func(name string, params, results []api.ValueType, cb hostFn) hostFunc {
		return hostFunc{module: UserNamespace, name: name, params: params, results: results, fn: cb}
	}
	return []hostFunc{
		fn("create_elicitation", ptr, ptr, p.hostElicit),
		fn("create_message", ptr, ptr, p.hostCreateMessage),
		fn("list_roots", nil, ptr, p.hostListRoots),
		fn("notify_logging_message", ptr, nil, p.hostLog),
		fn("notify_progress", ptr, nil, p.hostProgress),
		fn("notify_tool_list_changed", nil, nil, p.hostChanged(ToolsChanged)),
		fn("notify_prompt_list_changed", nil, nil, p.hostChanged(PromptsChanged)),
		fn("notify_resource_list_changed", nil, nil, p.hostChanged(ResourcesChanged)),
		fn("notify_resource_updated", ptr, nil, p.hostResourceUpdated),
		fn("get_access_token", ptr, ptr, p.hostNull("get_access_token")),
		fn("get_keyring_secret", ptr, ptr, p.hostNoValue("get_keyring_secret")),
		fn("notify_url_elicitation_completed", ptr, nil, func(ctx context.Context, cp *engine.Kernel, stack []uint64) {
			p.readInput(ctx, cp, stack[0], "notify_url_elicitation_completed")
		}),
	}
}

// UserFunctionNames lists the extism:host/user functions toolhost provides.
func UserFunctionNames() []string {
	names := []string{}
	for _, f := range (&Plugin{}).userFunctions() {
		names = append(names, f.name)
	}
	return names
}

// httpFunctions serve the kernel's http_request, http_status_code and
// http_headers with toolhost's egress guard instead of Extism's.
func (p *Plugin) httpFunctions() []hostFunc {
	return []hostFunc{
		{module: KernelNamespace, name: "http_request", params: []api.ValueType{api.ValueTypeI64, api.ValueTypeI64}, results: ptr, fn: p.hostHTTPRequest},
		{module: KernelNamespace, name: "http_status_code", results: i32Val, fn: func(ctx context.Context, _ *engine.Kernel, stack []uint64) {
			var code int32
			if s := stateFrom(ctx); s != nil {
				code = s.httpStatus
			}
			stack[0] = api.EncodeI32(code)
		}},
		{module: KernelNamespace, name: "http_headers", results: ptr, fn: func(ctx context.Context, cp *engine.Kernel, stack []uint64) {
			stack[0] = 0
			if s := stateFrom(ctx); s != nil && s.httpHeaders != nil {
				stack[0] = p.writeOutput(ctx, cp, s.httpHeaders, "http_headers")
			}
		}},
	}
}

// readInput reads a guest memory block holding a host function's input.
// A bad offset or an oversized block yields nil and a log line: host
// functions never trust guest pointers.
func (p *Plugin) readInput(ctx context.Context, cp *engine.Kernel, off uint64, fn string) []byte {
	if off == 0 {
		return nil
	}
	n, err := cp.Length(off)
	if err != nil || n == 0 {
		p.log.Warn("guest passed an invalid memory block to a host function", "function", fn, "offset", off)
		return nil
	}
	if n > maxHostInput {
		p.log.Warn("guest passed an oversized block to a host function", "function", fn, "bytes", n, "max", maxHostInput)
		return nil
	}
	b, err := cp.ReadBytes(off)
	if err != nil {
		p.log.Warn("guest passed an unreadable memory block to a host function", "function", fn, "offset", off)
		return nil
	}
	return b
}

// writeOutput copies b into a new kernel block for the guest to read and
// free. A failure (the memory limit, say) is logged and yields 0, "no value".
func (p *Plugin) writeOutput(_ context.Context, cp *engine.Kernel, b []byte, fn string) uint64 {
	off, err := cp.WriteBytes(b)
	if err != nil {
		p.log.Warn("could not write a host function result into guest memory", "function", fn, "error", err)
		return 0
	}
	return off
}

func (p *Plugin) peer(ctx context.Context) (*callState, Peer) {
	s := stateFrom(ctx)
	if s == nil || s.req.Peer == nil {
		return s, noPeer{}
	}
	return s, s.req.Peer
}

// The JSON inputs of the host functions are guest bytes. Each is decoded by
// a pure function below (fuzzed by FuzzHostInputs) before anything acts on it.

// elicitRequest is create_elicitation's input.
type elicitRequest struct {
	Message         string          `json:"message"`
	RequestedSchema json.RawMessage `json:"requestedSchema"`
	Timeout         *float64        `json:"timeout"`
}

// decodeElicitation decodes create_elicitation's input. A missing schema
// becomes an empty object schema; wait is the clamped timeout, 0 if the
// guest gave none.
func decodeElicitation(in []byte) (req elicitRequest, wait time.Duration, err error) {
	if err := json.Unmarshal(in, &req); err != nil {
		return req, 0, err
	}
	if len(req.RequestedSchema) == 0 {
		req.RequestedSchema = json.RawMessage(`{"type":"object","properties":{}}`)
	}
	// The schema says timeout is in milliseconds; hyper-mcp reads seconds.
	// Follow the schema and clamp to 1 s..10 min (plugin-abi.md §10.4).
	if req.Timeout != nil {
		wait = min(max(time.Duration(*req.Timeout)*time.Millisecond, time.Second), 10*time.Minute)
	}
	return req, wait, nil
}

// logMessage is notify_logging_message's input.
type logMessage struct {
	Level  string          `json:"level"`
	Logger string          `json:"logger"`
	Data   json.RawMessage `json:"data"`
}

// decodeLogMessage decodes notify_logging_message's input and fills
// defaults: an unknown level is info, missing data is null and a missing
// logger is defaultLogger.
func decodeLogMessage(in []byte, defaultLogger string) (logMessage, error) {
	var msg logMessage
	if err := json.Unmarshal(in, &msg); err != nil {
		return msg, err
	}
	if !validLogLevel[msg.Level] {
		msg.Level = "info"
	}
	if len(msg.Data) == 0 {
		msg.Data = json.RawMessage(`null`)
	}
	if msg.Logger == "" {
		msg.Logger = defaultLogger
	}
	return msg, nil
}

// progressMessage is notify_progress's input.
type progressMessage struct {
	Progress *float64 `json:"progress"`
	Total    *float64 `json:"total"`
	Message  string   `json:"message"`
}

var errNoProgress = errors.New("progress is missing")

// decodeProgress decodes notify_progress's input; progress is required.
func decodeProgress(in []byte) (progressMessage, error) {
	var msg progressMessage
	if err := json.Unmarshal(in, &msg); err != nil {
		return msg, err
	}
	if msg.Progress == nil {
		return msg, errNoProgress
	}
	return msg, nil
}

var errNoURI = errors.New("uri is missing")

// decodeResourceUpdated decodes notify_resource_updated's input: {"uri"}.
func decodeResourceUpdated(in []byte) (string, error) {
	var msg struct {
		URI string `json:"uri"`
	}
	if err := json.Unmarshal(in, &msg); err != nil {
		return "", err
	}
	if msg.URI == "" {
		return "", errNoURI
	}
	return msg.URI, nil
}

// decodeHTTPRequest decodes the kernel http_request's JSON block (the body
// is a separate block). The method is upper-cased, GET when absent.
func decodeHTTPRequest(in []byte) (egress.Request, error) {
	var req struct {
		URL     string            `json:"url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(in, &req); err != nil {
		return egress.Request{}, err
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = "GET"
	}
	return egress.Request{Method: method, URL: req.URL, Header: req.Headers}, nil
}

func (p *Plugin) hostElicit(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	in := p.readInput(ctx, cp, stack[0], "create_elicitation")
	decline := func(reason string) {
		b, _ := json.Marshal(map[string]any{"action": "decline", "content": map[string]any{"error": reason}})
		stack[0] = p.writeOutput(ctx, cp, b, "create_elicitation")
	}
	req, wait, err := decodeElicitation(in)
	if err != nil {
		decline("invalid create_elicitation input: " + err.Error())
		return
	}
	if wait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	params, _ := json.Marshal(map[string]any{"message": req.Message, "requestedSchema": req.RequestedSchema})
	_, peer := p.peer(ctx)
	res, err := peer.Elicit(ctx, params)
	if err != nil {
		decline(err.Error())
		return
	}
	stack[0] = p.writeOutput(ctx, cp, res, "create_elicitation")
}

func (p *Plugin) hostCreateMessage(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	in := p.readInput(ctx, cp, stack[0], "create_message")
	fail := func(reason string) {
		// A value the guest can read: {"error": "..."}; decoding it as a
		// CreateMessageResult gives empty content rather than a trap.
		b, _ := json.Marshal(map[string]string{"error": reason})
		stack[0] = p.writeOutput(ctx, cp, b, "create_message")
	}
	if !json.Valid(in) || len(in) == 0 {
		fail("invalid create_message input: not JSON")
		return
	}
	_, peer := p.peer(ctx)
	res, err := peer.CreateMessage(ctx, in)
	if err != nil {
		fail("sampling failed: " + err.Error())
		return
	}
	stack[0] = p.writeOutput(ctx, cp, res, "create_message")
}

func (p *Plugin) hostListRoots(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	_, peer := p.peer(ctx)
	res, err := peer.ListRoots(ctx)
	if err != nil || !json.Valid(res) {
		res = []byte(`{"roots":[]}`)
	}
	stack[0] = p.writeOutput(ctx, cp, res, "list_roots")
}

func (p *Plugin) hostLog(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	in := p.readInput(ctx, cp, stack[0], "notify_logging_message")
	msg, err := decodeLogMessage(in, p.name)
	if err != nil {
		p.log.Warn("guest sent a malformed logging message", "error", err)
		return
	}
	_, peer := p.peer(ctx)
	peer.Log(ctx, msg.Level, msg.Logger, msg.Data)
}

var validLogLevel = map[string]bool{"debug": true, "info": true, "notice": true, "warning": true, "error": true, "critical": true, "alert": true, "emergency": true}

func (p *Plugin) hostProgress(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	in := p.readInput(ctx, cp, stack[0], "notify_progress")
	msg, err := decodeProgress(in)
	if err != nil {
		p.log.Warn("guest sent a malformed progress notification", "input", string(truncate(in, 200)))
		return
	}
	// The guest's own progressToken is ignored: the Peer sends with the
	// in-flight request's token, so a guest cannot report into another
	// request's progress.
	_, peer := p.peer(ctx)
	peer.Progress(ctx, *msg.Progress, msg.Total, msg.Message)
}

func (p *Plugin) hostChanged(l Lists) hostFn {
	return func(ctx context.Context, _ *engine.Kernel, _ []uint64) {
		if s := stateFrom(ctx); s != nil {
			s.markChanged(l)
		}
	}
}

func (p *Plugin) hostResourceUpdated(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	in := p.readInput(ctx, cp, stack[0], "notify_resource_updated")
	uri, err := decodeResourceUpdated(in)
	if err != nil {
		p.log.Warn("guest sent a malformed resource update")
		return
	}
	_, peer := p.peer(ctx)
	peer.ResourceUpdated(ctx, uri)
}

func (p *Plugin) hostNull(fn string) hostFn {
	return func(ctx context.Context, cp *engine.Kernel, stack []uint64) {
		p.readInput(ctx, cp, stack[0], fn)
		p.log.Info("guest called a host function toolhost denies by default", "function", fn)
		stack[0] = p.writeOutput(ctx, cp, []byte("null"), fn)
	}
}

func (p *Plugin) hostNoValue(fn string) hostFn {
	return func(ctx context.Context, cp *engine.Kernel, stack []uint64) {
		p.readInput(ctx, cp, stack[0], fn)
		p.log.Info("guest called a host function toolhost denies by default", "function", fn)
		stack[0] = 0
	}
}

// hostHTTPRequest serves the kernel's http_request through the egress
// guard. Input: a JSON block {url, method?, headers?} and an optional body
// block; output: the response body block (0 when empty). Like Extism, a
// refusal traps the guest (existing plugins expect the call to fail), but
// the call's error reports the denial with the config key that grants it.
func (p *Plugin) hostHTTPRequest(ctx context.Context, cp *engine.Kernel, stack []uint64) {
	s := stateFrom(ctx)
	if s == nil {
		panic("BUG: http_request outside a toolhost call")
	}
	s.httpStatus, s.httpHeaders = 0, nil
	in := p.readInput(ctx, cp, stack[0], "http_request")
	_ = cp.Free(stack[0])
	req, err := decodeHTTPRequest(in)
	if err != nil {
		panic(fmt.Errorf("http_request: invalid request JSON: %v", err))
	}
	if stack[1] != 0 {
		req.Body = p.readInput(ctx, cp, stack[1], "http_request body")
		_ = cp.Free(stack[1])
	}
	resp, err := p.egress.Do(ctx, req)
	if err != nil {
		var denied *egress.DeniedError
		if errors.As(err, &denied) {
			s.deny(err)
			p.log.Warn("network access denied", "target", denied.Target, "reason", denied.Reason, "tool", toolFrom(ctx))
		}
		panic(fmt.Errorf("http_request: %w", err))
	}
	s.httpStatus = int32(resp.Status)
	s.httpHeaders, _ = json.Marshal(resp.Header)
	p.log.Debug("plugin http request", "method", req.Method, "status", resp.Status, "bytes", len(resp.Body))
	if len(resp.Body) == 0 {
		stack[0] = 0
		return
	}
	stack[0] = p.writeOutput(ctx, cp, resp.Body, "http_request")
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

type toolKey struct{}

func toolFrom(ctx context.Context) string {
	s, _ := ctx.Value(toolKey{}).(string)
	return s
}
