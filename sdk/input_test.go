package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// refDecodeCallToolInput is call_tool's input decoding as it was before
// decodeCallToolInput, through encoding/json alone: the reference the new
// decoder must agree with. It is a copy (not a call of decodeInput) so that
// a later change to the fallback cannot move the reference with it.
func refDecodeCallToolInput(input []byte) (callToolRequest, requestContext, error) {
	var req struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	in := struct {
		Request any            `json:"request"`
		Context requestContext `json:"context"`
	}{Request: &req}
	if len(bytes.TrimSpace(input)) > 0 {
		if err := json.Unmarshal(input, &in); err != nil {
			return callToolRequest{}, requestContext{}, fmt.Errorf("%s: malformed input from host: %v", exportCallTool, err)
		}
	}
	return callToolRequest{req.Name, req.Arguments}, in.Context, nil
}

// decodedInput is what a decoding of call_tool's input produced, in a form
// that compares and prints well.
type decodedInput struct {
	Name             string
	Args, ID, Meta   string
	NilArgs, NilID   bool
	NilMeta          bool
	Err              string
	NormArgs, IDText string // what the handler sees: Arguments() and ID()
}

func describeInput(req callToolRequest, ctx requestContext, err error) decodedInput {
	d := decodedInput{
		Name: req.Name, Args: string(req.Arguments), ID: string(ctx.ID), Meta: string(ctx.Meta),
		NilArgs: req.Arguments == nil, NilID: ctx.ID == nil, NilMeta: ctx.Meta == nil,
	}
	if err != nil {
		d.Err = err.Error()
		return d
	}
	r := newRequest(ctx)
	d.NormArgs = string(normaliseArgs(req.Arguments))
	d.IDText = fmt.Sprintf("%T %v|%v|%s", r.ID(), r.ID(), r.Meta(), r.progressToken())
	return d
}

// checkDecodeInput compares decodeCallToolInput with the reference on
// input, and reports whether the reflection-free path decoded it.
func checkDecodeInput(t *testing.T, input []byte) (fast bool) {
	t.Helper()
	want := describeInput(refDecodeCallToolInput(input))
	got := describeInput(decodeCallToolInput(bytes.Clone(input)))
	if got != want {
		t.Errorf("input %q:\ngot  %+v\nwant %+v", input, got, want)
	}
	req, ctx, fast := scanCallToolInput(bytes.Clone(input))
	if fast {
		if want.Err != "" {
			t.Errorf("input %q: the fast path accepted what encoding/json rejects (%s)", input, want.Err)
		}
		if got := describeInput(req, ctx, nil); got != want {
			t.Errorf("input %q: fast path:\ngot  %+v\nwant %+v", input, got, want)
		}
	}
	return fast
}

