package sdk

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestElicit(t *testing.T) {
	tests := []struct {
		name, answer string
		hostErr      error
		wantAction   string
		wantErr      string
	}{
		{"accept", `{"action":"accept","content":{"answer":"yes"}}`, nil, "accept", ""},
		{"decline with reason", `{"action":"decline","content":{"error":"client cannot elicit"}}`, nil, "decline", ""},
		{"no action", `{}`, nil, "", "no action"},
		{"not JSON", `nope`, nil, "", "decode host answer"},
		{"host error", ``, errors.New("boom"), "", "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withFakes(t)
			f.answers["create_elicitation"] = tt.answer
			f.errs["create_elicitation"] = tt.hostErr
			res, err := Elicit("Sure?", json.RawMessage(`{"type":"object","properties":{"answer":{"type":"string"}}}`))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || res.Action != tt.wantAction {
				t.Fatalf("res %+v err %v", res, err)
			}
			if want := `{"message":"Sure?","requestedSchema":{"type":"object","properties":{"answer":{"type":"string"}}}}`; f.sent[0].payload != want {
				t.Errorf("request %s, want %s", f.sent[0].payload, want)
			}
		})
	}
}

func TestSampleText(t *testing.T) {
	tests := []struct {
		name, answer, want, wantErr string
	}{
		{"single block", `{"role":"assistant","content":{"type":"text","text":"42"},"model":"m"}`, "42", ""},
		{"block array", `{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"image","data":""},{"type":"text","text":"b"}]}`, "a\nb", ""},
		{"no text", `{"content":{"type":"image","data":"","mimeType":"image/png"}}`, "", "without text"},
		{"string error", `{"error":"sampling not supported"}`, "", "sampling not supported"},
		{"object error", `{"error":{"code":-1,"message":"denied"}}`, "", "denied"},
		{"no content", `{"role":"assistant"}`, "", "no content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withFakes(t)
			f.answers["create_message"] = tt.answer
			got, err := SampleText("q?", 10)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if want := `{"maxTokens":10,"messages":[{"role":"user","content":{"type":"text","text":"q?"}}]}`; f.sent[0].payload != want {
				t.Errorf("request %s, want %s", f.sent[0].payload, want)
			}
		})
	}
	if _, err := Sample(json.RawMessage(`{`)); err == nil {
		t.Error("Sample accepted invalid params")
	}
}

func TestListRoots(t *testing.T) {
	tests := []struct {
		answer string
		want   []Root
		err    bool
	}{
		{`{"roots":[{"uri":"file:///a","name":"A"},{"uri":"file:///b"}]}`, []Root{{"file:///a", "A"}, {"file:///b", ""}}, false},
		{`{"roots":[]}`, []Root{}, false},
		{`{"roots":null}`, []Root{}, false},
		{`[`, nil, true},
	}
	for _, tt := range tests {
		f := withFakes(t)
		f.answers["list_roots"] = tt.answer
		got, err := ListRoots()
		if (err != nil) != tt.err {
			t.Errorf("%s: err %v", tt.answer, err)
			continue
		}
		if !tt.err && (got == nil || len(got) != len(tt.want)) {
			t.Errorf("%s: got %#v", tt.answer, got)
			continue
		}
		for i := range tt.want {
			if got[i] != tt.want[i] {
				t.Errorf("%s: root %d = %+v", tt.answer, i, got[i])
			}
		}
	}
}

func TestNotifications(t *testing.T) {
	f := withFakes(t)
	NotifyToolListChanged()
	NotifyPromptListChanged()
	NotifyResourceListChanged()
	NotifyResourceUpdated("mem://x")
	want := []sent{
		{"notify_tool_list_changed", ""},
		{"notify_prompt_list_changed", ""},
		{"notify_resource_list_changed", ""},
		{"notify_resource_updated", `{"uri":"mem://x"}`},
	}
	if len(f.sent) != len(want) {
		t.Fatalf("sent %+v", f.sent)
	}
	for i := range want {
		if f.sent[i] != want[i] {
			t.Errorf("notification %d = %+v, want %+v", i, f.sent[i], want[i])
		}
	}
	f.cfg["API_KEY"] = "k"
	if v, ok := Config("API_KEY"); !ok || v != "k" {
		t.Errorf("Config = %q %v", v, ok)
	}
	if _, ok := Config("missing"); ok {
		t.Error("missing key found")
	}
}

func TestNoHostOutsideWasm(t *testing.T) {
	if _, err := (defaultBridge{}).listRoots(); !errors.Is(err, ErrNoHost) {
		t.Errorf("err = %v, want ErrNoHost", err)
	}
}

func TestAsk(t *testing.T) {
	f := withFakes(t)
	f.answers["request_input"] = `{"responses":{"name":{"action":"accept","content":{"name":"Ada"}},"roots":{"roots":[]}}}`
	got, err := Ask(map[string]InputRequest{"name": ElicitRequest("who?", nil), "roots": RootsRequest()})
	if err != nil || string(got["name"]) != `{"action":"accept","content":{"name":"Ada"}}` || string(got["roots"]) != `{"roots":[]}` {
		t.Fatalf("Ask = %s, %v", got, err)
	}
	want := `{"requests":{"name":{"method":"elicitation/create","params":{"message":"who?","requestedSchema":{"type":"object","properties":{}}}},"roots":{"method":"roots/list"}}}`
	if f.sent[0].payload != want {
		t.Errorf("sent %s\nwant %s", f.sent[0].payload, want)
	}
	f.answers["request_input"] = `{"error":"the client did not declare the sampling capability"}`
	if _, err := Ask(map[string]InputRequest{"s": SampleRequest(json.RawMessage(`{}`))}); err == nil || !strings.Contains(err.Error(), "sampling capability") {
		t.Errorf("Ask with a host error = %v", err)
	}
}
