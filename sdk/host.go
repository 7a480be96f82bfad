package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNoHost is returned by host functions when the code does not run inside
// a wasm plugin (for example in native unit tests).
var ErrNoHost = errors.New("sdk: host functions are only available inside a wasm plugin")

// hostBridge is the seam between this package and the host. The wasip1
// build talks to the real extism:host/user imports; tests install a fake.
// There is one method per host function so that the linker drops the
// imports a plugin never reaches.
type hostBridge interface {
	requestInput(req []byte) ([]byte, error)
	createElicitation(req []byte) ([]byte, error)
	createMessage(req []byte) ([]byte, error)
	listRoots() ([]byte, error)
	notifyLoggingMessage(msg []byte)
	notifyProgress(msg []byte)
	notifyToolListChanged()
	notifyPromptListChanged()
	notifyResourceListChanged()
	notifyResourceUpdated(msg []byte)
	config(key string) (string, bool)
}

var host hostBridge = defaultBridge{}

// mustJSON encodes notification payloads, whose types always encode except
// for unencodable user data in Log; that is replaced by its %v text.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprintf("%v", v))
	}
	return b
}

// ElicitResult is the client's answer to an elicitation.
type ElicitResult struct {
	Action  string         `json:"action"` // "accept", "decline" or "cancel"
	Content map[string]any `json:"content,omitempty"`
}

// Elicit asks the user, through the client, for input matching schema (a
// flat JSON Schema object of primitive properties). Hosts answer "decline"
// when the client cannot elicit; a declined answer may carry
// content["error"] explaining why.
func Elicit(message string, schema json.RawMessage) (*ElicitResult, error) {
	if schema == nil {
		schema = json.RawMessage(`{"type":"object","properties":{}}`)
	}
	req, err := json.Marshal(struct {
		Message string          `json:"message"`
		Schema  json.RawMessage `json:"requestedSchema"`
	}{message, schema})
	if err != nil {
		return nil, fmt.Errorf("sdk.Elicit: encode request: %w", err)
	}
	out, err := host.createElicitation(req)
	if err != nil {
		return nil, err
	}
	var res ElicitResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("sdk.Elicit: decode host answer: %w", err)
	}
	if res.Action == "" {
		return nil, fmt.Errorf("sdk.Elicit: host answer has no action: %.200s", out)
	}
	return &res, nil
}

// Sample asks the client's model for a completion (sampling/createMessage).
// params are MCP CreateMessageRequest params; the result is the raw
// CreateMessageResult. A host answer of the form {"error": ...} (hosts use
// it when the client cannot sample) becomes a Go error.
func Sample(params json.RawMessage) (json.RawMessage, error) {
	if !json.Valid(params) {
		return nil, errors.New("sdk.Sample: params are not valid JSON")
	}
	out, err := host.createMessage(params)
	if err != nil {
		return nil, err
	}
	if err := hostError(out); err != nil {
		return nil, fmt.Errorf("sdk.Sample: %w", err)
	}
	return out, nil
}

// SampleText asks the client's model to answer prompt (one user message) in
// at most maxTokens tokens and returns the text of the answer.
func SampleText(prompt string, maxTokens int) (string, error) {
	params, err := json.Marshal(map[string]any{
		"messages":  []PromptMessage{UserMessage(Text(prompt))},
		"maxTokens": maxTokens,
	})
	if err != nil {
		return "", fmt.Errorf("sdk.SampleText: %w", err)
	}
	out, err := Sample(params)
	if err != nil {
		return "", err
	}
	return sampleText(out)
}

// sampleText extracts the text of a CreateMessageResult whose content is
// one block or (newer MCP revisions) an array of blocks.
func sampleText(out []byte) (string, error) {
	var res struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return "", fmt.Errorf("sdk.SampleText: decode host answer: %w", err)
	}
	type block struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	var blocks []block
	c := bytes.TrimSpace(res.Content)
	switch {
	case len(c) > 0 && c[0] == '[':
		if err := json.Unmarshal(c, &blocks); err != nil {
			return "", fmt.Errorf("sdk.SampleText: decode content: %w", err)
		}
	case len(c) > 0 && c[0] == '{':
		var b block
		if err := json.Unmarshal(c, &b); err != nil {
			return "", fmt.Errorf("sdk.SampleText: decode content: %w", err)
		}
		blocks = []block{b}
	default:
		return "", fmt.Errorf("sdk.SampleText: host answer has no content: %.200s", out)
	}
	var sb []byte
	found := false
	for _, b := range blocks {
		if b.Type == ContentText {
			if found {
				sb = append(sb, '\n')
			}
			sb = append(sb, b.Text...)
			found = true
		}
	}
	if !found {
		return "", errors.New("sdk.SampleText: the model answered without text")
	}
	return string(sb), nil
}

