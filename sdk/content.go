package sdk

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Content types, the values of Content.Type.
const (
	ContentText         = "text"
	ContentImage        = "image"
	ContentAudio        = "audio"
	ContentResource     = "resource"
	ContentResourceLink = "resource_link"
)

// Annotations are the optional MCP hints on content and resources.
type Annotations struct {
	Audience     []string `json:"audience,omitempty"` // "user", "assistant"
	Priority     *float64 `json:"priority,omitempty"` // 0 (least) .. 1 (most important)
	LastModified string   `json:"lastModified,omitempty"`
}

// Content is one MCP content block. Build it with Text, Image, Audio,
// EmbeddedText, EmbeddedBlob or ResourceLink; it always marshals with its
// "type" and only the fields that type defines.
type Content struct {
	Type string

	Text     string            // text
	Data     []byte            // image, audio (sent base64-encoded)
	MIMEType string            // image, audio, resource_link
	Resource *ResourceContents // resource

	// resource_link
	URI         string
	Name        string
	Title       string
	Description string
	Size        int64 // 0 = unknown

	Annotations *Annotations
}

// Text returns a text content block.
func Text(s string) Content { return Content{Type: ContentText, Text: s} }

// Image returns an image content block; data is the raw image (not base64).
func Image(data []byte, mimeType string) Content {
	return Content{Type: ContentImage, Data: data, MIMEType: mimeType}
}

// Audio returns an audio content block; data is the raw audio (not base64).
func Audio(data []byte, mimeType string) Content {
	return Content{Type: ContentAudio, Data: data, MIMEType: mimeType}
}

// EmbeddedText returns an embedded text resource.
func EmbeddedText(uri, mimeType, text string) Content {
	return Content{Type: ContentResource, Resource: &ResourceContents{URI: uri, MIMEType: mimeType, Text: text}}
}

// EmbeddedBlob returns an embedded binary resource; data is raw (not base64).
func EmbeddedBlob(uri, mimeType string, data []byte) Content {
	if data == nil {
		data = []byte{}
	}
	return Content{Type: ContentResource, Resource: &ResourceContents{URI: uri, MIMEType: mimeType, Blob: data}}
}

// ResourceLink returns a link to a resource the client can read with
// resources/read. mimeType may be empty.
func ResourceLink(uri, name, mimeType string) Content {
	return Content{Type: ContentResourceLink, URI: uri, Name: name, MIMEType: mimeType}
}

// WithAnnotations returns a copy of c carrying a.
func (c Content) WithAnnotations(a *Annotations) Content { c.Annotations = a; return c }

// MarshalJSON emits the MCP shape of the block for its Type.
func (c Content) MarshalJSON() ([]byte, error) {
	switch c.Type {
	case ContentText:
		if c.Annotations == nil {
			// The common block, without reflection (see Result.marshalFast).
			return appendTextContent(make([]byte, 0, len(`{"type":"text","text":""}`)+len(c.Text)+len(c.Text)/16), c.Text), nil
		}
		return json.Marshal(struct {
			Type        string       `json:"type"`
			Text        string       `json:"text"`
			Annotations *Annotations `json:"annotations,omitempty"`
		}{c.Type, c.Text, c.Annotations})
	case ContentImage, ContentAudio:
		data := c.Data
		if data == nil {
			data = []byte{}
		}
		return json.Marshal(struct {
			Type        string       `json:"type"`
			Data        []byte       `json:"data"`
			MIMEType    string       `json:"mimeType"`
			Annotations *Annotations `json:"annotations,omitempty"`
		}{c.Type, data, c.MIMEType, c.Annotations})
	case ContentResource:
		if c.Resource == nil {
			return nil, fmt.Errorf("sdk: resource content without Resource")
		}
		return json.Marshal(struct {
			Type        string            `json:"type"`
			Resource    *ResourceContents `json:"resource"`
			Annotations *Annotations      `json:"annotations,omitempty"`
		}{c.Type, c.Resource, c.Annotations})
	case ContentResourceLink:
		return json.Marshal(struct {
			Type        string       `json:"type"`
			URI         string       `json:"uri"`
			Name        string       `json:"name"`
			Title       string       `json:"title,omitempty"`
			Description string       `json:"description,omitempty"`
			MIMEType    string       `json:"mimeType,omitempty"`
			Size        int64        `json:"size,omitempty"`
			Annotations *Annotations `json:"annotations,omitempty"`
		}{c.Type, c.URI, c.Name, c.Title, c.Description, c.MIMEType, c.Size, c.Annotations})
	case "":
		return nil, fmt.Errorf("sdk: content without a type (build it with sdk.Text, sdk.Image, ...)")
	default:
		return nil, fmt.Errorf("sdk: unknown content type %q", c.Type)
	}
}

// ResourceContents is the body of a resource: text, or binary Blob when Blob
// is non-nil. It is what resource handlers return and what embedded resource
// content carries.
type ResourceContents struct {
	URI      string
	MIMEType string
	Text     string
	Blob     []byte // non-nil selects a blob (sent base64-encoded)
}

// TextContents returns text resource contents.
func TextContents(uri, mimeType, text string) ResourceContents {
	return ResourceContents{URI: uri, MIMEType: mimeType, Text: text}
}

// BlobContents returns binary resource contents; data is raw (not base64).
func BlobContents(uri, mimeType string, data []byte) ResourceContents {
	if data == nil {
		data = []byte{}
	}
	return ResourceContents{URI: uri, MIMEType: mimeType, Blob: data}
}

// MarshalJSON emits {uri, mimeType?, text} or {uri, mimeType?, blob}.
func (r ResourceContents) MarshalJSON() ([]byte, error) {
	if r.Blob != nil {
		return json.Marshal(struct {
			URI      string `json:"uri"`
			MIMEType string `json:"mimeType,omitempty"`
			Blob     []byte `json:"blob"`
		}{r.URI, r.MIMEType, r.Blob})
	}
	return json.Marshal(struct {
		URI      string `json:"uri"`
		MIMEType string `json:"mimeType,omitempty"`
		Text     string `json:"text"`
	}{r.URI, r.MIMEType, r.Text})
}

// appendTextContent appends a text block without annotations,
// {"type":"text","text":...}, as Content.MarshalJSON's encoding/json path
// writes it.
func appendTextContent(b []byte, text string) []byte {
	b = append(b, `{"type":"text","text":`...)
	b = appendJSONString(b, text)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string exactly as json.Marshal writes
// it: <, > and & as \u003c, \u003e and \u0026 (its default HTML escaping),
// U+2028 and U+2029 as \u2028 and \u2029, each byte of invalid UTF-8 as
// \ufffd, and control characters as \b, \f, \n, \r, \t or \u00XX (lower-case
// hex). jsontext.AppendQuote escapes less and rejects invalid UTF-8, and
// results must not change bytes depending on which path encoded them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
