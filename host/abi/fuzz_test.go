package abi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The guest's outputs are untrusted bytes. These targets check that the
// decoders never panic and that whatever they accept is valid canonical
// output.

func FuzzDecodeTools(f *testing.F) {
	for _, s := range []string{`{"tools":null}`, `{"tools":[{"name":"a","inputSchema":{"properties":{}}}]}`, `{"tools":[{"name":"a"},{"name":"a"}]}`, `[]`, `{"tools":[{"name":"a","outputSchema":{}}]} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tools, err := DecodeTools(b)
		if err != nil {
			return
		}
		for _, tool := range tools {
			if tool.Name == "" || !json.Valid(tool.InputSchema) {
				t.Fatalf("accepted invalid tool %+v", tool)
			}
		}
	})
}

func FuzzNormaliseCallToolResult(f *testing.F) {
	for _, s := range []string{`{"content":[{"text":"x"}]}`, `{"content":null,"isError":true}`, `{"content":[{"resource":{"uri":"a://b","blob":"AA=="}}]}`, `{"content":[{"data":"","mimeType":"audio/x"}],"structuredContent":{}}`} {
		f.Add([]byte(s))
	}
	for _, tt := range canonicalCases {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The fast path may only accept what the full path returns as is.
		if canonicalCallToolResult(b) {
			if out, err := normaliseCallToolResult(b); err != nil || !bytes.Equal(out, b) {
				t.Fatalf("fast path accepted %q; the full path gives %q, %v", b, out, err)
			}
		}
		out, err := NormaliseCallToolResult(b)
		if err != nil {
			return
		}
		again, err := NormaliseCallToolResult(out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("normalised output is not stable: %s -> %s (%v)", out, again, err)
		}
	})
}

// FuzzCallToolInput checks that the appended input is the JSON value
// json.Marshal builds (callToolInputJSON).
func FuzzCallToolInput(f *testing.F) {
	f.Add("echo", []byte(`{"message":"hi"}`), int64(1), "", false)
	f.Add("a\"<b>\u2028", []byte(` { "x" : [1, 2.5e3, "\u00e9"] } `), int64(-7), "", true)
	f.Add("\xff", []byte(`null`), int64(0), "s", true)
	f.Add("x", []byte(`{"a":1,"a":2}`), int64(3), "", false)
	f.Add("x", []byte(`{"a":1`), int64(3), "", false)
	f.Fuzz(func(t *testing.T, name string, args []byte, num int64, str string, useStr bool) {
		if !json.Valid(orEmptyObject(args)) {
			return // callers pass JSON: mcp-go decoded it
		}
		c := Context{ID: num}
		if useStr {
			c = Context{ID: str, Meta: map[string]any{"progressToken": str}}
		}
		got := CallToolInput(c, name, args)
		want := callToolInputJSON(c.withMeta(), name, orEmptyObject(args))
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("CallToolInput gave invalid JSON %q: %v", got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("CallToolInput\n%s\njson.Marshal\n%s", got, want)
		}
	})
}

func FuzzOtherDecoders(f *testing.F) {
	for _, s := range []string{`{"prompts":[{"name":"p"}]}`, `{"resources":[{"uri":"a://b"}]}`, `{"resourceTemplates":[{"uriTemplate":"a://{x}"}]}`, `{"completion":{"values":["a"]}}`, `{"messages":[{"role":"user","content":{"text":"x"}}]}`, `{"contents":[{"uri":"a://b","text":""}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodePrompts(b)
		_, _ = DecodeResources(b)
		_, _ = DecodeResourceTemplates(b)
		_, _ = DecodeCompletion(b)
		if out, err := NormaliseGetPromptResult(b); err == nil && !json.Valid(out) {
			t.Fatalf("invalid prompt result %s", out)
		}
		if out, err := NormaliseReadResourceResult(b); err == nil && !json.Valid(out) {
			t.Fatalf("invalid resource result %s", out)
		}
	})
}

func FuzzNamespaceURI(f *testing.F) {
	for _, s := range []string{"https://h/a", "test://x", "s://a?b", "urn:x", "a://b#c"} {
		f.Add("p", s)
	}
	f.Fuzz(func(t *testing.T, prefix, uri string) {
		if prefix == "" || !clientName.MatchString(prefix) {
			return
		}
		ns, ok := NamespaceURI(prefix, uri)
		if !ok {
			return
		}
		back, ok := StripURI(prefix, ns)
		if !ok || back != uri {
			t.Fatalf("round trip %q -> %q -> %q (%v)", uri, ns, back, ok)
		}
	})
}
