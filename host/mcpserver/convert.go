package mcpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/host/abi"
)

// Converters from the plugin's (already validated) catalog items to mcp-go
// types. Open-ended fields that fail to decode into mcp-go's types are
// dropped rather than failing the item: they are optional hints.

func mcpTool(name string, t abi.Tool) mcp.Tool {
	out := mcp.Tool{Name: name, Title: t.Title, Description: t.Description, RawInputSchema: t.InputSchema}
	if t.OutputSchema != nil {
		out.RawOutputSchema = t.OutputSchema
	}
	if t.Annotations != nil {
		_ = json.Unmarshal(t.Annotations, &out.Annotations)
	}
	if t.Icons != nil {
		_ = json.Unmarshal(t.Icons, &out.Icons)
	}
	out.Meta = meta(t.Meta)
	return out
}

func mcpPrompt(name string, p abi.Prompt) mcp.Prompt {
	out := mcp.Prompt{Name: name, Title: p.Title, Description: p.Description, Meta: meta(p.Meta)}
	for _, a := range p.Arguments {
		out.Arguments = append(out.Arguments, mcp.PromptArgument{Name: a.Name, Title: a.Title, Description: a.Description, Required: a.Required})
	}
	if p.Icons != nil {
		_ = json.Unmarshal(p.Icons, &out.Icons)
	}
	return out
}

func mcpResource(uri string, r abi.Resource) mcp.Resource {
	out := mcp.Resource{URI: uri, Name: r.Name, Title: r.Title, Description: r.Description, MIMEType: r.MIMEType, Meta: meta(r.Meta)}
	if r.Annotations != nil {
		_ = json.Unmarshal(r.Annotations, &out.Annotations)
	}
	if r.Icons != nil {
		_ = json.Unmarshal(r.Icons, &out.Icons)
	}
	return out
}

// mcpTemplate parses the template itself: mcp.NewResourceTemplate panics on
// an invalid RFC 6570 template, and a plugin must not be able to do that.
func mcpTemplate(uri string, t abi.ResourceTemplate) (mcp.ResourceTemplate, error) {
	raw, _ := json.Marshal(uri)
	var tmpl mcp.URITemplate
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		return mcp.ResourceTemplate{}, fmt.Errorf("not a valid RFC 6570 URI template: %w", err)
	}
	out := mcp.ResourceTemplate{URITemplate: &tmpl, Name: t.Name, Title: t.Title, Description: t.Description, MIMEType: t.MIMEType, Meta: meta(t.Meta)}
	if t.Annotations != nil {
		_ = json.Unmarshal(t.Annotations, &out.Annotations)
	}
	if t.Icons != nil {
		_ = json.Unmarshal(t.Icons, &out.Icons)
	}
	return out, nil
}

func meta(raw json.RawMessage) *mcp.Meta {
	if raw == nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	return mcp.NewMetaFromMap(m)
}

// callToolResult turns a plugin's (already validated) call_tool result into
// mcp-go's type. The common result, text items and an isError, is read in
// one jsontext pass; mcp.ParseCallToolResult decodes the bytes twice and
// each item twice more, which was ≈ 4% of a loaded server's CPU (see
// BENCHMARKS.md, P1). Anything else takes ParseCallToolResult.
func callToolResult(raw []byte) (*mcp.CallToolResult, error) {
	if res, ok := textResult(raw); ok {
		return res, nil
	}
	rm := json.RawMessage(raw)
	return mcp.ParseCallToolResult(&rm)
}

// textResult decodes raw as mcp.ParseCallToolResult would when it holds
// exactly "content" (a list of {"type":"text","text":…} items) and
// optionally a boolean "isError", and reports false for anything else:
// other members, item fields such as _meta or annotations, escaped or
// repeated names, invalid UTF-8 (all of which mcp-go decodes in its own
// way).
func textResult(raw []byte) (*mcp.CallToolResult, bool) {
	// Repeated names are refused below, where it costs nothing; jsontext's
	// own check allocates. The buffer and the decoder are one allocation;
	// jsontext reads a bytes.Buffer in place.
	var s struct {
		buf bytes.Buffer
		dec jsontext.Decoder
	}
	s.buf = *bytes.NewBuffer(raw)
	s.dec.Reset(&s.buf, jsontext.AllowDuplicateNames(true))
	d := &s.dec
	if t, err := d.ReadToken(); err != nil || t.Kind() != jsontext.KindBeginObject {
		return nil, false
	}
	res := &mcp.CallToolResult{}
	content, isError := false, false
	for d.PeekKind() != jsontext.KindEndObject {
		name, err := d.ReadValue()
		if err != nil {
			return nil, false
		}
		switch string(name) {
		case `"content"`:
			if content || !textItems(d, res) {
				return nil, false
			}
			content = true
		case `"isError"`:
			t, err := d.ReadToken()
			if err != nil || isError || (t.Kind() != jsontext.KindTrue && t.Kind() != jsontext.KindFalse) {
				return nil, false
			}
			res.IsError, isError = t.Bool(), true
		default:
			return nil, false
		}
	}
	if _, err := d.ReadToken(); err != nil {
		return nil, false
	}
	if _, err := d.ReadToken(); err != io.EOF || !content {
		return nil, false
	}
	return res, true
}

// textItems reads a list of text items into res.Content (left nil when the
// list is empty, as mcp-go's decoder leaves it).
func textItems(d *jsontext.Decoder, res *mcp.CallToolResult) bool {
	if t, err := d.ReadToken(); err != nil || t.Kind() != jsontext.KindBeginArray {
		return false
	}
	for d.PeekKind() != jsontext.KindEndArray {
		if t, err := d.ReadToken(); err != nil || t.Kind() != jsontext.KindBeginObject {
			return false
		}
		item := mcp.TextContent{}
		var typed, texted bool
		for d.PeekKind() != jsontext.KindEndObject {
			name, err := d.ReadValue()
			if err != nil {
				return false
			}
			t, err := d.ReadToken()
			if err != nil || t.Kind() != jsontext.KindString {
				return false
			}
			switch string(name) {
			case `"type"`:
				if typed || t.String() != mcp.ContentTypeText {
					return false
				}
				item.Type, typed = mcp.ContentTypeText, true
			case `"text"`:
				if texted {
					return false
				}
				item.Text, texted = t.String(), true
			default:
				return false
			}
		}
		if _, err := d.ReadToken(); err != nil || !typed || !texted {
			return false
		}
		res.Content = append(res.Content, item)
	}
	_, err := d.ReadToken()
	return err == nil
}
