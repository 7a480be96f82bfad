package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	extism "github.com/extism/go-sdk"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/toolhost/toolhost/internal/testplugins"
	"github.com/toolhost/toolhost/internal/wasmbuild"
)

// langCase is one tools/call of an example tool. A success must return
// exactly want (and structured, when set, as structuredContent); an error
// must be an isError result whose text contains errLike.
type langCase struct {
	name       string
	args       map[string]any
	want       string
	structured string // JSON, compared after decoding
	isError    bool
	errLike    string
}

// langTools describes each example's tool: its input schema's properties
// and required list, whether it has an output schema, and the calls to make.
// "(host)" cases are rejected by toolhost's input schema validation; the
// others reach the plugin, which checks what a schema cannot say.
var langTools = map[string]struct {
	properties []string
	required   []string
	output     bool
	cases      []langCase
}{
	"c": {
		properties: []string{"text"}, required: []string{"text"}, output: true,
		cases: []langCase{
			{name: "two lines", args: map[string]any{"text": "hello world\nsecond line here\n"},
				want: "2 lines, 5 words, 29 characters, 29 bytes", structured: `{"lines":2,"words":5,"characters":29,"bytes":29}`},
			{name: "unicode and escapes", args: map[string]any{"text": "Grüße, 世界 <&> \"q\"\ttab\n"},
				want: "1 line, 5 words, 22 characters, 28 bytes", structured: `{"lines":1,"words":5,"characters":22,"bytes":28}`},
			{name: "last line without newline", args: map[string]any{"text": "one"},
				want: "1 line, 1 word, 3 characters, 3 bytes"},
			{name: "empty", args: map[string]any{"text": ""},
				want: "0 lines, 0 words, 0 characters, 0 bytes", structured: `{"lines":0,"words":0,"characters":0,"bytes":0}`},
			{name: "blank", args: map[string]any{"text": " \t\n\n  "},
				want: "3 lines, 0 words, 6 characters, 6 bytes"},
			{name: "missing text (host)", args: map[string]any{}, isError: true},
			{name: "text not a string (host)", args: map[string]any{"text": 42}, isError: true},
			{name: "unknown argument (host)", args: map[string]any{"txt": "x"}, isError: true},
		},
	},
	"assemblyscript": {
		properties: []string{"max_length", "separator", "title"}, required: []string{"title"},
		cases: []langCase{
			{name: "accents and ampersand", args: map[string]any{"title": "Crème Brûlée: 10 Tips & Tricks!"},
				want: "creme-brulee-10-tips-and-tricks"},
			{name: "apostrophes and separator", args: map[string]any{"title": "  Don't Panic — it’s <only> a test  ", "separator": "_"},
				want: "dont_panic_its_only_a_test"},
			{name: "ligatures and strokes", args: map[string]any{"title": "Ærøskøbing Straße ŁÓDŹ Œuvre"},
				want: "aeroskobing-strasse-lodz-oeuvre"},
			{name: "decomposed accents and emoji", args: map[string]any{"title": "Cafe\u0301 😀 Noe\u0308l"},
				want: "cafe-noel"},
			{name: "cut at a word", args: map[string]any{"title": "The quick brown fox jumps over the lazy dog", "max_length": 20},
				want: "the-quick-brown-fox"},
			{name: "cut inside a word", args: map[string]any{"title": "Supercalifragilisticexpialidocious", "max_length": 5},
				want: "super"},
			{name: "nothing to keep", args: map[string]any{"title": "日本語 — !!"}, isError: true, errLike: "no letters or digits"},
			{name: "missing title (host)", args: map[string]any{"separator": "-"}, isError: true},
			{name: "bad separator (host)", args: map[string]any{"title": "x", "separator": "+"}, isError: true},
			{name: "max_length out of range (host)", args: map[string]any{"title": "x", "max_length": 0}, isError: true},
		},
	},
	"rust": {
		properties: []string{"number", "numeral"}, output: true,
		cases: []langCase{
			{name: "number", args: map[string]any{"number": 2026},
				want: "MMXXVI", structured: `{"number":2026,"numeral":"MMXXVI"}`},
			{name: "largest", args: map[string]any{"number": 3999}, want: "MMMCMXCIX"},
			{name: "smallest", args: map[string]any{"number": 1}, want: "I"},
			{name: "numeral, lower case", args: map[string]any{"numeral": "mcmxciv"},
				want: "1994", structured: `{"number":1994,"numeral":"MCMXCIV"}`},
			{name: "numeral with spaces", args: map[string]any{"numeral": " XLII "}, want: "42"},
			{name: "non-standard numeral", args: map[string]any{"numeral": "IIII"}, isError: true, errLike: "did you mean IV"},
			{name: "subtraction not allowed", args: map[string]any{"numeral": "VX"}, isError: true, errLike: "standard form"},
			{name: "neither argument", args: map[string]any{}, isError: true, errLike: `pass "number"`},
			{name: "both arguments", args: map[string]any{"number": 5, "numeral": "V"}, isError: true, errLike: "not both"},
			{name: "too large (host)", args: map[string]any{"number": 4000}, isError: true},
			{name: "not an integer (host)", args: map[string]any{"number": 2.5}, isError: true},
			{name: "not a numeral (host)", args: map[string]any{"numeral": "ABC"}, isError: true},
		},
	},
}

