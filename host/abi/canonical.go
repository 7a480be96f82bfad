package abi

import (
	"bytes"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// canonicalCallToolResult reports, in one streaming pass without building
// maps, that b is a call_tool result normaliseCallToolResult would return
// unchanged: an object whose content is a list of text, image, audio or
// resource_link items, each with a string "type" and the string fields its
// type needs, an isError that is a boolean and a structuredContent that is
// an object, if present. It is the common case, and the full path costs ten
// times more (maps, reflection). false means only "take the full path",
// which decides validity and names the error: anything unusual (a
// resource item, a missing type, null where the full path substitutes,
// escaped names, invalid UTF-8) goes there.
func canonicalCallToolResult(b []byte) bool {
	// Duplicate names are allowed (tracking them costs allocations): the
	// full path keeps the last of each, and every one is checked here.
	// The buffer and the decoder are one allocation; jsontext reads a
	// bytes.Buffer in place.
	var s struct {
		buf bytes.Buffer
		dec jsontext.Decoder
	}
	s.buf = *bytes.NewBuffer(b)
	s.dec.Reset(&s.buf, jsontext.AllowDuplicateNames(true))
	d := &s.dec
	if d.PeekKind() != '{' {
		return false
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	content := false
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil || bytes.IndexByte(name, '\\') >= 0 {
			return false
		}
		switch string(name) {
		case `"content"`:
			if !canonicalContentList(d) {
				return false
			}
			content = true
		case `"isError"`:
			if k := d.PeekKind(); k != 't' && k != 'f' {
				return false
			}
			err = d.SkipValue()
		case `"structuredContent"`:
			if d.PeekKind() != '{' {
				return false
			}
			err = d.SkipValue()
		default:
			err = d.SkipValue()
		}
		if err != nil {
			return false
		}
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	_, err := d.ReadToken()
	return content && err == io.EOF // nothing after the object
}

// canonicalContentList reads a list of canonicalContent items.
func canonicalContentList(d *jsontext.Decoder) bool {
	if d.PeekKind() != '[' {
		return false
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	for d.PeekKind() != ']' {
		if !canonicalContent(d) {
			return false
		}
	}
	_, err := d.ReadToken()
	return err == nil
}

// The string fields content types need, as bits.
const (
	hasText = 1 << iota
	hasData
	hasMimeType
	hasURI
	hasName
)

// canonicalContent reads one content item that normaliseContent would
// keep as it is.
func canonicalContent(d *jsontext.Decoder) bool {
	if d.PeekKind() != '{' {
		return false
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	need, fields := 0, 0 // need stays 0 without a type: the full path infers it
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil || bytes.IndexByte(name, '\\') >= 0 {
			return false
		}
		bit := 0
		switch string(name) {
		case `"type"`:
			if d.PeekKind() != '"' {
				return false
			}
			v, err := d.ReadValue()
			if err != nil {
				return false
			}
			switch string(v) { // the types, spelled without escapes
			case `"text"`:
				need = hasText
			case `"image"`, `"audio"`:
				need = hasData | hasMimeType
			case `"resource_link"`:
				need = hasURI | hasName
			default:
				return false // resource items and errors: the full path
			}
			continue
		case `"text"`:
			bit = hasText
		case `"data"`:
			bit = hasData
		case `"mimeType"`:
			bit = hasMimeType
		case `"uri"`:
			bit = hasURI
		case `"name"`:
			bit = hasName
		}
		if bit != 0 {
			if d.PeekKind() != '"' {
				return false // null and other types: the full path decides
			}
			fields |= bit
		}
		if d.SkipValue() != nil {
			return false
		}
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	return need != 0 && fields&need == need
}