// hostError recognises {"error": "msg"} or {"error": {"message": "msg"}}.
func hostError(out []byte) error {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(out, &e) != nil || len(e.Error) == 0 || bytes.Equal(e.Error, []byte("null")) {
		return nil
	}
	var s string
	if json.Unmarshal(e.Error, &s) == nil {
		return errors.New(s)
	}
	var o struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(e.Error, &o) == nil && o.Message != "" {
		return errors.New(o.Message)
	}
	return fmt.Errorf("host error: %s", e.Error)
}

// Root is one of the client's roots (a directory or other base URI).
type Root struct {
	URI  string `json:"uri"`
	Name string `json:"name,omitempty"`
}

// ListRoots asks the client for its roots; hosts answer an empty list when
// the client does not support roots. The result is never nil on success.
func ListRoots() ([]Root, error) {
	out, err := host.listRoots()
	if err != nil {
		return nil, err
	}
	var res struct {
		Roots []Root `json:"roots"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("sdk.ListRoots: decode host answer: %w", err)
	}
	if res.Roots == nil {
		res.Roots = []Root{}
	}
	return res.Roots, nil
}

// NotifyToolListChanged tells the client that the tool list changed.
func NotifyToolListChanged() { host.notifyToolListChanged() }

// NotifyPromptListChanged tells the client that the prompt list changed.
func NotifyPromptListChanged() { host.notifyPromptListChanged() }

// NotifyResourceListChanged tells the client that the resource list changed.
func NotifyResourceListChanged() { host.notifyResourceListChanged() }

// NotifyResourceUpdated tells a subscribed client that the resource with
// the given plugin-local URI changed.
func NotifyResourceUpdated(uri string) {
	host.notifyResourceUpdated(mustJSON(struct {
		URI string `json:"uri"`
	}{uri}))
}

// Config returns the Extism config value for key (hyper-mcp's env_vars).
func Config(key string) (string, bool) { return host.config(key) }

// InputRequest is one question for Ask: an MCP method and its params.
type InputRequest struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params,omitempty"`
}

// ElicitRequest, SampleRequest and RootsRequest build InputRequests.
func ElicitRequest(message string, schema json.RawMessage) InputRequest {
	if schema == nil {
		schema = json.RawMessage(`{"type":"object","properties":{}}`)
	}
	p, _ := json.Marshal(struct {
		Message string          `json:"message"`
		Schema  json.RawMessage `json:"requestedSchema"`
	}{message, schema})
	return InputRequest{Method: "elicitation/create", Params: p}
}

// SampleRequest asks the client's model (params are MCP CreateMessageRequest params).
func SampleRequest(params json.RawMessage) InputRequest {
	return InputRequest{Method: "sampling/createMessage", Params: params}
}

// RootsRequest asks for the client's roots.
func RootsRequest() InputRequest { return InputRequest{Method: "roots/list"} }

// Ask asks the client several questions at once, each under a key of the
// plugin's choosing, and returns the client's answers (the raw MCP results)
// by key. Under a 2026-07-28 client, all the questions travel in one
// input_required round with these keys; under older clients, toolhost sends
// them as concurrent server-to-client requests.
//
// Ask is a toolhost extension (host function toolhost:host/user
// request_input): a plugin that calls it runs only under toolhost. The
// hyper-mcp functions (Elicit, Sample, ListRoots) ask one question each.
func Ask(requests map[string]InputRequest) (map[string]json.RawMessage, error) {
	req, err := json.Marshal(map[string]any{"requests": requests})
	if err != nil {
		return nil, fmt.Errorf("sdk.Ask: encode: %w", err)
	}
	out, err := host.requestInput(req)
	if err != nil {
		return nil, err
	}
	if err := hostError(out); err != nil {
		return nil, fmt.Errorf("sdk.Ask: %w", err)
	}
	var res struct {
		Responses map[string]json.RawMessage `json:"responses"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("sdk.Ask: decode host answer: %w", err)
	}
	return res.Responses, nil
}
