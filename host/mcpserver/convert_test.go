package mcpserver

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// textResultCases are plugin results and whether textResult decodes them
// itself; either way callToolResult must give what mcp.ParseCallToolResult
// gives.
var textResultCases = []struct {
	in   string
	fast bool
}{
	{`{"content":[{"type":"text","text":"hello"}]}`, true},
	{` {"content":[{"text":"a\n\u00e9\"","type":"text"},{"type":"text","text":""}],"isError":true} `, true},
	{`{"isError":false,"content":[]}`, true},
	{`{"content":[{"type":"text","text":"x","_meta":{"k":1}}]}`, false},
	{`{"content":[{"type":"text","text":"x","annotations":{"priority":1}}]}`, false},
	{`{"content":[{"type":"image","data":"AA==","mimeType":"image/png"}]}`, false},
	{`{"content":[{"type":"text","text":"x"}],"structuredContent":{"a":1}}`, false},
	{`{"content":[{"type":"text","text":"x"}],"_meta":{"a":1}}`, false},
	{`{"content":[{"type":"text","text":"x"}],"isError":null}`, false},
	{`{"content":[{"type":"text","text":"x","text":"y"}]}`, false},
	{`{"content":[{"type":"te\u0078t","text":"x"}]}`, true}, // values are unescaped, as encoding/json does
	{`{"content":[{"type":"text","type":"text","text":"x"}]}`, false},
	{`{"content":[],"content":[{"type":"text","text":"x"}]}`, false},
	{`{"content":[],"isError":true,"isError":false}`, false},
	{`{"content":[{"\u0074ype":"text","text":"x"}]}`, false},
	{"{\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}", false},
	{`{"content":[{"type":"text","text":"\ud800"}]}`, false},
	{`{"content":[{"type":"text"}]}`, false},
	{`{"content":[{"type":"text","text":"x"}]} {}`, false},
	{`{"isError":true}`, false},
	{`[]`, false},
}

func TestCallToolResult(t *testing.T) {
	for _, tt := range textResultCases {
		_, fast := textResult([]byte(tt.in))
		if fast != tt.fast {
			t.Errorf("textResult(%s) took it: %v, want %v", tt.in, fast, tt.fast)
		}
		checkCallToolResult(t, []byte(tt.in))
	}
}

// checkCallToolResult requires callToolResult to agree with
// mcp.ParseCallToolResult on b, result and encoding.
func checkCallToolResult(t *testing.T, b []byte) {
	t.Helper()
	got, err := callToolResult(b)
	rm := json.RawMessage(b)
	want, wantErr := mcp.ParseCallToolResult(&rm)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("callToolResult(%q) error %v; ParseCallToolResult %v", b, err, wantErr)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("callToolResult(%q)\n = %#v\nParseCallToolResult\n = %#v", b, got, want)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("callToolResult(%q) encodes as %s, ParseCallToolResult's as %s", b, gj, wj)
	}
}

// FuzzCallToolResult holds textResult to mcp.ParseCallToolResult's
// answers on plugin output, which is untrusted.
func FuzzCallToolResult(f *testing.F) {
	for _, tt := range textResultCases {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(checkCallToolResult)
}

func BenchmarkCallToolResult(b *testing.B) {
	raw := []byte(`{"content":[{"type":"text","text":"hello, benchmark"}]}`)
	b.Run("textResult", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := callToolResult(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseCallToolResult", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rm := json.RawMessage(raw)
			if _, err := mcp.ParseCallToolResult(&rm); err != nil {
				b.Fatal(err)
			}
		}
	})
}