// Each example, built from source by its own toolchain, is served by
// toolhost and called through mcp-go's client in both protocol eras.
func TestLanguages(t *testing.T) {
	for _, ex := range langExamples {
		t.Run(ex.dir, func(t *testing.T) {
			t.Parallel()
			spec, ok := langTools[ex.dir]
			if !ok {
				t.Fatalf("no test cases for examples/%s", ex.dir)
			}
			wasm := buildExample(t, ex)
			s := serve(t, fmt.Sprintf("plugins:\n  %s:\n    url: file://%s\n", ex.plugin, wasm))
			name := ex.plugin + "-" + ex.tool
			for _, era := range []string{legacy, modern} {
				t.Run(era, func(t *testing.T) {
					c := connect(t, s.url, era)
					ctx := context.Background()
					list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
					if err != nil {
						t.Fatal(err)
					}
					i := slices.IndexFunc(list.Tools, func(x mcp.Tool) bool { return x.Name == name })
					if i < 0 || len(list.Tools) != 1 {
						t.Fatalf("tools/list = %+v, want exactly %s", list.Tools, name)
					}
					tool := list.Tools[i]
					var props []string
					for p := range tool.InputSchema.Properties {
						props = append(props, p)
					}
					slices.Sort(props)
					if tool.Description == "" || tool.InputSchema.Type != "object" ||
						!slices.Equal(props, spec.properties) || !slices.Equal(tool.InputSchema.Required, spec.required) {
						t.Errorf("tool %s: description %q, inputSchema %+v; want properties %v, required %v",
							name, tool.Description, tool.InputSchema, spec.properties, spec.required)
					}
					if got := tool.OutputSchema.Type == "object"; got != spec.output {
						t.Errorf("tool %s: outputSchema %+v, want one: %v", name, tool.OutputSchema, spec.output)
					}
					for _, tc := range spec.cases {
						res, err := c.CallTool(ctx, callArgs(name, tc.args))
						if err != nil {
							t.Errorf("%s: tools/call: %v", tc.name, err)
							continue
						}
						got := text(res)
						switch {
						case res.IsError != tc.isError:
							t.Errorf("%s: isError = %v (%q), want %v", tc.name, res.IsError, got, tc.isError)
						case tc.isError && (got == "" || !strings.Contains(got, tc.errLike)):
							t.Errorf("%s: error text %q, want it to contain %q", tc.name, got, tc.errLike)
						case tc.isError && strings.HasSuffix(tc.name, "(host)") == strings.HasPrefix(got, ex.tool+": "):
							// The plugin's own messages start with "<tool>: ".
							t.Errorf("%s: error text %q: want it from the %s", tc.name, got,
								map[bool]string{true: "host's schema validation", false: "plugin"}[strings.HasSuffix(tc.name, "(host)")])
						case !tc.isError && got != tc.want:
							t.Errorf("%s: text %q, want %q", tc.name, got, tc.want)
						case tc.structured != "" && !sameJSON(res.StructuredContent, tc.structured):
							t.Errorf("%s: structuredContent %+v, want %s", tc.name, res.StructuredContent, tc.structured)
						}
					}
				})
			}
		})
	}
}

// sameJSON reports whether v encodes to the same JSON value as want.
func sameJSON(v any, want string) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	var a, w any
	return json.Unmarshal(b, &a) == nil && json.Unmarshal([]byte(want), &w) == nil &&
		fmt.Sprint(a) == fmt.Sprint(w)
}

