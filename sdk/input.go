package sdk

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// callToolRequest is the "request" object of call_tool's input. It is an
// alias of an unnamed struct, as the type was before it had a name, because
// encoding/json names the type in its errors (which reach the host).
type callToolRequest = struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// decodeCallToolInput decodes call_tool's input envelope
// {"request":{"name":..,"arguments":..},"context":{"id":..,"_meta":..}}.
//
// It is on every tool call's path, and decodeInput's encoding/json
// reflection was most of the sdk's cost of a trivial call (several times
// more under wasm than natively), so the envelope is read with jsontext's
// token decoder instead. Whatever scanCallToolInput does not decode exactly
// as encoding/json would, it leaves to decodeInput, so the result (and
// every error message) is the same either way.
func decodeCallToolInput(input []byte) (callToolRequest, requestContext, error) {
	if req, ctx, ok := scanCallToolInput(input); ok {
		return req, ctx, nil
	}
	var req callToolRequest
	ctx, err := decodeInput(exportCallTool, input, &req)
	if err != nil {
		return callToolRequest{}, requestContext{}, err
	}
	return req, ctx, nil
}

// scanCallToolInput decodes call_tool's input as decodeInput would, without
// reflection. It reports ok=false, and the caller must use decodeInput, for
// any input it cannot promise to decode identically: invalid JSON (so that
// the error message stays encoding/json's), an empty input, a top level
// other than an object, a known member of the wrong type, a repeated known
// name (encoding/json merges or overwrites), a name that only matches a
// known one case-insensitively or that is not ASCII (encoding/json folds
// case, Unicode included), and invalid UTF-8 anywhere (encoding/json
// accepts it, jsontext does not).
//
// The raw values (arguments, id, _meta) alias input, capped so that an
// append to one cannot overwrite the next; input belongs to this call.
func scanCallToolInput(input []byte) (req callToolRequest, ctx requestContext, ok bool) {
	// A bytes.Buffer is parsed in place (no copy); holding it and the
	// decoder in one struct makes them one allocation. Duplicate names are
	// allowed because encoding/json allows them; members rejects the
	// duplicates that matter, and the rest (unknown names, names inside
	// arguments or _meta) are kept or skipped as encoding/json does.
	d := &envelopeDecoder{buf: *bytes.NewBuffer(input), input: input}
	d.dec.Reset(&d.buf, jsontext.AllowDuplicateNames(true))
	if d.dec.PeekKind() != jsontext.KindBeginObject {
		return req, ctx, false
	}
	ok = d.members("request", "context", func(field int) bool {
		switch d.dec.PeekKind() {
		case jsontext.KindNull:
			// encoding/json leaves the target as it is. (For "request" it
			// drops the pointer, which only matters for a repeated name.)
			return d.dec.SkipValue() == nil
		case jsontext.KindBeginObject:
		default:
			return false // a type error from encoding/json
		}
		if field == 0 {
			return d.members("name", "arguments", func(field int) bool {
				if field == 0 {
					return d.string(&req.Name)
				}
				return d.raw(&req.Arguments)
			})
		}
		return d.members("id", "_meta", func(field int) bool {
			if field == 0 {
				return d.raw(&ctx.ID)
			}
			return d.raw(&ctx.Meta)
		})
	})
	if !ok {
		return callToolRequest{}, requestContext{}, false
	}
	// Nothing but whitespace may follow the envelope.
	if _, err := d.dec.ReadToken(); err != io.EOF {
		return callToolRequest{}, requestContext{}, false
	}
	return req, ctx, true
}

// envelopeDecoder reads the objects of a V2 input envelope for
// scanCallToolInput. Each method reports false where encoding/json might
// decode differently or fail; the decoder is then abandoned.
type envelopeDecoder struct {
	buf   bytes.Buffer // input, which dec reads
	dec   jsontext.Decoder
	input []byte // for raw values by offset
}

// members reads the object at the decoder, whose first token must be '{',
// calling value for each member named a (field 0) or b (field 1); value must
// consume the member's value. Other members are skipped, as encoding/json
// ignores unknown fields.
func (d *envelopeDecoder) members(a, b string, value func(field int) bool) bool {
	if _, err := d.dec.ReadToken(); err != nil {
		return false
	}
	var seen [2]bool
	for d.dec.PeekKind() == jsontext.KindString {
		raw, err := d.dec.ReadValue()
		if err != nil {
			return false
		}
		name, ok := asciiName(raw)
		if !ok {
			return false
		}
		field := -1
		switch {
		case string(name) == a:
			field = 0
		case string(name) == b:
			field = 1
		case asciiEqualFold(name, a) || asciiEqualFold(name, b):
			return false // encoding/json would match it to the field
		}
		if field < 0 {
			if d.dec.SkipValue() != nil {
				return false
			}
			continue
		}
		if seen[field] {
			return false
		}
		seen[field] = true
		if !value(field) {
			return false
		}
	}
	// '}', or the error that stopped the loop.
	_, err := d.dec.ReadToken()
	return err == nil
}

// string reads a JSON string into s; null leaves s as it is, as with
// encoding/json.
func (d *envelopeDecoder) string(s *string) bool {
	v, err := d.dec.ReadValue()
	if err != nil {
		return false
	}
	switch v.Kind() {
	case jsontext.KindNull:
		return true
	case jsontext.KindString:
		if bytes.IndexByte(v, '\\') < 0 {
			*s = string(v[1 : len(v)-1]) // the decoder checked its UTF-8
			return true
		}
		u, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return false
		}
		*s = string(u)
		return true
	default:
		return false
	}
}

// raw reads any JSON value into r as its exact bytes, as json.RawMessage
// does.
func (d *envelopeDecoder) raw(r *json.RawMessage) bool {
	v, err := d.dec.ReadValue()
	if err != nil {
		return false
	}
	end := d.dec.InputOffset()
	start := end - int64(len(v))
	if start < 0 || end > int64(len(d.input)) {
		return false
	}
	*r = d.input[start:end:end]
	return true
}

// asciiName unquotes a member name read as a raw JSON string. It reports
// false for a name with non-ASCII characters, for which encoding/json's
// Unicode case folding could match a known name (e.g. "ſ" folds to "s").
func asciiName(raw jsontext.Value) ([]byte, bool) {
	name := raw[1 : len(raw)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		u, err := jsontext.AppendUnquote(nil, raw)
		if err != nil {
			return nil, false
		}
		name = u
	}
	for _, c := range name {
		if c >= 0x80 {
			return nil, false
		}
	}
	return name, true
}

// asciiEqualFold reports whether the ASCII name equals s ignoring case, the
// way encoding/json matches names to fields.
func asciiEqualFold(name []byte, s string) bool {
	if len(name) != len(s) {
		return false
	}
	for i := range len(name) {
		c, t := name[i], s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if 'a' <= t && t <= 'z' {
			t -= 'a' - 'A'
		}
		if c != t {
			return false
		}
	}
	return true
}
