package abi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Tool is a tool as a plugin lists it, with a plugin-local name. Schemas and
// other open-ended fields are passed through verbatim after validation.
type Tool struct {
	Name         string          `json:"name"`
	Title        string          `json:"title,omitempty"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"inputSchema"`
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
	Annotations  json.RawMessage `json:"annotations,omitempty"`
	Icons        json.RawMessage `json:"icons,omitempty"`
	Meta         json.RawMessage `json:"_meta,omitempty"`
}

// Prompt is a prompt as a plugin lists it.
type Prompt struct {
	Name        string           `json:"name"`
	Title       string           `json:"title,omitempty"`
	Description string           `json:"description,omitempty"`
	Arguments   []PromptArgument `json:"arguments,omitempty"`
	Icons       json.RawMessage  `json:"icons,omitempty"`
	Meta        json.RawMessage  `json:"_meta,omitempty"`
}

// PromptArgument is one argument of a Prompt.
type PromptArgument struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// Resource is a static resource as a plugin lists it (plugin-local URI).
type Resource struct {
	URI         string          `json:"uri"`
	Name        string          `json:"name"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	MIMEType    string          `json:"mimeType,omitempty"`
	Size        *int64          `json:"size,omitempty"`
	Annotations json.RawMessage `json:"annotations,omitempty"`
	Icons       json.RawMessage `json:"icons,omitempty"`
	Meta        json.RawMessage `json:"_meta,omitempty"`
}

// ResourceTemplate is an RFC 6570 resource template (plugin-local).
type ResourceTemplate struct {
	URITemplate string          `json:"uriTemplate"`
	Name        string          `json:"name"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	MIMEType    string          `json:"mimeType,omitempty"`
	Annotations json.RawMessage `json:"annotations,omitempty"`
	Icons       json.RawMessage `json:"icons,omitempty"`
	Meta        json.RawMessage `json:"_meta,omitempty"`
}

// Completion is a complete export's answer.
type Completion struct {
	Values  []string `json:"values"`
	Total   *int     `json:"total,omitempty"`
	HasMore bool     `json:"hasMore,omitempty"`
}

// MaxCompletionValues is the MCP limit on completion values per answer.
const MaxCompletionValues = 100

// DecodeTools decodes a list_tools (V2) or describe (V1) output:
// {"tools":[Tool]}. A null list is empty. Every tool needs a name, and its
// inputSchema must be a JSON object whose "type", if present, is "object";
// a missing schema becomes {"type":"object"} and a schema without "type"
// gets it added.
func DecodeTools(b []byte) ([]Tool, error) {
	var out struct {
		Tools []Tool `json:"tools"`
	}
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range out.Tools {
		t := &out.Tools[i]
		if t.Name == "" {
			return nil, fmt.Errorf("tools[%d]: name is empty", i)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("tools[%d]: duplicate tool name %q", i, t.Name)
		}
		seen[t.Name] = true
		schema, err := normaliseObjectSchema(t.InputSchema)
		if err != nil {
			return nil, fmt.Errorf("tool %q: inputSchema: %w", t.Name, err)
		}
		t.InputSchema = schema
		if isNull(t.OutputSchema) {
			t.OutputSchema = nil
		} else if !isJSONObject(t.OutputSchema) {
			return nil, fmt.Errorf("tool %q: outputSchema must be a JSON object", t.Name)
		}
		t.Annotations = dropNull(t.Annotations)
		t.Icons = dropNull(t.Icons)
		t.Meta = dropNull(t.Meta)
	}
	return nonNil(out.Tools), nil
}

// DecodePrompts decodes a list_prompts output: {"prompts":[Prompt]}.
func DecodePrompts(b []byte) ([]Prompt, error) {
	var out struct {
		Prompts []Prompt `json:"prompts"`
	}
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, p := range out.Prompts {
		if p.Name == "" {
			return nil, fmt.Errorf("prompts[%d]: name is empty", i)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("prompts[%d]: duplicate prompt name %q", i, p.Name)
		}
		seen[p.Name] = true
		for j, a := range p.Arguments {
			if a.Name == "" {
				return nil, fmt.Errorf("prompt %q: arguments[%d]: name is empty", p.Name, j)
			}
		}
		out.Prompts[i].Icons = dropNull(p.Icons)
		out.Prompts[i].Meta = dropNull(p.Meta)
	}
	return nonNil(out.Prompts), nil
}

// DecodeResources decodes a list_resources output: {"resources":[Resource]}.
func DecodeResources(b []byte) ([]Resource, error) {
	var out struct {
		Resources []Resource `json:"resources"`
	}
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, r := range out.Resources {
		if r.URI == "" {
			return nil, fmt.Errorf("resources[%d]: uri is empty", i)
		}
		if seen[r.URI] {
			return nil, fmt.Errorf("resources[%d]: duplicate uri %q", i, r.URI)
		}
		seen[r.URI] = true
		if r.Name == "" {
			out.Resources[i].Name = r.URI
		}
		out.Resources[i].Annotations = dropNull(r.Annotations)
		out.Resources[i].Icons = dropNull(r.Icons)
		out.Resources[i].Meta = dropNull(r.Meta)
	}
	return nonNil(out.Resources), nil
}

