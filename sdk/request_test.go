package sdk

import (
	"encoding/json"
	"testing"
)

func TestDecodeID(t *testing.T) {
	tests := []struct {
		raw  string
		want any
	}{
		{``, nil},
		{`null`, nil},
		{`7`, int64(7)},
		{` -3 `, int64(-3)},
		{`1.5`, 1.5},
		{`1e3`, 1000.0},
		{`"abc"`, "abc"},
		{`""`, ""},
		{`{}`, nil},
	}
	for _, tt := range tests {
		if got := decodeID(json.RawMessage(tt.raw)); got != tt.want {
			t.Errorf("decodeID(%s) = %#v, want %#v", tt.raw, got, tt.want)
		}
	}
}

func TestProgress(t *testing.T) {
	tests := []struct {
		name     string
		meta     string
		progress float64
		total    float64
		message  string
		want     string // payload, or "" for no notification
	}{
		{"string token", `{"progressToken":"tok"}`, 1, 3, "one", `{"progressToken":"tok","progress":1,"total":3,"message":"one"}`},
		{"numeric token kept numeric", `{"progressToken":17}`, 2, 0, "", `{"progressToken":17,"progress":2}`},
		{"no token", `{"other":1}`, 1, 2, "x", ""},
		{"null token", `{"progressToken":null}`, 1, 2, "x", ""},
		{"no meta", ``, 1, 2, "x", ""},
		{"meta not object", `[1]`, 1, 2, "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withFakes(t)
			r := newRequest(requestContext{Meta: json.RawMessage(tt.meta)})
			r.Progress(tt.progress, tt.total, tt.message)
			switch {
			case tt.want == "" && len(f.sent) != 0:
				t.Errorf("sent %+v, want nothing", f.sent)
			case tt.want != "" && (len(f.sent) != 1 || f.sent[0].fn != "notify_progress" || f.sent[0].payload != tt.want):
				t.Errorf("sent %+v, want notify_progress %s", f.sent, tt.want)
			}
		})
	}
}

func TestMetaAndLog(t *testing.T) {
	f := withFakes(t)
	r := newRequest(requestContext{ID: json.RawMessage(`"q"`), Meta: json.RawMessage(`{"progressToken":"t","k":[1]}`)})
	if r.Meta()["progressToken"] != "t" || r.ID() != "q" {
		t.Errorf("meta %v id %v", r.Meta(), r.ID())
	}
	if m := (&Request{}).Meta(); m == nil || len(m) != 0 {
		t.Errorf("empty meta = %#v", m)
	}
	r.Log(LevelWarning, "lg", map[string]int{"a": 1})
	Log(LevelInfo, "", "plain")
	Log(LevelError, "", func() {}) // unencodable data degrades to text
	want := []string{
		`{"level":"warning","logger":"lg","data":{"a":1}}`,
		`{"level":"info","data":"plain"}`,
	}
	if len(f.sent) != 3 {
		t.Fatalf("sent %+v", f.sent)
	}
	for i, w := range want {
		if f.sent[i].payload != w {
			t.Errorf("log %d = %s, want %s", i, f.sent[i].payload, w)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for _, s := range []string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"} {
		if l, err := ParseLevel(s); err != nil || string(l) != s {
			t.Errorf("ParseLevel(%q) = %q, %v", s, l, err)
		}
	}
	for _, s := range []string{"", "warn", "INFO"} {
		if _, err := ParseLevel(s); err == nil {
			t.Errorf("ParseLevel(%q) accepted", s)
		}
	}
}