// toolhost only ever sends well-formed call_tool inputs, so each example's
// own defences are exercised by calling its module directly through Extism
// (the same go-sdk and wazero toolhost runs on): malformed, oversized,
// deeply nested and mistyped inputs, then random mutations of a valid one,
// must all give an isError tool result with rc 0, never a trap.
func TestLanguagesMalformedInput(t *testing.T) {
	for _, ex := range langExamples {
		t.Run(ex.dir, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(buildExample(t, ex))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			// 8 MiB for each of the guest's and the kernel's memories: enough
			// for the largest input, too little for a leak across the repeated
			// calls below. The timeout stops a guest stuck in a loop (and makes
			// wazero check for it at every loop header, which is slow), so the
			// repeated large calls run on an instance without one.
			newPluginTimeout := func(timeoutMS uint64) *extism.Plugin {
				p, err := extism.NewPlugin(ctx, extism.Manifest{
					Wasm:    []extism.Wasm{extism.WasmData{Data: data}},
					Timeout: timeoutMS,
					Memory:  &extism.ManifestMemory{MaxPages: 128},
				}, extism.PluginConfig{EnableWasi: true}, nil)
				if err != nil {
					t.Fatalf("instantiating examples/%s: %v", ex.dir, err)
				}
				t.Cleanup(func() { p.Close(ctx) })
				return p
			}
			newPlugin := func() *extism.Plugin { return newPluginTimeout(10_000) }
			p := newPlugin()
			call := func(in []byte) (map[string]any, error) {
				rc, out, err := p.CallWithContext(ctx, "call_tool", in)
				if err != nil || rc != 0 {
					p = newPlugin() // a trapped instance is not reused
					return nil, fmt.Errorf("rc %d, err %v", rc, err)
				}
				var res map[string]any
				if err := json.Unmarshal(out, &res); err != nil {
					return nil, fmt.Errorf("output is not JSON (%v): %.200q", err, out)
				}
				return res, nil
			}
			isError := func(res map[string]any) (bool, string) {
				content, _ := res["content"].([]any)
				if len(content) != 1 {
					return false, ""
				}
				item, _ := content[0].(map[string]any)
				msg, _ := item["text"].(string)
				return res["isError"] == true && item["type"] == "text" && msg != "", msg
			}

			tool := ex.tool
			deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
			bad := []string{
				``, ` `, `{`, `[]`, `"request"`, `nul`, `{"request":`, `{"request":{"name":"` + tool + `"}`,
				`{"request":{"name":"` + tool + `","arguments":{}}} trailing`,
				`{"request":{"name":"` + tool + `","arguments":{"a":` + deep + `}}}`,
				`{"request":{"name":"` + tool + "\x01" + `"}}`,
				`{"request":{"name":"\x"}}`, `{"request":{"name":"\u12"}}`, `{"request":{"name":01}}`,
				`{"request":{"name":-}}`, `{"request":{"name":1.}}`, `{"request":{"name":1e}}`, `{"request":{"name":tru}}`,
				`{"request":{"name":"` + tool + `","arguments":{}}`, `{"request":{"name" "x"}}`, `{"request":{"name":"x",}}`,
				`{"request":5}`, `{"request":{"name":5}}`, `{"request":{"name":"nope","arguments":{}}}`,
				`{"request":{"name":"` + strings.Repeat("é", 200) + `"}}`,
				`{"request":{"name":"` + tool + `","arguments":[]}}`,
				`{"request":{"name":"` + tool + `","arguments":{"text":{},"title":[],"number":"12","numeral":7}}}`,
				`{"context":{"id":1}}`,
				`{"request":{"name":"` + tool + `","arguments":{"title":"x","text":"x","number":1,"numeral":"I"}},` +
					`"context":{"id":"` + strings.Repeat("x", 4<<20) + `"}}`, // over the 4 MiB input limit
			}
			for _, in := range bad {
				res, err := call([]byte(in))
				if err != nil {
					t.Errorf("input %.80q: %v; want an isError result", in, err)
					continue
				}
				if ok, _ := isError(res); !ok {
					t.Errorf("input %.80q: %v; want an isError result with one text item", in, res)
				}
			}

			// Valid but unusual JSON: escapes, surrogate pairs, a lone
			// surrogate, duplicate keys (the last wins), whitespace, and the
			// context the host sends.
			valid := map[string]struct{ in, want string }{
				"c": {`{ "request" : { "name" : "wordc\u006funt", "arguments" : { "text" : "x", "text":"a\u00e9\ud83d\ude00 b\/\ud800" } } ,` +
					` "context" : {"id":7,"_meta":{"progressToken":"p","deep":[[[{"a":null}]]]}} }`,
					"1 line, 2 words, 7 characters, 13 bytes"},
				"assemblyscript": {`{"context":{"id":"x","_meta":{}},"request":{"arguments":{"max_length":2e1,"title":"Tom \u0026 Jerry\ud83d\ude00 \u00c9t\u00e9","title":"Tom \u0026 Jerry\ud83d\ude00 \u00c9t\u00e9 \ud800x"},"name":"slugify"}}`,
					"tom-and-jerry-ete-x"},
				"rust": {`{"request":{"name":"roman","arguments":{"number":1.2e1}},"context":{"id":null,"_meta":{"a":[1,-0.5e-3,true,false,null,"\u0000"]}}}`,
					"XII"},
			}[ex.dir]
			res, err := call([]byte(valid.in))
			if err != nil {
				t.Fatalf("valid input: %v", err)
			}
			if failed, msg := isError(res); failed || res["content"] == nil {
				t.Fatalf("valid input: %v (%s)", res, msg)
			}
			if got := res["content"].([]any)[0].(map[string]any)["text"]; got != valid.want {
				t.Errorf("valid input: text %q, want %q", got, valid.want)
			}

			// Repeated large calls on one instance: 24 × 256 KiB would run out
			// of the 8 MiB memory limit if the guest leaked its input.
			big := strings.Repeat("ab cd ", 256<<10/6)
			bigIn, _ := json.Marshal(map[string]any{
				"request": map[string]any{"name": tool, "arguments": map[string]any{
					map[string]string{"c": "text", "assemblyscript": "title", "rust": "numeral"}[ex.dir]: big}},
				"context": map[string]any{"id": 1, "_meta": map[string]any{}},
			})
			saved := p
			p = newPluginTimeout(0)
			for i := 0; i < 24; i++ {
				res, err := call(bigIn)
				if err != nil {
					t.Fatalf("large call %d on one instance: %v", i, err)
				}
				if _, ok := res["content"].([]any); !ok {
					t.Fatalf("large call %d: %v is not a tool result", i, res)
				}
			}

			p = saved

			// Random mutations of the valid input: every answer is a tool
			// result (a success or an isError), never a trap or non-JSON.
			rng := rand.New(rand.NewSource(1))
			const mutations = 300
			for i := 0; i < mutations; i++ {
				in := mutate(rng, []byte(valid.in))
				res, err := call(in)
				if err != nil {
					t.Errorf("mutation %d %q: %v", i, in, err)
					continue
				}
				if _, ok := res["content"].([]any); !ok {
					t.Errorf("mutation %d %q: %v is not a tool result", i, in, res)
				}
			}
		})
	}
}

