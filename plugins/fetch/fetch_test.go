package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func str(s string) *string { return &s }

func TestFetch(t *testing.T) {
	var got request
	serve := func(resp response) func(request) (response, error) {
		return func(r request) (response, error) {
			got = r
			if len(resp.Body) > r.MaxBytes {
				resp.Body = resp.Body[:r.MaxBytes]
			}
			return resp, nil
		}
	}
	html := response{Status: 200, Headers: map[string]string{"Content-Type": "text/html", "Set-Cookie": "x", "ETag": `"1"`}, Body: []byte("<p>héllo</p>"), Size: 13}
	tests := []struct {
		name     string
		a        args
		resp     response
		want     string // substring of the JSON result
		wantReq  string // substring of the request as JSON
		wantErr  string
		notInOut string
	}{
		{"get text", args{URL: "https://example.com/x"}, html, `"text":"HTTP 200 (GET https://example.com/x)\ncontent-type: text/html\netag: \"1\"\n\n\u003cp\u003ehéllo\u003c/p\u003e"`, `"Method":"GET"`, "", "Set-Cookie"},
		{"structured", args{URL: "https://example.com/x"}, html, `"structuredContent":{"body":"\u003cp\u003ehéllo\u003c/p\u003e","body_bytes":13,"headers":{"content-type":"text/html","etag":"\"1\""},"status":200,"truncated":false}`, "", "", ""},
		{"truncated mid-rune", args{URL: "http://example.com", MaxBytes: 5}, html, `\u003cp\u003eh\n\n[truncated: showing 5 of 13 bytes`, `"MaxBytes":5`, "", ""},
		{"head", args{URL: "http://example.com", Method: "head"}, response{Status: 204, Headers: map[string]string{"content-length": "0"}}, `"text":"HTTP 204 (HEAD http://example.com)\ncontent-length: 0"`, `"Method":"HEAD"`, "", ""},
		{"post with headers", args{URL: "https://api.example.com/v1", Method: "POST", Headers: map[string]string{"Accept": "application/json"}, Body: str(`{"q":1}`)}, response{Status: 201, Body: []byte(`{}`), Size: 2}, `HTTP 201`, `"Headers":{"Accept":"application/json"},"Body":"eyJxIjoxfQ=="`, "", ""},
		{"image", args{URL: "https://example.com/a.png"}, response{Status: 200, Headers: map[string]string{"content-type": "image/png"}, Body: []byte{0x89, 'P', 'N', 'G'}, Size: 4}, `{"type":"image","data":"iVBORw==","mimeType":"image/png"}`, "", "", ""},
		{"binary", args{URL: "https://example.com/a.bin"}, response{Status: 200, Body: []byte{0xff, 0}, Size: 2}, `[binary body of 2 bytes not shown]`, "", "", ""},
		{"no url", args{}, response{}, "", "", "url is required", ""},
		{"ftp", args{URL: "ftp://example.com"}, response{}, "", "", "only http and https", ""},
		{"no host", args{URL: "https:///x"}, response{}, "", "", "no host", ""},
		{"bad method", args{URL: "https://example.com", Method: "DELETE"}, response{}, "", "", `method "DELETE" is not supported`, ""},
		{"body with get", args{URL: "https://example.com", Body: str("x")}, response{}, "", "", "only be sent with POST", ""},
		{"bad header", args{URL: "https://example.com", Headers: map[string]string{"X\r\nY": "1"}}, response{}, "", "", "invalid header", ""},
		{"max too big", args{URL: "https://example.com", MaxBytes: maxMaxBytes + 1}, response{}, "", "", "max_bytes must be between", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transport = serve(tt.resp)
			defer func() { transport = send }()
			res, err := fetch(tt.a)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(res)
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("got %s\nwant substring %s", out, tt.want)
			}
			if tt.notInOut != "" && strings.Contains(string(out), tt.notInOut) {
				t.Errorf("%s leaked into %s", tt.notInOut, out)
			}
			req, _ := json.Marshal(got)
			if !strings.Contains(string(req), tt.wantReq) {
				t.Errorf("request %s\nwant substring %s", req, tt.wantReq)
			}
		})
	}
}