// decodeInputCases are call_tool inputs for TestDecodeCallToolInput and
// the fuzz corpus. fast says whether the reflection-free path must handle
// the input itself (false: it may, or may leave it to encoding/json).
var decodeInputCases = []struct {
	name, input string
	fast        bool
}{
	{"bench echo", benchCallToolInput, true},
	{"no context", `{"request":{"name":"echo","arguments":{"message":"hi"}}}`, true},
	{"context first", `{"context":{"id":3,"_meta":{"progressToken":"p"}},"request":{"arguments":{},"name":"echo"}}`, true},
	{"empty object", `{}`, true},
	{"empty input", ``, false},
	{"blank input", " \n\t\r ", false},
	{"unicode space only", "\u0085\u00a0", false},
	{"null input", `null`, false},
	{"id int", `{"request":{"name":"x"},"context":{"id":42}}`, true},
	{"id negative", `{"request":{"name":"x"},"context":{"id":-7}}`, true},
	{"id float", `{"request":{"name":"x"},"context":{"id":1.5}}`, true},
	{"id exponent", `{"request":{"name":"x"},"context":{"id":1e3}}`, true},
	{"id huge", `{"request":{"name":"x"},"context":{"id":123456789012345678901234567890}}`, true},
	{"id out of float range", `{"request":{"name":"x"},"context":{"id":1e999}}`, true},
	{"id string", `{"request":{"name":"x"},"context":{"id":"abc"}}`, true},
	{"id string escaped", `{"request":{"name":"x"},"context":{"id":"a\"b\u00e9\n"}}`, true},
	{"id null", `{"request":{"name":"x"},"context":{"id":null}}`, true},
	{"id bool", `{"request":{"name":"x"},"context":{"id":true}}`, true},
	{"id array", `{"request":{"name":"x"},"context":{"id":[1, 2]}}`, true},
	{"id object", `{"request":{"name":"x"},"context":{"id":{"a" : 1}}}`, true},
	{"meta progress string", `{"request":{"name":"x"},"context":{"id":1,"_meta":{"progressToken":"tok","k":[1,{"z":null}]}}}`, true},
	{"meta progress number", `{"request":{"name":"x"},"context":{"_meta":{"progressToken":17}}}`, true},
	{"meta progress null", `{"request":{"name":"x"},"context":{"_meta":{"progressToken":null}}}`, true},
	{"meta progress spaced", `{"request":{"name":"x"},"context":{"_meta":{ "progressToken" :  "t" }}}`, true},
	{"meta null", `{"request":{"name":"x"},"context":{"_meta":null}}`, true},
	{"meta array", `{"request":{"name":"x"},"context":{"_meta":[1]}}`, true},
	{"meta duplicate inside", `{"request":{"name":"x"},"context":{"_meta":{"progressToken":1,"progressToken":2}}}`, true},
	{"context null", `{"request":{"name":"x"},"context":null}`, true},
	{"context empty", `{"request":{"name":"x"},"context":{}}`, true},
	{"args null", `{"request":{"name":"x","arguments":null}}`, true},
	{"args missing", `{"request":{"name":"x"}}`, true},
	{"args array", `{"request":{"name":"x","arguments":[1,"a"]}}`, true},
	{"args string", `{"request":{"name":"x","arguments":"s"}}`, true},
	{"args number", `{"request":{"name":"x","arguments":0}}`, true},
	{"args spaced", `{"request":{"name":"x","arguments": { "a" : [ 1 , 2 ] , "b" : "<&>" } }}`, true},
	{"args duplicate inside", `{"request":{"name":"x","arguments":{"a":1,"a":2}}}`, true},
	{"args unicode", `{"request":{"name":"x","arguments":{"é":"ü\u2028😀"}}}`, true},
	{"args invalid UTF-8", "{\"request\":{\"name\":\"x\",\"arguments\":{\"a\":\"\xff\"}}}", false},
	{"args deep", `{"request":{"name":"x","arguments":` + strings.Repeat(`[`, 500) + strings.Repeat(`]`, 500) + `}}`, true},
	{"args too deep", `{"request":{"name":"x","arguments":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}}`, false},
	{"args at max depth", `{"request":{"name":"x","arguments":` + strings.Repeat(`[`, 9998) + strings.Repeat(`]`, 9998) + `}}`, true},
	{"whitespace everywhere", " \n{ \"request\" : { \"name\" : \"echo\" , \"arguments\" : { } } ,\r\n\t\"context\" : { \"id\" : 1 , \"_meta\" : { } } } \n", true},
	{"request null", `{"request":null,"context":{"id":1}}`, true},
	{"name null", `{"request":{"name":null,"arguments":{}}}`, true},
	{"name escaped", `{"request":{"name":"ec\u0068o\n\t\"\\\/"}}`, true},
	{"name surrogate pair", `{"request":{"name":"\ud83d\ude00"}}`, true},
	{"name lone surrogate", `{"request":{"name":"a\ud800b"}}`, false},
	{"name invalid UTF-8", "{\"request\":{\"name\":\"a\xffb\"}}", false},
	{"name unicode", `{"request":{"name":"héllo <&> ` + "\u2028" + `"}}`, true},
	{"name empty", `{"request":{"name":""}}`, true},
	{"name NUL", `{"request":{"name":"a\u0000b"}}`, true},
	{"unknown keys", `{"jsonrpc":"2.0","request":{"extra":[1,{"name":"no"}],"name":"x","more":null},"context":{"other":{"id":9},"id":1},"tail":true}`, true},
	{"unknown key duplicates", `{"x":1,"x":2,"request":{"y":1,"y":2,"name":"n"},"context":{"z":1,"z":[]}}`, true},
	{"escaped known names", `{"req\u0075est":{"\u006eame":"x","argument\u0073":{"a":1}},"cont\u0065xt":{"\u0069d":5,"_met\u0061":{}}}`, true},
	{"name lookalike NUL", `{"request\u0000":{"name":"x"},"request":{"name":"y"}}`, true},
	{"name prefix", `{"requests":{"name":"x"},"request":{"name":"y","names":"z"}}`, true},
	{"duplicate request", `{"request":{"name":"a"},"request":{"arguments":{"b":1}}}`, false},
	{"duplicate request null after", `{"request":{"name":"a"},"request":null}`, false},
	{"duplicate request null before", `{"request":null,"request":{"name":"a"}}`, false},
	{"duplicate request null before big number", `{"request":null,"request":{"x":1e999}}`, false},
	{"duplicate context", `{"context":{"id":1},"context":{"_meta":{}}}`, false},
	{"duplicate name", `{"request":{"name":"a","name":"b"}}`, false},
	{"duplicate arguments", `{"request":{"name":"a","arguments":{"x":1},"arguments":null}}`, false},
	{"duplicate id", `{"context":{"id":1,"id":"two"}}`, false},
	{"duplicate meta", `{"context":{"_meta":{"progressToken":1},"_meta":{}}}`, false},
	{"case folded request", `{"Request":{"name":"x"}}`, false},
	{"case folded both", `{"request":{"name":"a"},"REQUEST":{"name":"b"}}`, false},
	{"case folded name", `{"request":{"NAME":"x","Arguments":[]}}`, false},
	{"case folded id", `{"request":{"name":"x"},"context":{"ID":1,"_Meta":{"progressToken":"t"}}}`, false},
	{"case folded context", `{"request":{"name":"x"},"Context":{"id":2}}`, false},
	{"unicode fold long s", `{"requeſt":{"name":"x"}}`, false},
	{"unicode fold dotted I", `{"request":{"name":"x"},"context":{"İd":3}}`, false},
	{"unicode fold kelvin", "{\"request\":{\"name\":\"x\"},\"conte\u212at\":{\"id\":3}}", false},
	{"non-ASCII unknown name", `{"données":1,"request":{"name":"x"}}`, false},
	{"request array", `{"request":[1]}`, false},
	{"request string", `{"request":"echo"}`, false},
	{"request number", `{"request":5,"context":{"id":1}}`, false},
	{"request bool", `{"request":true}`, false},
	{"context array", `{"request":{"name":"x"},"context":[]}`, false},
	{"context string", `{"context":"x"}`, false},
	{"name number", `{"request":{"name":5}}`, false},
	{"name object", `{"request":{"name":{}}}`, false},
	{"name array", `{"request":{"name":["x"]}}`, false},
	{"name bool", `{"request":{"name":false,"arguments":{}}}`, false},
	{"type error then syntax error", `{"request":{"name":5},"context":x}`, false},
	{"not json", `not json`, false},
	{"open brace", `{`, false},
	{"truncated", `{"request":`, false},
	{"truncated args", `{"request":{"name":"x","arguments":{"a":`, false},
	{"trailing garbage", `{"request":{"name":"x"}} x`, false},
	{"two values", `{} {}`, false},
	{"top array", `[]`, false},
	{"top string", `"str"`, false},
	{"top number", `5`, false},
	{"top true", `true`, false},
	{"trailing comma", `{"request":{"name":"echo",}}`, false},
	{"single quotes", `{'request':{}}`, false},
	{"BOM", "\ufeff{}", false},
	{"vertical tab after", "{}\v", false},
	{"control char in string", "{\"request\":{\"name\":\"a\x01\"}}", false},
	{"bad number", `{"context":{"id":01}}`, false},
	{"bad literal", `{"context":{"id":nul}}`, false},
	{"missing colon", `{"request" {}}`, false},
	{"bad escape", `{"request":{"name":"\x"}}`, false},
	{"unknown value invalid", `{"x":[1,,2],"request":{"name":"y"}}`, false},
}