// DecodeResourceTemplates decodes a list_resource_templates output:
// {"resourceTemplates":[ResourceTemplate]}.
func DecodeResourceTemplates(b []byte) ([]ResourceTemplate, error) {
	var out struct {
		Templates []ResourceTemplate `json:"resourceTemplates"`
	}
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, t := range out.Templates {
		if t.URITemplate == "" {
			return nil, fmt.Errorf("resourceTemplates[%d]: uriTemplate is empty", i)
		}
		if seen[t.URITemplate] {
			return nil, fmt.Errorf("resourceTemplates[%d]: duplicate uriTemplate %q", i, t.URITemplate)
		}
		seen[t.URITemplate] = true
		if t.Name == "" {
			out.Templates[i].Name = t.URITemplate
		}
		out.Templates[i].Annotations = dropNull(t.Annotations)
		out.Templates[i].Icons = dropNull(t.Icons)
		out.Templates[i].Meta = dropNull(t.Meta)
	}
	return nonNil(out.Templates), nil
}

// DecodeCompletion decodes a complete output: {"completion":{...}}. Values
// beyond MaxCompletionValues are cut and HasMore is set.
func DecodeCompletion(b []byte) (Completion, error) {
	var out struct {
		Completion *Completion `json:"completion"`
	}
	if err := decodeObject(b, &out); err != nil {
		return Completion{}, err
	}
	if out.Completion == nil {
		return Completion{Values: []string{}}, nil
	}
	c := *out.Completion
	if len(c.Values) > MaxCompletionValues {
		c.Values = c.Values[:MaxCompletionValues]
		c.HasMore = true
	}
	c.Values = nonNil(c.Values)
	return c, nil
}

// NormaliseCallToolResult validates a call_tool (V2) or call (V1) output and
// returns it in canonical MCP form: content items get their "type" inferred
// when a guest omitted it (a known bug of the reference Go template), a null
// content list becomes [], and anything that is not a CallToolResult is an
// error.
func NormaliseCallToolResult(b []byte) ([]byte, error) {
	if canonicalCallToolResult(b) {
		return b, nil
	}
	return normaliseCallToolResult(b)
}

// normaliseCallToolResult is NormaliseCallToolResult without the fast path.
func normaliseCallToolResult(b []byte) ([]byte, error) {
	var out map[string]json.RawMessage
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	orig, hasContent := out["content"]
	content, err := normaliseContentList(orig, "content")
	if err != nil {
		return nil, err
	}
	unchanged := hasContent && len(content) == len(orig) && len(orig) > 0 && &content[0] == &orig[0]
	out["content"] = content
	if raw, ok := out["isError"]; ok && !isNull(raw) {
		var v bool
		if json.Unmarshal(raw, &v) != nil {
			return nil, errors.New("isError must be a boolean")
		}
	}
	if raw, ok := out["structuredContent"]; ok {
		if isNull(raw) {
			delete(out, "structuredContent")
			unchanged = false
		} else if !isJSONObject(raw) {
			return nil, errors.New("structuredContent must be a JSON object")
		}
	}
	if unchanged {
		return b, nil // valid and canonical as the guest wrote it
	}
	return json.Marshal(out)
}

// NormaliseGetPromptResult validates a get_prompt output and normalises the
// content of each message.
func NormaliseGetPromptResult(b []byte) ([]byte, error) {
	var out struct {
		Description string            `json:"description,omitempty"`
		Messages    []json.RawMessage `json:"messages"`
		Meta        json.RawMessage   `json:"_meta,omitempty"`
	}
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	for i, raw := range out.Messages {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, fmt.Errorf("messages[%d]: not a JSON object", i)
		}
		var role string
		if json.Unmarshal(m["role"], &role) != nil || (role != "user" && role != "assistant") {
			return nil, fmt.Errorf("messages[%d]: role must be \"user\" or \"assistant\"", i)
		}
		item, err := normaliseContent(m["content"], fmt.Sprintf("messages[%d].content", i))
		if err != nil {
			return nil, err
		}
		m["content"] = item
		if out.Messages[i], err = json.Marshal(m); err != nil {
			return nil, err
		}
	}
	out.Messages = nonNil(out.Messages)
	out.Meta = dropNull(out.Meta)
	return json.Marshal(out)
}

// NormaliseReadResourceResult validates a read_resource output. Each content
// needs a uri and exactly one of text or blob.
func NormaliseReadResourceResult(b []byte) ([]byte, error) {
	var out struct {
		Contents []map[string]json.RawMessage `json:"contents"`
		Meta     json.RawMessage              `json:"_meta,omitempty"`
	}
	if err := decodeObject(b, &out); err != nil {
		return nil, err
	}
	for i, c := range out.Contents {
		if err := checkResourceContents(c); err != nil {
			return nil, fmt.Errorf("contents[%d]: %w", i, err)
		}
	}
	if out.Contents == nil {
		out.Contents = []map[string]json.RawMessage{}
	}
	out.Meta = dropNull(out.Meta)
	return json.Marshal(out)
}

