package sdk

import (
	"fmt"
	"strings"
)

// Resource describes a fixed resource as list_resources reports it.
type Resource struct {
	URI         string       `json:"uri"`
	Name        string       `json:"name"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	MIMEType    string       `json:"mimeType,omitempty"`
	Size        int64        `json:"size,omitempty"` // bytes; 0 = unknown
	Annotations *Annotations `json:"annotations,omitempty"`
}

// ResourceTemplate describes a family of resources as
// list_resource_templates reports it. URITemplate supports simple RFC 6570
// variables: {name} matches one path segment (no "/"), {+name} matches the
// rest including "/". Matched values are percent-decoded.
type ResourceTemplate struct {
	URITemplate string       `json:"uriTemplate"`
	Name        string       `json:"name"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	MIMEType    string       `json:"mimeType,omitempty"`
	Annotations *Annotations `json:"annotations,omitempty"`
}

// ReadRequest is one resources/read request.
type ReadRequest struct {
	Request
	URI string
	// Params holds the template variables when the URI matched a
	// ResourceTemplate; it is empty (not nil) for fixed resources.
	Params map[string]string
}

// ResourceHandler reads a resource. Contents with an empty URI get the
// requested URI. An error fails read_resource with the message.
type ResourceHandler func(r *ReadRequest) ([]ResourceContents, error)

type resourceEntry struct {
	res     Resource
	handler ResourceHandler
}

type templateEntry struct {
	tmpl    ResourceTemplate
	m       *uriMatcher
	handler ResourceHandler
}

// AddResource registers (or replaces, by URI) a fixed resource. It panics on
// an empty URI or name, or a nil handler.
func AddResource(r Resource, h ResourceHandler) {
	if r.URI == "" || r.Name == "" {
		panic(fmt.Sprintf("sdk.AddResource(%q): URI and Name are required", r.URI))
	}
	if h == nil {
		panic(fmt.Sprintf("sdk.AddResource(%q): nil handler", r.URI))
	}
	reg.resources.put(r.URI, resourceEntry{r, h})
}

// RemoveResource unregisters a fixed resource; it reports whether it existed.
func RemoveResource(uri string) bool { return reg.resources.remove(uri) }

// AddResourceTemplate registers (or replaces, by template) a resource
// template. It panics on an empty template or name, a nil handler or a
// template this package cannot match (see ResourceTemplate).
func AddResourceTemplate(t ResourceTemplate, h ResourceHandler) {
	if t.URITemplate == "" || t.Name == "" {
		panic(fmt.Sprintf("sdk.AddResourceTemplate(%q): URITemplate and Name are required", t.URITemplate))
	}
	if h == nil {
		panic(fmt.Sprintf("sdk.AddResourceTemplate(%q): nil handler", t.URITemplate))
	}
	m, err := compileTemplate(t.URITemplate)
	if err != nil {
		panic(fmt.Sprintf("sdk.AddResourceTemplate(%q): %v", t.URITemplate, err))
	}
	reg.templates.put(t.URITemplate, templateEntry{t, m, h})
}

// RemoveResourceTemplate unregisters a template; it reports whether it
// existed.
func RemoveResourceTemplate(uriTemplate string) bool { return reg.templates.remove(uriTemplate) }

// uriMatcher matches URIs against one parsed URI template.
type uriMatcher struct {
	parts []tmplPart
}

// tmplPart is a literal (name == "") or a variable.
type tmplPart struct {
	lit   string
	name  string
	slash bool // {+name}: the value may contain "/"
}

func compileTemplate(tmpl string) (*uriMatcher, error) {
	var parts []tmplPart
	seen := map[string]bool{}
	rest := tmpl
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		lit := rest
		if open >= 0 {
			lit = rest[:open]
		}
		if strings.IndexByte(lit, '}') >= 0 {
			return nil, fmt.Errorf("unbalanced '}'")
		}
		if lit != "" {
			parts = append(parts, tmplPart{lit: lit})
		}
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unterminated '{'")
		}
		expr := rest[open+1 : open+end]
		rest = rest[open+end+1:]
		v := tmplPart{name: expr}
		if strings.HasPrefix(expr, "+") {
			v = tmplPart{name: expr[1:], slash: true}
		}
		if !validVarName(v.name) {
			return nil, fmt.Errorf("unsupported expression {%s}: only {name} and {+name} are supported", expr)
		}
		if seen[v.name] {
			return nil, fmt.Errorf("variable %q used twice", v.name)
		}
		seen[v.name] = true
		if n := len(parts); n > 0 && parts[n-1].name != "" {
			return nil, fmt.Errorf("variables {%s} and {%s} are adjacent; separate them with a literal", parts[n-1].name, v.name)
		}
		parts = append(parts, v)
	}
	return &uriMatcher{parts: parts}, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// match reports whether uri matches and returns the variables,
// percent-decoded.
func (m *uriMatcher) match(uri string) (map[string]string, bool) {
	params := map[string]string{}
	if !matchParts(m.parts, uri, params) {
		return nil, false
	}
	return params, true
}

// matchParts matches s against parts; a variable takes the longest value
// that lets the rest match (regexp-like greedy semantics).
func matchParts(parts []tmplPart, s string, params map[string]string) bool {
	if len(parts) == 0 {
		return s == ""
	}
	p := parts[0]
	if p.name == "" {
		return strings.HasPrefix(s, p.lit) && matchParts(parts[1:], s[len(p.lit):], params)
	}
	limit := len(s)
	if !p.slash {
		if i := strings.IndexByte(s, '/'); i >= 0 {
			limit = i
		}
	}
	for n := limit; n >= 1; n-- {
		if matchParts(parts[1:], s[n:], params) {
			params[p.name] = percentDecode(s[:n])
			return true
		}
	}
	return false
}

// percentDecode decodes %XX escapes; a malformed escape is kept as is.
func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