func TestDecodeCallToolInput(t *testing.T) {
	for _, tt := range decodeInputCases {
		t.Run(tt.name, func(t *testing.T) {
			if fast := checkDecodeInput(t, []byte(tt.input)); tt.fast && !fast {
				t.Errorf("input %q took the encoding/json path; want the fast path", tt.input)
			}
		})
	}
}

// TestDecodeCallToolInputAliasing: the raw values alias the input but are
// capped, so that appending to the arguments cannot overwrite _meta.
func TestDecodeCallToolInputAliasing(t *testing.T) {
	req, ctx, ok := scanCallToolInput([]byte(`{"request":{"name":"x","arguments":{"a":1}},"context":{"id":1,"_meta":{"progressToken":"t"}}}`))
	if !ok {
		t.Fatal("fast path not taken")
	}
	_ = append(req.Arguments, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"...)
	_ = append(ctx.ID, "yyyyyyyyyyyy"...)
	if string(req.Arguments) != `{"a":1}` || string(ctx.ID) != `1` || string(ctx.Meta) != `{"progressToken":"t"}` {
		t.Errorf("got args %s id %s meta %s", req.Arguments, ctx.ID, ctx.Meta)
	}
}

// FuzzDecodeInput checks the reflection-free call_tool input decoder
// against encoding/json (refDecodeCallToolInput): the same success or
// failure, the same error message, the same decoded values.
func FuzzDecodeInput(f *testing.F) {
	for _, tt := range decodeInputCases {
		if len(tt.input) < 4096 {
			f.Add([]byte(tt.input))
		}
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		checkDecodeInput(t, input)
	})
}
