package abi

import (
	"encoding/json"
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
	f.Fuzz(func(t *testing.T, b []byte) {
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
