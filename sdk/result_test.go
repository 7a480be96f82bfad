package sdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// refContent marshals a text block the way Content.MarshalJSON did before
// its fast path, through encoding/json; other types use Content.MarshalJSON,
// whose encoding of them is unchanged.
type refContent Content

func (c refContent) MarshalJSON() ([]byte, error) {
	if c.Type != ContentText {
		return Content(c).MarshalJSON()
	}
	return json.Marshal(struct {
		Type        string       `json:"type"`
		Text        string       `json:"text"`
		Annotations *Annotations `json:"annotations,omitempty"`
	}{c.Type, c.Text, c.Annotations})
}

// refResultMarshalJSON is Result.MarshalJSON as it was before its fast path,
// through encoding/json alone: the reference the new encoder must match
// byte for byte.
func refResultMarshalJSON(r Result) ([]byte, error) {
	content := []refContent{}
	for _, c := range r.Content {
		content = append(content, refContent(c))
	}
	var structured json.RawMessage
	if r.StructuredContent != nil {
		b, err := json.Marshal(r.StructuredContent)
		if err != nil {
			return nil, fmt.Errorf("sdk: encode structuredContent: %w", err)
		}
		if len(b) == 0 || b[0] != '{' {
			return nil, fmt.Errorf("sdk: structuredContent must encode as a JSON object, got %.40s", b)
		}
		structured = b
	}
	b, err := json.Marshal(struct {
		Content           []refContent    `json:"content"`
		IsError           bool            `json:"isError,omitempty"`
		StructuredContent json.RawMessage `json:"structuredContent,omitempty"`
		Meta              map[string]any  `json:"_meta,omitempty"`
	}{content, r.IsError, structured, r.Meta})
	if err != nil {
		// encoding/json names the type whose MarshalJSON failed.
		return nil, errors.New(strings.ReplaceAll(err.Error(), "type sdk.refContent", "type sdk.Content"))
	}
	return b, nil
}

// checkMarshalResult compares Result.MarshalJSON with the reference on r and
// reports whether the fast path encoded it.
func checkMarshalResult(t *testing.T, r Result) (fast bool) {
	t.Helper()
	want, wantErr := refResultMarshalJSON(r)
	got, gotErr := r.MarshalJSON()
	if string(got) != string(want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("result %#v:\ngot  %s, %v\nwant %s, %v", r, got, gotErr, want, wantErr)
	}
	b, fast := r.marshalFast()
	if fast && (wantErr != nil || string(b) != string(want)) {
		t.Errorf("result %#v: fast path gave %s, want %s, %v", r, b, want, wantErr)
	}
	// Content.MarshalJSON, which prompts use, must not change either.
	for _, c := range r.Content {
		want, wantErr := refContent(c).MarshalJSON()
		got, gotErr := c.MarshalJSON()
		if string(got) != string(want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("content %#v:\ngot  %s, %v\nwant %s, %v", c, got, gotErr, want, wantErr)
		}
	}
	return fast
}

// tricky are strings whose JSON encoding has a special case.
var tricky = []string{
	"",
	"hello, benchmark",
	`<script>alert("x & y")</script>`,
	"a\\b\"c/d",
	"tab\tnl\ncr\rbs\bff\fnul\x00esc\x1bunit\x1fdel\x7f",
	"héllo wörld ñ 日本語 😀",
	"line\u2028para\u2029sep",
	"\u2027\u202a", // neighbours of U+2028/9, not escaped
	"bad \xff utf-8 \xc3\x28 \xe2\x80 \xf0\x9f\x98 trunc",
	"\xed\xa0\x80", // an encoded surrogate
	"\xef\xbf\xbd", // U+FFFD itself
	strings.Repeat("long <text> & more ", 200),
}

