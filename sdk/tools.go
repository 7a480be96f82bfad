package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Tool describes a tool as list_tools reports it.
type Tool struct {
	Name        string // plugin-local; the host adds its namespace
	Title       string
	Description string
	// InputSchema is a JSON Schema with "type":"object". Nil means
	// {"type":"object"} (no arguments).
	InputSchema json.RawMessage
	// OutputSchema, if set, describes Result.StructuredContent.
	OutputSchema json.RawMessage
	Annotations  *ToolAnnotations
}

// ToolAnnotations are MCP's hints about a tool's behaviour. Nil pointers are
// omitted; use Bool to set them.
type ToolAnnotations struct {
	Title           string `json:"title,omitempty"`
	ReadOnlyHint    *bool  `json:"readOnlyHint,omitempty"`
	DestructiveHint *bool  `json:"destructiveHint,omitempty"`
	IdempotentHint  *bool  `json:"idempotentHint,omitempty"`
	OpenWorldHint   *bool  `json:"openWorldHint,omitempty"`
}

// Bool returns a pointer to b, for ToolAnnotations.
func Bool(b bool) *bool { return &b }

// ToolHandler runs a tool call. Returning an error yields an isError result
// carrying the error's message (see Abort for the alternative).
type ToolHandler func(c *Call) (*Result, error)

type toolEntry struct {
	tool    Tool
	handler ToolHandler
}

// AddTool registers (or replaces, by name) a tool. It panics on an empty
// name, a nil handler or an input schema that is not a JSON object with
// "type":"object", since those are programming errors.
func AddTool(t Tool, h ToolHandler) {
	if t.Name == "" {
		panic("sdk.AddTool: empty tool name")
	}
	if h == nil {
		panic(fmt.Sprintf("sdk.AddTool(%q): nil handler", t.Name))
	}
	if t.InputSchema == nil {
		t.InputSchema = json.RawMessage(`{"type":"object"}`)
	}
	if err := checkObjectSchema(t.InputSchema); err != nil {
		panic(fmt.Sprintf("sdk.AddTool(%q): InputSchema: %v", t.Name, err))
	}
	if t.OutputSchema != nil {
		if err := checkObjectSchema(t.OutputSchema); err != nil {
			panic(fmt.Sprintf("sdk.AddTool(%q): OutputSchema: %v", t.Name, err))
		}
	}
	reg.tools.put(t.Name, toolEntry{t, h})
}

// RemoveTool unregisters a tool; it reports whether it existed.
func RemoveTool(name string) bool { return reg.tools.remove(name) }

func checkObjectSchema(s json.RawMessage) error {
	var m struct {
		Type any `json:"type"`
	}
	if err := json.Unmarshal(s, &m); err != nil {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	if m.Type != "object" {
		return fmt.Errorf(`want "type":"object", got %v`, m.Type)
	}
	return nil
}

// MarshalJSON emits the MCP Tool object.
func (t Tool) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name         string           `json:"name"`
		Title        string           `json:"title,omitempty"`
		Description  string           `json:"description,omitempty"`
		InputSchema  json.RawMessage  `json:"inputSchema"`
		OutputSchema json.RawMessage  `json:"outputSchema,omitempty"`
		Annotations  *ToolAnnotations `json:"annotations,omitempty"`
	}{t.Name, t.Title, t.Description, t.InputSchema, t.OutputSchema, t.Annotations})
}

// Call is one tools/call request.
type Call struct {
	Request
	name string
	args json.RawMessage
}

// Name returns the plugin-local name of the called tool.
func (c *Call) Name() string { return c.name }

// Arguments returns the call's arguments as raw JSON; {} when the client
// sent none.
func (c *Call) Arguments() json.RawMessage { return c.args }

// Bind decodes the arguments into v (a pointer, usually to a struct with
// json tags). Errors read "invalid arguments: ..." so that, returned from the
// handler, they tell the agent what to fix.
func (c *Call) Bind(v any) error {
	if err := json.Unmarshal(c.args, v); err != nil {
		return fmt.Errorf("invalid arguments: %v", err)
	}
	return nil
}

// normaliseArgs makes absent or null arguments read as {}.
func normaliseArgs(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage(`{}`)
	}
	return t
}
