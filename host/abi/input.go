package abi

import (
	"encoding/json"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// Context is the request context every V2 input carries: the client's
// JSON-RPC id (a number or a string) and the request's _meta as received,
// including progressToken.
type Context struct {
	ID   any            `json:"id"`
	Meta map[string]any `json:"_meta"`
}

// defaultID is the id sent when a request has none: guests built from
// typed templates (Rust serde, Go structs) treat id as a string, and null
// would fail to decode there.
const defaultID = "toolhost"

func (c Context) withMeta() Context {
	if c.ID == nil {
		c.ID = defaultID
	}
	if c.Meta == nil {
		c.Meta = map[string]any{}
	}
	return c
}

// ListInput is the input of list_tools, list_prompts, list_resources and
// list_resource_templates.
func ListInput(c Context) []byte {
	return mustJSON(struct {
		Context Context `json:"context"`
	}{c.withMeta()})
}

// CallToolInput is the V2 call_tool input. Missing arguments are sent as {}
// (the reference host omits the key; guests handle {} everywhere).
//
// It is on every tool call's path, so the common case (an integer or string
// id) is appended directly: one allocation instead of json.Marshal's
// reflection over a nested struct. Anything else takes callToolInputJSON.
func CallToolInput(c Context, name string, arguments json.RawMessage) []byte {
	args := orEmptyObject(arguments)
	if c.ID == nil {
		c.ID = defaultID
	}
	var meta []byte // nil appends as {}
	if len(c.Meta) > 0 {
		meta = mustJSON(c.Meta)
	}
	b := make([]byte, 0, len(`{"request":{"name":"","arguments":},"context":{"id":,"_meta":{}}}`)+len(name)+len(args)+len(meta)+24)
	b = append(b, `{"request":{"name":`...)
	b, _ = jsontext.AppendQuote(b, name) // invalid UTF-8 becomes U+FFFD, as with json.Marshal
	b = append(b, `,"arguments":`...)
	start := len(b)
	b = append(b, args...)
	// Compact validates the syntax too; arguments that are not one JSON
	// value take the json.Marshal path, which decides as it always has.
	// (Strings stay as sent: json.Marshal would also escape <, > and &.)
	v := jsontext.Value(b[start:])
	if v.Compact() != nil {
		return callToolInputJSON(c.withMeta(), name, args)
	}
	b = append(b[:start+len(v)], `},"context":{"id":`...)
	switch id := c.ID.(type) {
	case int64:
		b = strconv.AppendInt(b, id, 10)
	case string:
		b, _ = jsontext.AppendQuote(b, id)
	default:
		return callToolInputJSON(c.withMeta(), name, args)
	}
	b = append(b, `,"_meta":`...)
	if meta == nil {
		b = append(b, `{}`...)
	} else {
		b = append(b, meta...)
	}
	return append(b, `}}`...)
}

// callToolInputJSON is CallToolInput through json.Marshal.
func callToolInputJSON(c Context, name string, arguments json.RawMessage) []byte {
	return mustJSON(struct {
		Request struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"request"`
		Context Context `json:"context"`
	}{Request: struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}{name, arguments}, Context: c})
}

// V1CallInput is the V1 call input: {"params":{"name","arguments"}}.
func V1CallInput(name string, arguments json.RawMessage) []byte {
	type params struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	return mustJSON(struct {
		Params params `json:"params"`
	}{params{name, orEmptyObject(arguments)}})
}

// GetPromptInput is the V2 get_prompt input.
func GetPromptInput(c Context, name string, arguments map[string]string) []byte {
	if arguments == nil {
		arguments = map[string]string{}
	}
	type request struct {
		Name      string            `json:"name"`
		Arguments map[string]string `json:"arguments"`
	}
	return mustJSON(struct {
		Request request `json:"request"`
		Context Context `json:"context"`
	}{request{name, arguments}, c.withMeta()})
}

// ReadResourceInput is the V2 read_resource input; uri is plugin-local.
func ReadResourceInput(c Context, uri string) []byte {
	type request struct {
		URI string `json:"uri"`
	}
	return mustJSON(struct {
		Request request `json:"request"`
		Context Context `json:"context"`
	}{request{uri}, c.withMeta()})
}

// CompletionRef names what is being completed, with the MCP "ref/" prefix
// already stripped from Type ("prompt" or "resource") and a plugin-local
// Name or URI.
type CompletionRef struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
	URI  string `json:"uri,omitempty"`
}

// CompleteInput is the V2 complete input.
func CompleteInput(c Context, ref CompletionRef, argName, argValue string, contextArgs map[string]string) []byte {
	type argument struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type reqContext struct {
		Arguments map[string]string `json:"arguments"`
	}
	type request struct {
		Ref      CompletionRef `json:"ref"`
		Argument argument      `json:"argument"`
		Context  *reqContext   `json:"context,omitempty"`
	}
	r := request{Ref: ref, Argument: argument{argName, argValue}}
	if len(contextArgs) > 0 {
		r.Context = &reqContext{contextArgs}
	}
	return mustJSON(struct {
		Request request `json:"request"`
		Context Context `json:"context"`
	}{r, c.withMeta()})
}

// RootsListChangedInput is the on_roots_list_changed notification input, in
// the reference host's shape.
func RootsListChangedInput() []byte { return []byte(`{"context":{"_meta":{}}}`) }

func orEmptyObject(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	return raw
}

// mustJSON marshals values built from this package's own types, which
// cannot fail; a failure is a bug.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("BUG: abi: marshal input: " + err.Error())
	}
	return b
}
