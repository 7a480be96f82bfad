package mcpserver

import (
	"encoding/json"
	"fmt"

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