func checkResourceContents(c map[string]json.RawMessage) error {
	if c == nil {
		return errors.New("not a JSON object")
	}
	var uri string
	if json.Unmarshal(c["uri"], &uri) != nil || uri == "" {
		return errors.New("uri is missing")
	}
	_, hasText := c["text"]
	_, hasBlob := c["blob"]
	if hasText == hasBlob {
		return errors.New("needs exactly one of text or blob")
	}
	var s string
	if hasText && json.Unmarshal(c["text"], &s) != nil {
		return errors.New("text must be a string")
	}
	if hasBlob && json.Unmarshal(c["blob"], &s) != nil {
		return errors.New("blob must be a base64 string")
	}
	return nil
}

func normaliseContentList(raw json.RawMessage, where string) (json.RawMessage, error) {
	if isNull(raw) {
		return json.RawMessage(`[]`), nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s must be a list of content items", where)
	}
	changed := false
	for i, item := range items {
		n, err := normaliseContent(item, "")
		if err != nil {
			// Name the item only now: formatting every item's place was
			// a good part of a successful call's allocations.
			_, err = normaliseContent(item, fmt.Sprintf("%s[%d]", where, i))
			return nil, err
		}
		if len(n) != len(item) || &n[0] != &item[0] {
			items[i], changed = n, true
		}
	}
	if !changed && items != nil {
		return raw, nil // already canonical: the common case
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return json.Marshal(items)
}

// normaliseContent checks one content item and infers a missing "type".
func normaliseContent(raw json.RawMessage, where string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: not a JSON object", where)
	}
	var typ string
	if t, ok := m["type"]; ok {
		if json.Unmarshal(t, &typ) != nil {
			return nil, fmt.Errorf("%s: type must be a string", where)
		}
	}
	inferred := typ == ""
	if inferred {
		typ = inferContentType(m)
		if typ == "" {
			return nil, fmt.Errorf("%s: no type, and its fields match no MCP content type", where)
		}
		m["type"], _ = json.Marshal(typ)
	}
	str := func(key string) bool {
		var s string
		return json.Unmarshal(m[key], &s) == nil
	}
	switch typ {
	case "text":
		if !str("text") {
			return nil, fmt.Errorf("%s: text content needs a string \"text\"", where)
		}
	case "image", "audio":
		if !str("data") || !str("mimeType") {
			return nil, fmt.Errorf("%s: %s content needs base64 \"data\" and \"mimeType\"", where, typ)
		}
	case "resource":
		var rc map[string]json.RawMessage
		if json.Unmarshal(m["resource"], &rc) != nil {
			return nil, fmt.Errorf("%s: resource content needs a \"resource\" object", where)
		}
		if err := checkResourceContents(rc); err != nil {
			return nil, fmt.Errorf("%s.resource: %w", where, err)
		}
	case "resource_link":
		if !str("uri") || !str("name") {
			return nil, fmt.Errorf("%s: resource_link needs \"uri\" and \"name\"", where)
		}
	default:
		return nil, fmt.Errorf("%s: unknown content type %q (want text, image, audio, resource or resource_link)", where, typ)
	}
	if !inferred {
		return raw, nil // valid as it is
	}
	return json.Marshal(m)
}

func inferContentType(m map[string]json.RawMessage) string {
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case has("text"):
		return "text"
	case has("resource"):
		return "resource"
	case has("data"):
		var mime string
		_ = json.Unmarshal(m["mimeType"], &mime)
		if strings.HasPrefix(mime, "audio/") {
			return "audio"
		}
		return "image"
	case has("uri") && has("name"):
		return "resource_link"
	}
	return ""
}

func normaliseObjectSchema(raw json.RawMessage) (json.RawMessage, error) {
	if isNull(raw) {
		return json.RawMessage(`{"type":"object"}`), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("must be a JSON object")
	}
	if t, ok := m["type"]; ok {
		var s string
		if json.Unmarshal(t, &s) != nil || s != "object" {
			return nil, fmt.Errorf("type must be \"object\", not %s", t)
		}
		return compact(raw)
	}
	m["type"] = json.RawMessage(`"object"`)
	return json.Marshal(m)
}

// decodeObject decodes one JSON object and rejects trailing data, so a
// guest cannot smuggle a second value after the first.
func decodeObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("output is empty; expected a JSON object")
	}
	if b[0] != '{' {
		return fmt.Errorf("output is not a JSON object (starts with %q)", preview(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("output is not valid JSON for this export: %w", err)
	}
	if dec.More() {
		return errors.New("output has data after the JSON object")
	}
	return nil
}

func preview(b []byte) string {
	const n = 16
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func isJSONObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && m != nil
}

func dropNull(raw json.RawMessage) json.RawMessage {
	if isNull(raw) {
		return nil
	}
	return raw
}

func compact(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
