package abi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name    string
		exports []string
		want    Version
		wantErr string
	}{
		{"v1", []string{"_initialize", "describe", "call"}, V1, ""},
		{"v2", []string{"_initialize", "list_tools", "call_tool"}, V2, ""},
		{"both prefers v1", []string{"describe", "call", "list_tools", "call_tool"}, V1, ""},
		{"v2 list only", []string{"list_tools"}, V2, ""},
		{"command", []string{"_start"}, 0, "WASI command"},
		{"go without wasmexport", []string{"_initialize"}, 0, "go:wasmexport"},
		{"neither", []string{"_initialize", "foo", "bar", "baz"}, 0, "neither list_tools"},
		{"describe without call", []string{"describe", "x", "y"}, 0, "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(tt.exports)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Detect(%v) error = %v, want containing %q", tt.exports, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Detect(%v) = %v, %v; want %v", tt.exports, got, err, tt.want)
			}
		})
	}
}

func TestInputs(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"list", ListInput(Context{ID: 7}), `{"context":{"id":7,"_meta":{}}}`},
		{"list string id", ListInput(Context{ID: "a", Meta: map[string]any{"progressToken": 1}}), `{"context":{"id":"a","_meta":{"progressToken":1}}}`},
		{"list no id", ListInput(Context{}), `{"context":{"id":"toolhost","_meta":{}}}`},
		{"call", CallToolInput(Context{ID: 1}, "echo", json.RawMessage(`{"m":"x"}`)), `{"request":{"name":"echo","arguments":{"m":"x"}},"context":{"id":1,"_meta":{}}}`},
		{"call no args", CallToolInput(Context{ID: 1}, "echo", nil), `{"request":{"name":"echo","arguments":{}},"context":{"id":1,"_meta":{}}}`},
		{"v1 call", V1CallInput("add", json.RawMessage(`null`)), `{"params":{"name":"add","arguments":{}}}`},
		{"prompt", GetPromptInput(Context{ID: 2}, "greet", nil), `{"request":{"name":"greet","arguments":{}},"context":{"id":2,"_meta":{}}}`},
		{"read", ReadResourceInput(Context{ID: 3}, "mem://a"), `{"request":{"uri":"mem://a"},"context":{"id":3,"_meta":{}}}`},
		{"complete", CompleteInput(Context{ID: 4}, CompletionRef{Type: "prompt", Name: "greet"}, "style", "f", map[string]string{"name": "x"}),
			`{"request":{"ref":{"type":"prompt","name":"greet"},"argument":{"name":"style","value":"f"},"context":{"arguments":{"name":"x"}}},"context":{"id":4,"_meta":{}}}`},
		{"roots", RootsListChangedInput(), `{"context":{"_meta":{}}}`},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestDecodeTools(t *testing.T) {
	tests := []struct {
		in      string
		want    string // JSON of the decoded tools
		wantErr string
	}{
		{`{"tools":null}`, `[]`, ""},
		{`{}`, `[]`, ""},
		{`{"tools":[{"name":"a"}]}`, `[{"name":"a","inputSchema":{"type":"object"}}]`, ""},
		{`{"tools":[{"name":"a","inputSchema":{"properties":{}}}]}`, `[{"name":"a","inputSchema":{"properties":{},"type":"object"}}]`, ""},
		{`{"tools":[{"name":"a","inputSchema":{"type":"object"},"annotations":null}]}`, `[{"name":"a","inputSchema":{"type":"object"}}]`, ""},
		{`{"tools":[{"name":"a","inputSchema":{"type":"string"}}]}`, ``, `type must be "object"`},
		{`{"tools":[{"name":"a","inputSchema":[]}]}`, ``, "must be a JSON object"},
		{`{"tools":[{"name":""}]}`, ``, "name is empty"},
		{`{"tools":[{"name":"a"},{"name":"a"}]}`, ``, "duplicate"},
		{`{"tools":[{"name":"a","outputSchema":1}]}`, ``, "outputSchema"},
		{`not json`, ``, "not a JSON object"},
		{``, ``, "empty"},
		{`{"tools":[]} {"x":1}`, ``, "after the JSON object"},
		{`{"tools":"x"}`, ``, "not valid JSON"},
	}
	for _, tt := range tests {
		got, err := DecodeTools([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("DecodeTools(%s) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("DecodeTools(%s): %v", tt.in, err)
			continue
		}
		b, _ := json.Marshal(got)
		if string(b) != tt.want {
			t.Errorf("DecodeTools(%s) = %s, want %s", tt.in, b, tt.want)
		}
	}
}

func TestNormaliseCallToolResult(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		// A valid result is returned as the guest wrote it, byte for byte.
		{`{"content":[{"type":"text","text":"hi"}]}`, `{"content":[{"type":"text","text":"hi"}]}`, ""},
		{`{ "content": [ {"type":"text", "text":"hi"} ], "isError": false }`, `{ "content": [ {"type":"text", "text":"hi"} ], "isError": false }`, ""},
		{`{"content":[{"text":"hi"}],"isError":true}`, `{"content":[{"text":"hi","type":"text"}],"isError":true}`, ""},
		{`{"content":null}`, `{"content":[]}`, ""},
		{`{}`, `{"content":[]}`, ""},
		{`{"content":[{"data":"AA==","mimeType":"audio/wav"}]}`, `{"content":[{"data":"AA==","mimeType":"audio/wav","type":"audio"}]}`, ""},
		{`{"content":[{"data":"AA==","mimeType":"image/png"}]}`, `{"content":[{"data":"AA==","mimeType":"image/png","type":"image"}]}`, ""},
		{`{"content":[{"uri":"a://b","name":"b"}]}`, `{"content":[{"name":"b","type":"resource_link","uri":"a://b"}]}`, ""},
		{`{"content":[{"resource":{"uri":"a://b","text":"t"}}]}`, `{"content":[{"resource":{"uri":"a://b","text":"t"},"type":"resource"}]}`, ""},
		{`{"content":[],"structuredContent":{"a":1}}`, `{"content":[],"structuredContent":{"a":1}}`, ""},
		{`{"content":[],"structuredContent":null}`, `{"content":[]}`, ""},
		{`{"content":[{"type":"text"}]}`, ``, `needs a string "text"`},
		{`{"content":[{"type":"video","x":1}]}`, ``, "unknown content type"},
		{`{"content":[{"foo":1}]}`, ``, "match no MCP content type"},
		{`{"content":[{"resource":{"uri":"a://b"}}]}`, ``, "exactly one of text or blob"},
		{`{"content":{}}`, ``, "list of content items"},
		{`{"content":[],"isError":"yes"}`, ``, "isError must be a boolean"},
		{`{"content":[],"structuredContent":[1]}`, ``, "structuredContent must be a JSON object"},
		{`[1]`, ``, "not a JSON object"},
	}
	for _, tt := range tests {
		got, err := NormaliseCallToolResult([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Normalise(%s) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("Normalise(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestPromptsResourcesCompletion(t *testing.T) {
	ps, err := DecodePrompts([]byte(`{"prompts":[{"name":"greet","arguments":[{"name":"who","required":true}]}]}`))
	if err != nil || len(ps) != 1 || !ps[0].Arguments[0].Required {
		t.Fatalf("DecodePrompts = %+v, %v", ps, err)
	}
	if _, err := DecodePrompts([]byte(`{"prompts":[{"name":"g","arguments":[{}]}]}`)); err == nil {
		t.Fatal("want error for an unnamed prompt argument")
	}
	rs, err := DecodeResources([]byte(`{"resources":[{"uri":"mem://a"}]}`))
	if err != nil || rs[0].Name != "mem://a" {
		t.Fatalf("DecodeResources = %+v, %v (name should default to the uri)", rs, err)
	}
	ts, err := DecodeResourceTemplates([]byte(`{"resourceTemplates":[{"uriTemplate":"mem://n/{id}","name":"n"}]}`))
	if err != nil || ts[0].URITemplate != "mem://n/{id}" {
		t.Fatalf("DecodeResourceTemplates = %+v, %v", ts, err)
	}
	many := make([]string, 150)
	for i := range many {
		many[i] = "v"
	}
	b, _ := json.Marshal(map[string]any{"completion": map[string]any{"values": many}})
	c, err := DecodeCompletion(b)
	if err != nil || len(c.Values) != MaxCompletionValues || !c.HasMore {
		t.Fatalf("DecodeCompletion: %d values, hasMore=%v, %v", len(c.Values), c.HasMore, err)
	}
	got, err := NormaliseGetPromptResult([]byte(`{"messages":[{"role":"user","content":{"text":"hi"}}]}`))
	if err != nil || string(got) != `{"messages":[{"content":{"text":"hi","type":"text"},"role":"user"}]}` {
		t.Fatalf("NormaliseGetPromptResult = %s, %v", got, err)
	}
	if _, err := NormaliseGetPromptResult([]byte(`{"messages":[{"role":"system","content":{"text":"hi"}}]}`)); err == nil {
		t.Fatal("want error for role system")
	}
	got, err = NormaliseReadResourceResult([]byte(`{"contents":[{"uri":"mem://a","blob":"AA=="}]}`))
	if err != nil || !strings.Contains(string(got), `"blob":"AA=="`) {
		t.Fatalf("NormaliseReadResourceResult = %s, %v", got, err)
	}
}

func TestQualifiedName(t *testing.T) {
	tests := []struct{ prefix, local, want, wantErr string }{
		{"hash", "digest", "hash-digest", ""},
		{"", "digest", "digest", ""},
		{"a", "b-c", "a-b-c", ""},
		{"p", strings.Repeat("x", 62), "p-" + strings.Repeat("x", 62), ""},
		{"p", strings.Repeat("x", 63), "", "at most 64"},
		{"p", "has space", "", "outside"},
		{"p", "dot.name", "", "outside"},
		{"", "", "", "outside"},
	}
	for _, tt := range tests {
		got, err := QualifiedName(tt.prefix, tt.local)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("QualifiedName(%q,%q) error = %v, want %q", tt.prefix, tt.local, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("QualifiedName(%q,%q) = %q, %v", tt.prefix, tt.local, got, err)
		}
	}
}

func TestNamespaceURI(t *testing.T) {
	tests := []struct {
		prefix, in, want string
		ok               bool
	}{
		{"p", "https://h/a/b", "https://h/p/a/b", true},
		{"p", "test://static-text", "test://static-text/p", true},
		{"p", "mem://notes/{id}", "mem://notes/p/{id}", true},
		{"p", "file:///etc/x", "file:///p/etc/x", true},
		{"p", "s://auth?q=1", "s://auth/p?q=1", true},
		{"p", "urn:isbn:1", "urn:isbn:1", false},
		{"", "mem://a/b", "mem://a/b", true},
	}
	for _, tt := range tests {
		got, ok := NamespaceURI(tt.prefix, tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NamespaceURI(%q,%q) = %q,%v; want %q,%v", tt.prefix, tt.in, got, ok, tt.want, tt.ok)
		}
		if !ok {
			continue
		}
		back, ok := StripURI(tt.prefix, got)
		if !ok || back != tt.in {
			t.Errorf("StripURI(%q,%q) = %q,%v; want %q", tt.prefix, got, back, ok, tt.in)
		}
	}
	for _, in := range []string{"https://h/q/a", "https://h", "https://h/pp/a", "nope"} {
		if got, ok := StripURI("p", in); ok {
			t.Errorf("StripURI(p, %q) = %q, want no match", in, got)
		}
	}
}

func TestCommandInput(t *testing.T) {
	got, err := CommandInput("call_tool", CallToolInput(Context{ID: 1}, "upper", json.RawMessage(`{"text":"x"}`)))
	want := `{"context":{"id":1,"_meta":{}},"method":"call_tool","request":{"name":"upper","arguments":{"text":"x"}}}`
	if err != nil || string(got) != want {
		t.Errorf("CommandInput = %s, %v; want %s", got, err, want)
	}
	if _, err := CommandInput("list_tools", []byte(`[1]`)); err == nil {
		t.Error("CommandInput of a non-object: want an error")
	}
}