// mutate applies one to four random edits to a copy of b: flip a byte,
// insert a JSON punctuation byte, delete a span, duplicate a span or
// truncate.
func mutate(rng *rand.Rand, b []byte) []byte {
	out := slices.Clone(b)
	const punct = `{}[]:,"\u0123 -.eE+0`
	for n := 1 + rng.Intn(4); n > 0 && len(out) > 0; n-- {
		i := rng.Intn(len(out))
		switch rng.Intn(5) {
		case 0:
			out[i] ^= byte(1 << rng.Intn(8))
		case 1:
			out = slices.Insert(out, i, punct[rng.Intn(len(punct))])
		case 2:
			out = slices.Delete(out, i, min(len(out), i+1+rng.Intn(8)))
		case 3:
			j := min(len(out), i+1+rng.Intn(16))
			out = slices.Insert(out, i, slices.Clone(out[i:j])...)
		case 4:
			out = out[:i]
		}
	}
	return out
}

// The Go example uses the sdk's typed tools: schemas derived from Go types,
// arguments validated before the handler, structured output.
func TestGoTypedExample(t *testing.T) {
	root := testplugins.RepoRoot(t)
	wasm, err := wasmbuild.Build(context.Background(), wasmbuild.Request{ModuleDir: filepath.Join(root, "examples", "go"), Package: ".", Reactor: true})
	if err != nil {
		t.Fatal(err)
	}
	s := serve(t, fmt.Sprintf("plugins:\n  wordfreq:\n    url: file://%s\n    runtime_config:\n      prefix: \"\"\n", wasm))
	for _, era := range []string{legacy, modern} {
		c := connect(t, s.url, era)
		ctx := context.Background()
		list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		if err != nil || len(list.Tools) != 1 {
			t.Fatalf("%s: tools/list = %+v, %v", era, list, err)
		}
		schema, _ := json.Marshal(list.Tools[0].RawInputSchema)
		if len(list.Tools[0].RawInputSchema) == 0 {
			schema, _ = json.Marshal(list.Tools[0].InputSchema)
		}
		if !strings.Contains(string(schema), `"the text to analyse"`) || !strings.Contains(string(schema), `"required":["text"]`) {
			t.Errorf("%s: input schema %s lacks the derived description or required list", era, schema)
		}
		res, err := c.CallTool(ctx, callArgs("wordfreq", map[string]any{"text": "the cat and the hat and the bat", "top": 2}))
		if err != nil || res.IsError {
			t.Fatalf("%s: wordfreq = %+v, %v", era, res, err)
		}
		got, _ := json.Marshal(res.StructuredContent)
		if string(got) != `{"total":8,"words":[{"count":3,"word":"the"},{"count":2,"word":"and"}]}` {
			t.Errorf("%s: structuredContent = %s", era, got)
		}
		for _, bad := range []map[string]any{{}, {"text": 5}, {"text": "x", "top": 500}} {
			res, err := c.CallTool(ctx, callArgs("wordfreq", bad))
			if err != nil || !res.IsError {
				t.Errorf("%s: wordfreq(%v) = %+v, %v; want an isError result", era, bad, res, err)
			}
		}
	}
}
