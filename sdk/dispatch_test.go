package sdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// register installs the fixture plugin used by TestDispatch.
func register() {
	AddTool(Tool{Name: "echo", Description: "Echoes.", InputSchema: json.RawMessage(`{"type":"object","properties":{"message":{"type":"string"}}}`)},
		func(c *Call) (*Result, error) {
			var in struct {
				Message string `json:"message"`
			}
			if err := c.Bind(&in); err != nil {
				return nil, err
			}
			return TextResult(in.Message), nil
		})
	AddTool(Tool{Name: "whoami"}, func(c *Call) (*Result, error) {
		return TextResult(fmt.Sprintf("%s %T %v %s", c.Name(), c.ID(), c.ID(), c.Arguments())), nil
	})
	AddTool(Tool{Name: "fails"}, func(*Call) (*Result, error) { return nil, errors.New("disk on fire") })
	AddTool(Tool{Name: "aborts"}, func(*Call) (*Result, error) { return nil, Abort(errors.New("hard stop")) })
	AddTool(Tool{Name: "raw"}, func(*Call) (*Result, error) { return nil, ErrOutputWritten })
	AddTool(Tool{Name: "nil"}, func(*Call) (*Result, error) { return nil, nil })
	AddTool(Tool{Name: "badstruct"}, func(*Call) (*Result, error) { return (&Result{}).Structured("str"), nil })
	AddPrompt(Prompt{Name: "greet", Arguments: []PromptArgument{{Name: "name", Required: true}, {Name: "style"}}},
		func(r *PromptRequest) (*PromptResult, error) {
			return &PromptResult{Messages: []PromptMessage{UserMessage(Text("hi " + r.Arguments["name"] + r.Arguments["style"]))}}, nil
		})
	AddPrompt(Prompt{Name: "empty"}, func(*PromptRequest) (*PromptResult, error) { return nil, nil })
	AddResource(Resource{URI: "mem://a", Name: "a"}, func(r *ReadRequest) ([]ResourceContents, error) {
		return []ResourceContents{{Text: "A"}}, nil
	})
	AddResource(Resource{URI: "mem://broken", Name: "broken"}, func(*ReadRequest) ([]ResourceContents, error) {
		return nil, errors.New("gone")
	})
	AddResourceTemplate(ResourceTemplate{URITemplate: "mem://notes/{id}", Name: "note"}, func(r *ReadRequest) ([]ResourceContents, error) {
		return []ResourceContents{TextContents("", "text/plain", "note "+r.Params["id"])}, nil
	})
	SetCompletion(func(ref CompletionRef, arg, value string, ctx map[string]string) ([]string, error) {
		switch {
		case ref.Type == "prompt" && ref.Name == "greet" && arg == "style":
			return FilterPrefix([]string{"formal", "casual", "pirate", "Fancy"}, value), nil
		case arg == "many":
			var v []string
			for i := range 150 {
				v = append(v, fmt.Sprint(i))
			}
			return v, nil
		case arg == "ctx":
			return []string{ctx["name"]}, nil
		case arg == "err":
			return nil, errors.New("no idea")
		}
		return nil, nil
	})
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name, export, input string
		want                string // exact JSON output, or "" for no output
		wantErr             string // substring of the Extism error
	}{
		{"list tools", "list_tools", `{"context":{"id":1}}`, ``, ""},
		{"call echo", "call_tool", `{"request":{"name":"echo","arguments":{"message":"hey"}},"context":{"id":7,"_meta":{}}}`, `{"content":[{"type":"text","text":"hey"}]}`, ""},
		{"numeric id", "call_tool", `{"request":{"name":"whoami"},"context":{"id":42}}`, `{"content":[{"type":"text","text":"whoami int64 42 {}"}]}`, ""},
		{"string id, null args", "call_tool", `{"request":{"name":"whoami","arguments":null},"context":{"id":"abc"}}`, `{"content":[{"type":"text","text":"whoami string abc {}"}]}`, ""},
		{"no context", "call_tool", `{"request":{"name":"whoami","arguments":{"x":1}}}`, `{"content":[{"type":"text","text":"whoami \u003cnil\u003e \u003cnil\u003e {\"x\":1}"}]}`, ""},
		{"bad args become isError", "call_tool", `{"request":{"name":"echo","arguments":{"message":5}}}`, `{"content":[{"type":"text","text":"invalid arguments: json: cannot unmarshal number into Go struct field .message of type string"}],"isError":true}`, ""},
		{"handler error", "call_tool", `{"request":{"name":"fails"}}`, `{"content":[{"type":"text","text":"disk on fire"}],"isError":true}`, ""},
		{"abort", "call_tool", `{"request":{"name":"aborts"}}`, "", "hard stop"},
		{"raw output", "call_tool", `{"request":{"name":"raw"}}`, "", ""},
		{"nil result", "call_tool", `{"request":{"name":"nil"}}`, `{"content":[]}`, ""},
		{"unencodable result", "call_tool", `{"request":{"name":"badstruct"}}`, `{"content":[{"type":"text","text":"tool \"badstruct\" produced an unencodable result: sdk: structuredContent must encode as a JSON object, got \"str\""}],"isError":true}`, ""},
		{"unknown tool", "call_tool", `{"request":{"name":"nope"}}`, "", `unknown tool "nope"`},
		{"null request", "call_tool", `{"request":null,"context":{"id":1}}`, "", `unknown tool ""`},
		{"malformed input", "call_tool", `not json`, "", "call_tool: malformed input from host"},
		{"malformed request", "call_tool", `{"request":[1]}`, "", "call_tool: malformed input from host: json: cannot unmarshal array"},
		{"list prompts", "list_prompts", `{"context":{}}`, `{"prompts":[{"name":"greet","arguments":[{"name":"name","required":true},{"name":"style"}]},{"name":"empty"}]}`, ""},
		{"get prompt", "get_prompt", `{"request":{"name":"greet","arguments":{"name":"Ann","style":"!"}},"context":{"id":"x"}}`, `{"messages":[{"role":"user","content":{"type":"text","text":"hi Ann!"}}]}`, ""},
		{"get prompt missing arg", "get_prompt", `{"request":{"name":"greet","arguments":{}}}`, "", "missing required argument(s): name"},
		{"get prompt nil result", "get_prompt", `{"request":{"name":"empty"}}`, `{"messages":[]}`, ""},
		{"unknown prompt", "get_prompt", `{"request":{"name":"x"}}`, "", `unknown prompt "x"`},
		{"list resources", "list_resources", `{}`, `{"resources":[{"uri":"mem://a","name":"a"},{"uri":"mem://broken","name":"broken"}]}`, ""},
		{"list templates", "list_resource_templates", ``, `{"resourceTemplates":[{"uriTemplate":"mem://notes/{id}","name":"note"}]}`, ""},
		{"read fixed", "read_resource", `{"request":{"uri":"mem://a"}}`, `{"contents":[{"uri":"mem://a","text":"A"}]}`, ""},
		{"read template", "read_resource", `{"request":{"uri":"mem://notes/7%20b"}}`, `{"contents":[{"uri":"mem://notes/7%20b","mimeType":"text/plain","text":"note 7 b"}]}`, ""},
		{"read no match", "read_resource", `{"request":{"uri":"mem://notes/a/b"}}`, "", `resource not found: "mem://notes/a/b"`},
		{"read error", "read_resource", `{"request":{"uri":"mem://broken"}}`, "", `read "mem://broken": gone`},
		{"complete prefix", "complete", `{"request":{"ref":{"type":"prompt","name":"greet"},"argument":{"name":"style","value":"f"}}}`, `{"completion":{"values":["formal","Fancy"],"total":2}}`, ""},
		{"complete ref/ prefix", "complete", `{"request":{"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":"style","value":"p"}}}`, `{"completion":{"values":["pirate"],"total":1}}`, ""},
		{"complete none", "complete", `{"request":{"ref":{"type":"prompt","name":"greet"},"argument":{"name":"other","value":""}}}`, `{"completion":{"values":[]}}`, ""},
		{"complete context args", "complete", `{"request":{"ref":{"type":"resource","uri":"mem://notes/{id}"},"argument":{"name":"ctx","value":""},"context":{"arguments":{"name":"Bo"}}}}`, `{"completion":{"values":["Bo"],"total":1}}`, ""},
		{"complete error", "complete", `{"request":{"ref":{"type":"prompt","name":"greet"},"argument":{"name":"err","value":""}}}`, "", "complete err: no idea"},
		{"roots changed", "on_roots_list_changed", `{"context":{"_meta":{}}}`, "", ""},
		{"unknown export", "describe", ``, "", `unknown export "describe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withFakes(t)
			register()
			out, err := dispatch(tt.export, []byte(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.export == "list_tools" {
				checkToolList(t, out)
				return
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

func checkToolList(t *testing.T, out []byte) {
	t.Helper()
	var l struct {
		Tools []struct {
			Name        string          `json:"name"`
			InputSchema json.RawMessage `json:"inputSchema"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range l.Tools {
		names = append(names, tl.Name)
		if err := checkObjectSchema(tl.InputSchema); err != nil {
			t.Errorf("tool %s: %v", tl.Name, err)
		}
	}
	if got := strings.Join(names, ","); got != "echo,whoami,fails,aborts,raw,nil,badstruct" {
		t.Errorf("tools in wrong order or missing: %s", got)
	}
}

func TestEmptyLists(t *testing.T) {
	withFakes(t)
	for export, want := range map[string]string{
		"list_tools":              `{"tools":[]}`,
		"list_prompts":            `{"prompts":[]}`,
		"list_resources":          `{"resources":[]}`,
		"list_resource_templates": `{"resourceTemplates":[]}`,
		"complete":                `{"completion":{"values":[]}}`,
	} {
		out, err := dispatch(export, []byte(`{"context":{"id":1}}`))
		if err != nil || string(out) != want {
			t.Errorf("%s = %s, %v; want %s", export, out, err, want)
		}
	}
}

func TestCompletionCap(t *testing.T) {
	withFakes(t)
	register()
	out, err := dispatch("complete", []byte(`{"request":{"ref":{"type":"prompt","name":"greet"},"argument":{"name":"many","value":""}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Completion struct {
			Values  []string `json:"values"`
			Total   int      `json:"total"`
			HasMore bool     `json:"hasMore"`
		} `json:"completion"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Completion.Values) != 100 || r.Completion.Total != 150 || !r.Completion.HasMore {
		t.Errorf("got %d values, total %d, hasMore %v", len(r.Completion.Values), r.Completion.Total, r.Completion.HasMore)
	}
}

func TestRuntimeRegistration(t *testing.T) {
	f := withFakes(t)
	AddTool(Tool{Name: "add"}, func(c *Call) (*Result, error) {
		AddTool(Tool{Name: "dyn"}, func(*Call) (*Result, error) { return TextResult("dyn"), nil })
		NotifyToolListChanged()
		return TextResult("added"), nil
	})
	AddTool(Tool{Name: "add", Description: "replaced"}, reg.tools.m["add"].handler)
	if _, err := dispatch("call_tool", []byte(`{"request":{"name":"add"}}`)); err != nil {
		t.Fatal(err)
	}
	out, _ := dispatch("list_tools", nil)
	if want := `{"tools":[{"name":"add","description":"replaced","inputSchema":{"type":"object"}},{"name":"dyn","inputSchema":{"type":"object"}}]}`; string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if len(f.sent) != 1 || f.sent[0].fn != "notify_tool_list_changed" {
		t.Errorf("notifications: %+v", f.sent)
	}
	if !RemoveTool("dyn") || RemoveTool("dyn") {
		t.Error("RemoveTool")
	}
	out, _ = dispatch("list_tools", nil)
	if strings.Contains(string(out), "dyn") {
		t.Errorf("dyn still listed: %s", out)
	}
}

func TestOnRootsListChanged(t *testing.T) {
	withFakes(t)
	n := 0
	OnRootsListChanged(func() { n++ })
	for range 2 {
		if out, err := dispatch("on_roots_list_changed", []byte(`{"context":{"_meta":{}}}`)); err != nil || out != nil {
			t.Fatalf("out %s err %v", out, err)
		}
	}
	if n != 2 {
		t.Errorf("handler ran %d times, want 2", n)
	}
}

func TestRegistrationPanics(t *testing.T) {
	h := func(*Call) (*Result, error) { return nil, nil }
	rh := func(*ReadRequest) ([]ResourceContents, error) { return nil, nil }
	tests := []struct {
		name string
		f    func()
	}{
		{"empty tool name", func() { AddTool(Tool{}, h) }},
		{"nil tool handler", func() { AddTool(Tool{Name: "x"}, nil) }},
		{"schema not object", func() { AddTool(Tool{Name: "x", InputSchema: json.RawMessage(`{"type":"string"}`)}, h) }},
		{"schema not JSON", func() { AddTool(Tool{Name: "x", InputSchema: json.RawMessage(`{`)}, h) }},
		{"bad output schema", func() { AddTool(Tool{Name: "x", OutputSchema: json.RawMessage(`[]`)}, h) }},
		{"empty prompt", func() { AddPrompt(Prompt{}, func(*PromptRequest) (*PromptResult, error) { return nil, nil }) }},
		{"resource without name", func() { AddResource(Resource{URI: "a://b"}, rh) }},
		{"bad template", func() { AddResourceTemplate(ResourceTemplate{URITemplate: "a://{?q}", Name: "q"}, rh) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withFakes(t)
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.f()
		})
	}
}

// benchCallToolInput is the call_tool input the host sends for bench's echo
// call (host/abi.CallToolInput with id 1 and no _meta).
const benchCallToolInput = `{"request":{"name":"echo","arguments":{"message":"hello, benchmark"}},"context":{"id":1,"_meta":{}}}`

// BenchmarkDispatchCallTool measures the sdk's own work on a trivial tool
// call natively: decoding the envelope, the handler's Bind and encoding the
// result. Under wasm the same code runs roughly an order of magnitude slower.
func BenchmarkDispatchCallTool(b *testing.B) {
	oldReg := reg
	b.Cleanup(func() { reg = oldReg })
	reg = registry{}
	register() // its echo tool
	input := []byte(benchCallToolInput)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dispatch(exportCallTool, input); err != nil {
			b.Fatal(err)
		}
	}
}