func TestResultMarshalJSON(t *testing.T) {
	var all []string
	for b := range 256 {
		all = append(all, string([]byte{'x', byte(b), 'y'}))
	}
	two := 1.0
	tests := []struct {
		name string
		r    Result
		fast bool // the fast path must take it
	}{
		{"zero", Result{}, true},
		{"empty content", Result{Content: []Content{}}, true},
		{"text", *TextResult("hello, benchmark"), true},
		{"error", *ErrorResult("disk <on> fire & smoke"), true},
		{"error no content", Result{IsError: true}, true},
		{"tricky texts", Result{Content: func() []Content {
			var c []Content
			for _, s := range tricky {
				c = append(c, Text(s))
			}
			return c
		}()}, true},
		{"every byte", Result{Content: func() []Content {
			var c []Content
			for _, s := range all {
				c = append(c, Text(s))
			}
			return c
		}()}, true},
		{"text ignores other fields", Result{Content: []Content{{Type: ContentText, Text: "t", URI: "u", Data: []byte{1}, MIMEType: "m"}}}, true},
		{"structured raw", Result{Content: []Content{Text("{}")}, StructuredContent: json.RawMessage(`{"a":1}`)}, true},
		{"structured raw spaced html", Result{StructuredContent: json.RawMessage(" {\n \"a\" : [ 1 , \"<b>&amp;\u2028\" ] ,\t\"é\":\"\\u003c\" } ")}, true},
		{"structured raw invalid UTF-8", Result{StructuredContent: json.RawMessage("{\"a\":\"\xff\"}")}, true},
		{"structured raw duplicate names", Result{StructuredContent: json.RawMessage(`{"a":1,"a":2}`)}, true},
		{"structured raw and error", Result{Content: []Content{Text("x")}, IsError: true, StructuredContent: json.RawMessage(`{}`)}, true},
		{"structured raw not object", Result{StructuredContent: json.RawMessage(`[1]`)}, false},
		{"structured raw invalid", Result{StructuredContent: json.RawMessage(`{"a":}`)}, false},
		{"structured raw trailing", Result{StructuredContent: json.RawMessage(`{} {}`)}, false},
		{"structured raw empty", Result{StructuredContent: json.RawMessage(``)}, false},
		{"structured raw nil", Result{StructuredContent: json.RawMessage(nil)}, false},
		{"structured map", Result{StructuredContent: map[string]any{"b": "<", "a": 1}}, false},
		{"structured struct", *(&Result{}).Structured(struct {
			N int `json:"n"`
		}{3}), false},
		{"structured string", Result{StructuredContent: "str"}, false},
		{"structured bytes", Result{StructuredContent: []byte(`{}`)}, false},
		{"structured unencodable", Result{StructuredContent: map[string]any{"f": func() {}}}, false},
		{"meta", Result{Content: []Content{Text("x")}, Meta: map[string]any{"k": "<v>", "a": []int{1}}}, false},
		{"empty meta", Result{Content: []Content{Text("x")}, Meta: map[string]any{}}, true},
		{"annotations", Result{Content: []Content{Text("x").WithAnnotations(&Annotations{Audience: []string{"user"}, Priority: &two})}}, false},
		{"image", Result{Content: []Content{Text("a"), Image([]byte("png<>"), "image/png")}}, false},
		{"audio", Result{Content: []Content{Audio(nil, "audio/wav")}}, false},
		{"embedded", Result{Content: []Content{EmbeddedText("mem://a", "text/plain", "<x>"), EmbeddedBlob("mem://b", "", nil)}}, false},
		{"link", Result{Content: []Content{ResourceLink("mem://a", "a", "")}}, false},
		{"no type", Result{Content: []Content{{Text: "x"}}}, false},
		{"unknown type", Result{Content: []Content{{Type: "video"}}}, false},
		{"resource without body", Result{Content: []Content{{Type: ContentResource}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fast := checkMarshalResult(t, tt.r); tt.fast && !fast {
				t.Error("took the encoding/json path; want the fast path")
			}
		})
	}
}

// TestAppendJSONString compares appendJSONString with json.Marshal on every
// rune (each alone and between other text) and on every byte.
func TestAppendJSONString(t *testing.T) {
	check := func(s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		check(string(r))
		check("a" + string(r) + "b")
	}
	for b := range 256 {
		check(string([]byte{byte(b)}))
		check(string([]byte{'a', byte(b), 'b'}))
	}
	for _, s := range tricky {
		check(s)
	}
}

// FuzzResultMarshalJSON checks Result.MarshalJSON against encoding/json
// (refResultMarshalJSON): identical bytes, identical errors. text is split
// at NUL into several text blocks; structured, if not empty, is the raw
// structuredContent.
func FuzzResultMarshalJSON(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, false, []byte(nil))
	}
	f.Add("a\x00b<\x00\xff", true, []byte(` { "x" : "<&>" } `))
	f.Add("", true, []byte(`{"a":[1,2,{"b":null}]}`))
	f.Add("x", false, []byte(`{"a":}`))
	f.Add("x", false, []byte(`[]`))
	f.Fuzz(func(t *testing.T, text string, isError bool, structured []byte) {
		r := Result{IsError: isError}
		for s := range strings.SplitSeq(text, "\x00") {
			r.Content = append(r.Content, Text(s))
		}
		if len(structured) > 0 {
			r.StructuredContent = json.RawMessage(structured)
		}
		checkMarshalResult(t, r)
	})
}
