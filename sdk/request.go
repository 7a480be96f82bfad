package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// requestContext is the "context" object the host sends with every request:
// the JSON-RPC id of the client's request (a number or a string) and the
// request's _meta as the client sent it.
type requestContext struct {
	ID   json.RawMessage `json:"id,omitempty"`
	Meta json.RawMessage `json:"_meta,omitempty"`
}

// Request is what every handler's request has in common: the identity of the
// MCP request that caused the call and its _meta. Call, PromptRequest and
// ReadRequest embed it.
type Request struct {
	ctx  requestContext
	meta map[string]any // decoded lazily
}

func newRequest(ctx requestContext) Request { return Request{ctx: ctx} }

// ID returns the JSON-RPC id of the client's request: a string, an int64, a
// float64 (non-integral numbers), or nil when the host sent none.
func (r *Request) ID() any { return decodeID(r.ctx.ID) }

// Meta returns the request's _meta object as the client sent it (never nil).
// Numbers are float64, as with encoding/json.
func (r *Request) Meta() map[string]any {
	if r.meta == nil {
		r.meta = map[string]any{}
		if len(r.ctx.Meta) > 0 {
			_ = json.Unmarshal(r.ctx.Meta, &r.meta) // a non-object _meta reads as empty
			if r.meta == nil {
				r.meta = map[string]any{}
			}
		}
	}
	return r.meta
}

// progressToken returns _meta.progressToken exactly as received (a JSON
// string or number), or nil.
func (r *Request) progressToken() json.RawMessage {
	if len(r.ctx.Meta) == 0 {
		return nil
	}
	var m struct {
		Token json.RawMessage `json:"progressToken"`
	}
	if json.Unmarshal(r.ctx.Meta, &m) != nil {
		return nil
	}
	t := bytes.TrimSpace(m.Token)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil
	}
	return t
}

// Progress reports progress on this request with the client's own
// progressToken from _meta. It does nothing when the client asked for no
// progress. total <= 0 means "unknown" and is omitted; an empty message is
// omitted.
func (r *Request) Progress(progress, total float64, message string) {
	tok := r.progressToken()
	if tok == nil {
		return
	}
	p := struct {
		Token    json.RawMessage `json:"progressToken"`
		Progress float64         `json:"progress"`
		Total    float64         `json:"total,omitempty"`
		Message  string          `json:"message,omitempty"`
	}{tok, progress, total, message}
	host.notifyProgress(mustJSON(p))
}

// Log sends an MCP log message (notifications/message) to the client.
// logger may be empty. data is any JSON-encodable value, usually a string.
// The host drops messages below the level the client set.
func (r *Request) Log(level Level, logger string, data any) { Log(level, logger, data) }

// Log sends an MCP log message outside of any particular request, e.g. from
// an OnRootsListChanged handler. See Request.Log.
func Log(level Level, logger string, data any) {
	p := struct {
		Level  Level  `json:"level"`
		Logger string `json:"logger,omitempty"`
		Data   any    `json:"data"`
	}{level, logger, data}
	host.notifyLoggingMessage(mustJSON(p))
}

// Level is an MCP logging level (RFC 5424 severities).
type Level string

// The MCP logging levels, from least to most severe.
const (
	LevelDebug     Level = "debug"
	LevelInfo      Level = "info"
	LevelNotice    Level = "notice"
	LevelWarning   Level = "warning"
	LevelError     Level = "error"
	LevelCritical  Level = "critical"
	LevelAlert     Level = "alert"
	LevelEmergency Level = "emergency"
)

var levels = []Level{LevelDebug, LevelInfo, LevelNotice, LevelWarning, LevelError, LevelCritical, LevelAlert, LevelEmergency}

// ParseLevel checks that s names an MCP logging level.
func ParseLevel(s string) (Level, error) {
	for _, l := range levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown log level %q (want one of debug, info, notice, warning, error, critical, alert, emergency)", s)
}

// decodeID turns a raw JSON-RPC id into a Go value: string, int64, float64
// or nil.
func decodeID(raw json.RawMessage) any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return nil
	}
	if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
		return f
	}
	return nil
}
