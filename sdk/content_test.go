package sdk

import (
	"encoding/json"
	"testing"
)

func TestContentMarshal(t *testing.T) {
	prio := 0.5
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"text", Text("hi"), `{"type":"text","text":"hi"}`},
		{"empty text keeps field", Text(""), `{"type":"text","text":""}`},
		{"image base64", Image([]byte("abc"), "image/png"), `{"type":"image","data":"YWJj","mimeType":"image/png"}`},
		{"audio nil data", Audio(nil, "audio/wav"), `{"type":"audio","data":"","mimeType":"audio/wav"}`},
		{"embedded text", EmbeddedText("mem://a", "text/plain", "x"), `{"type":"resource","resource":{"uri":"mem://a","mimeType":"text/plain","text":"x"}}`},
		{"embedded blob", EmbeddedBlob("mem://b", "", []byte{1, 2}), `{"type":"resource","resource":{"uri":"mem://b","blob":"AQI="}}`},
		{"embedded empty blob stays blob", EmbeddedBlob("mem://b", "", nil), `{"type":"resource","resource":{"uri":"mem://b","blob":""}}`},
		{"resource link", ResourceLink("file:///x", "x", "text/plain"), `{"type":"resource_link","uri":"file:///x","name":"x","mimeType":"text/plain"}`},
		{"annotations", Text("a").WithAnnotations(&Annotations{Audience: []string{"user"}, Priority: &prio}), `{"type":"text","text":"a","annotations":{"audience":["user"],"priority":0.5}}`},
		{"text result", TextResult("ok"), `{"content":[{"type":"text","text":"ok"}]}`},
		{"error result", ErrorResult("bad"), `{"content":[{"type":"text","text":"bad"}],"isError":true}`},
		{"empty result content is []", &Result{}, `{"content":[]}`},
		{"structured adds text", (&Result{}).Structured(map[string]int{"n": 1}), `{"content":[{"type":"text","text":"{\"n\":1}"}],"structuredContent":{"n":1}}`},
		{"structured keeps content", TextResult("one").Structured(struct {
			N int `json:"n"`
		}{1}), `{"content":[{"type":"text","text":"one"}],"structuredContent":{"n":1}}`},
		{"text contents", TextContents("u", "", ""), `{"uri":"u","text":""}`},
		{"blob contents", BlobContents("u", "image/png", []byte{0}), `{"uri":"u","mimeType":"image/png","blob":"AA=="}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestContentMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
	}{
		{"no type", Content{Text: "x"}},
		{"unknown type", Content{Type: "video"}},
		{"resource without body", Content{Type: ContentResource}},
		{"structured not an object", (&Result{}).Structured([]int{1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := json.Marshal(tt.in); err == nil {
				t.Errorf("want error, got %s", b)
			}
		})
	}
}
