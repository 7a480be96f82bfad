package abi

import (
	"encoding/json"
	"testing"
)

// canonicalCases are call_tool results and whether the fast path takes
// them; every one, either way, must normalise as the full path does.
var canonicalCases = []struct {
	in   string
	fast bool
}{
	{`{"content":[{"type":"text","text":"hello"}]}`, true},
	{` {"content":[{"type":"text","text":"a","_meta":{"k":[1,2]}}],"isError":false} `, true},
	{`{"content":[],"isError":true,"structuredContent":{"a":1},"_meta":{}}`, true},
	{`{"content":[{"type":"image","data":"AA==","mimeType":"image/png"},{"type":"audio","data":"","mimeType":"audio/x"}]}`, true},
	{`{"content":[{"type":"resource_link","uri":"a://b","name":"b"}]}`, true},
	{`{"unknown":{"deep":[null,true]},"content":[{"text":"x","type":"text"}]}`, true},

	{`{"content":[{"text":"no type"}]}`, false},          // type inferred
	{`{"content":null}`, false},                          // becomes []
	{`{"isError":false}`, false},                         // content added
	{`{"content":[],"structuredContent":null}`, false},   // dropped
	{`{"content":[],"isError":null}`, false},             // the full path's call
	{`{"content":[{"type":"text","text":null}]}`, false}, // the full path's call
	{`{"content":[{"type":"text"}]}`, false},             // an error
	{`{"content":[{"type":"video","text":"x"}]}`, false}, // an error
	{`{"content":[{"type":"resource","resource":{"uri":"a://b","text":""}}]}`, false},
	{`{"content":[{"type":"text","text":"x"}],"content":[]}`, true}, // duplicate names: the last counts, all are checked
	{`{"content":[],"content":null}`, false},
	{`{"content":[{"type":"text","text":"x","text":null}]}`, false},
	{`{"content":[{"type":"image","text":"x","type":"text"}]}`, true},
	{`{"\u0063ontent":[{"type":"text","text":"x"}]}`, false},            // escaped name
	{`{"content":[{"type":"te\u0078t","text":"x"}]}`, false},            // escaped type
	{"{\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}", false},    // invalid UTF-8
	{`{"content":[{"type":"text","text":"x"}]} {}`, false},              // trailing data
	{`{"content":[{"type":"text","text":"x"}]`, false},                  // truncated
	{`[{"type":"text","text":"x"}]`, false},                             // not an object
	{`{"content":[{"type":"text","text":"x"}],"isError":"yes"}`, false}, // an error
	{`{"content":[{"type":"text","text":"x"}],"structuredContent":[1]}`, false},
	{``, false},
}

func TestCanonicalCallToolResult(t *testing.T) {
	for _, tt := range canonicalCases {
		if got := canonicalCallToolResult([]byte(tt.in)); got != tt.fast {
			t.Errorf("canonicalCallToolResult(%s) = %v, want %v", tt.in, got, tt.fast)
		}
		full, fullErr := normaliseCallToolResult([]byte(tt.in))
		got, err := NormaliseCallToolResult([]byte(tt.in))
		if string(got) != string(full) || (err == nil) != (fullErr == nil) || (err != nil && err.Error() != fullErr.Error()) {
			t.Errorf("NormaliseCallToolResult(%s) = %s, %v; the full path gives %s, %v", tt.in, got, err, full, fullErr)
		}
		if tt.fast && string(got) != tt.in {
			t.Errorf("NormaliseCallToolResult(%s) changed a canonical result to %s", tt.in, got)
		}
	}
}

func TestCallToolInput(t *testing.T) {
	for _, tt := range []struct {
		c    Context
		name string
		args string
		want string
	}{
		{Context{ID: int64(7)}, "echo", `{"message": "hi"}`,
			`{"request":{"name":"echo","arguments":{"message":"hi"}},"context":{"id":7,"_meta":{}}}`},
		{Context{ID: "r1", Meta: map[string]any{"progressToken": 3}}, "a\"b", ``,
			`{"request":{"name":"a\"b","arguments":{}},"context":{"id":"r1","_meta":{"progressToken":3}}}`},
		{Context{}, "x", `null`,
			`{"request":{"name":"x","arguments":{}},"context":{"id":"toolhost","_meta":{}}}`},
		{Context{ID: 1.5}, "x", `[1, 2]`, // an id of another type: json.Marshal
			`{"request":{"name":"x","arguments":[1,2]},"context":{"id":1.5,"_meta":{}}}`},
	} {
		if got := string(CallToolInput(tt.c, tt.name, json.RawMessage(tt.args))); got != tt.want {
			t.Errorf("CallToolInput(%v, %q, %s)\n got %s\nwant %s", tt.c, tt.name, tt.args, got, tt.want)
		}
	}
}

// BenchmarkCallToolJSON is toolhost's own JSON work on a tool call: the
// input it builds and the result it validates.
func BenchmarkCallToolJSON(b *testing.B) {
	args := json.RawMessage(`{"message":"hello, benchmark"}`)
	result := []byte(`{"content":[{"type":"text","text":"hello, benchmark"}]}`)
	b.Run("input", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			CallToolInput(Context{ID: int64(1)}, "echo", args)
		}
	})
	b.Run("input-json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			callToolInputJSON(Context{ID: int64(1)}.withMeta(), "echo", args)
		}
	})
	b.Run("result", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NormaliseCallToolResult(result); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("result-full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := normaliseCallToolResult(result); err != nil {
				b.Fatal(err)
			}
		}
	})
}
