package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Result is the result of a tool call (MCP CallToolResult).
type Result struct {
	Content           []Content
	IsError           bool
	StructuredContent any            // see Structured
	Meta              map[string]any // sent as _meta
}

// TextResult returns a successful result holding one text block.
func TextResult(s string) *Result { return &Result{Content: []Content{Text(s)}} }

// ErrorResult returns a failed result (isError:true) holding msg. The agent
// sees the message; prefer this, or returning an error, over Abort.
func ErrorResult(msg string) *Result {
	return &Result{Content: []Content{Text(msg)}, IsError: true}
}

// NewResult returns a successful result holding the given blocks.
func NewResult(content ...Content) *Result { return &Result{Content: content} }

// Structured sets v as the result's structuredContent (v must encode as a
// JSON object, matching the tool's OutputSchema) and returns r. If r has no
// content yet, a text block with v's JSON is added for clients that ignore
// structured content, as the MCP spec recommends.
func (r *Result) Structured(v any) *Result {
	r.StructuredContent = v
	if len(r.Content) == 0 {
		if b, err := json.Marshal(v); err == nil {
			r.Content = append(r.Content, Text(string(b)))
		}
	}
	return r
}

// MarshalJSON emits the MCP CallToolResult; content is [] rather than null.
func (r Result) MarshalJSON() ([]byte, error) {
	if b, ok := r.marshalFast(); ok {
		return b, nil
	}
	return r.marshalJSON()
}

// marshalFast returns r's MarshalJSON output for the common result:
// text content without annotations, isError, and structuredContent absent
// or given as json.RawMessage. It reports false for anything else, which
// takes marshalJSON. Every call_tool result is encoded, and encoding/json's
// reflection over the wrapper struct and each Content was a large part of a
// trivial call's cost in the guest; the output is byte-identical to
// marshalJSON's (including encoding/json's HTML escaping), so clients see
// the same bytes whichever path produced them.
func (r *Result) marshalFast() ([]byte, bool) {
	if len(r.Meta) > 0 {
		return nil, false
	}
	n := len(`{"content":[],"isError":true}`)
	for i := range r.Content {
		c := &r.Content[i]
		if c.Type != ContentText || c.Annotations != nil {
			return nil, false
		}
		n += len(`{"type":"text","text":""},`) + len(c.Text) + len(c.Text)/16
	}
	var structured []byte
	switch s := r.StructuredContent.(type) {
	case nil:
	case json.RawMessage:
		// What json.Marshal does with a json.RawMessage: compact it and
		// escape <, >, & and U+2028/9 (the escaping commutes with
		// compaction, which only drops whitespace outside strings).
		var compact bytes.Buffer
		if json.Compact(&compact, s) != nil || compact.Len() == 0 || compact.Bytes()[0] != '{' {
			return nil, false // marshalJSON reports the error
		}
		escaped := bytes.NewBuffer(make([]byte, 0, compact.Len()+16))
		json.HTMLEscape(escaped, compact.Bytes())
		structured = escaped.Bytes()
	default:
		return nil, false
	}
	b := make([]byte, 0, n+len(`,"structuredContent":`)+len(structured))
	b = append(b, `{"content":[`...)
	for i := range r.Content {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTextContent(b, r.Content[i].Text)
	}
	b = append(b, ']')
	if r.IsError {
		b = append(b, `,"isError":true`...)
	}
	if structured != nil {
		b = append(b, `,"structuredContent":`...)
		b = append(b, structured...)
	}
	return append(b, '}'), true
}

// marshalJSON is MarshalJSON through encoding/json, for what marshalFast
// does not handle.
func (r Result) marshalJSON() ([]byte, error) {
	content := r.Content
	if content == nil {
		content = []Content{}
	}
	var structured json.RawMessage
	if r.StructuredContent != nil {
		b, err := json.Marshal(r.StructuredContent)
		if err != nil {
			return nil, fmt.Errorf("sdk: encode structuredContent: %w", err)
		}
		if len(b) == 0 || b[0] != '{' {
			return nil, fmt.Errorf("sdk: structuredContent must encode as a JSON object, got %.40s", b)
		}
		structured = b
	}
	return json.Marshal(struct {
		Content           []Content       `json:"content"`
		IsError           bool            `json:"isError,omitempty"`
		StructuredContent json.RawMessage `json:"structuredContent,omitempty"`
		Meta              map[string]any  `json:"_meta,omitempty"`
	}{content, r.IsError, structured, r.Meta})
}

// ErrOutputWritten is an escape hatch: a tool handler that has written the
// export's output itself (with go-pdk's pdk.Output*) returns it, and the sdk
// then writes nothing and returns success. Meant for tests of host
// robustness; normal tools never need it.
var ErrOutputWritten = errors.New("sdk: handler wrote the output itself")

// abortError makes an export fail at the Extism level.
type abortError struct{ err error }

func (e *abortError) Error() string { return e.err.Error() }
func (e *abortError) Unwrap() error { return e.err }

// Abort wraps err so that, returned from a tool handler, it fails the whole
// call at the Extism level (error_set + non-zero return) instead of
// producing an isError result. The host then reports a protocol error or an
// error result of its own making. Prefer returning err directly.
func Abort(err error) error {
	if err == nil {
		err = errors.New("aborted")
	}
	return &abortError{err}
}
