package typed

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolhost/toolhost/sdk"
)

// AddTool registers a tool whose arguments are the Go type In and whose
// result is Out. The input JSON Schema is derived from In (struct fields by
// their json names; fields without omitempty/omitzero are required;
// descriptions come from `jsonschema:"..."` tags), arguments are validated
// against it before the handler runs (a mismatch is an isError result the
// agent can act on), and then decoded into In.
//
// What Out becomes:
//   - a struct or map: an output schema derived from Out, the value as
//     structuredContent, and its JSON as text content;
//   - string: a text result;
//   - *Result: returned as is (no output schema).
//
// A returned error becomes an isError result with its message. Like
// sdk.AddTool, it panics on a registration mistake (a type the schema
// cannot describe), naming the tool, so it fails at init, not at call time.
//
//	type Args struct {
//		City  string `json:"city" jsonschema:"the city to look up"`
//		Units string `json:"units,omitempty" jsonschema:"metric or imperial"`
//	}
//	typed.AddTool(sdk.Tool{Name: "weather", Description: "Current weather."},
//		func(c *sdk.Call, a Args) (Forecast, error) { ... })
func AddTool[In, Out any](t sdk.Tool, h func(c *sdk.Call, in In) (Out, error)) {
	in, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("typed.AddTool(%q): input type %T: %v", t.Name, *new(In), err))
	}
	if in.Type != "object" {
		panic(fmt.Sprintf("typed.AddTool(%q): input type %T must be a struct or a map with string keys (a JSON object), not %q", t.Name, *new(In), in.Type))
	}
	resolved, err := in.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("typed.AddTool(%q): input schema: %v", t.Name, err))
	}
	if t.InputSchema, err = json.Marshal(in); err != nil {
		panic(fmt.Sprintf("typed.AddTool(%q): input schema: %v", t.Name, err))
	}
	structured := isObjectType(reflect.TypeFor[Out]())
	if structured && t.OutputSchema == nil {
		out, err := jsonschema.For[Out](nil)
		if err != nil {
			panic(fmt.Sprintf("typed.AddTool(%q): output type %T: %v", t.Name, *new(Out), err))
		}
		if t.OutputSchema, err = json.Marshal(out); err != nil {
			panic(fmt.Sprintf("typed.AddTool(%q): output schema: %v", t.Name, err))
		}
	}
	sdk.AddTool(t, func(c *sdk.Call) (*sdk.Result, error) {
		var raw any
		if err := json.Unmarshal(c.Arguments(), &raw); err != nil {
			return nil, fmt.Errorf("invalid arguments: %v", err)
		}
		if err := resolved.Validate(raw); err != nil {
			return nil, fmt.Errorf("invalid arguments: %v", err)
		}
		var args In
		if err := c.Bind(&args); err != nil {
			return nil, err
		}
		out, err := h(c, args)
		if err != nil {
			return nil, err
		}
		switch v := any(out).(type) {
		case *sdk.Result:
			return v, nil
		case string:
			return sdk.TextResult(v), nil
		}
		if structured {
			return (&sdk.Result{}).Structured(out), nil
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode result: %v", err)
		}
		return sdk.TextResult(string(b)), nil
	})
}

// isObjectType reports whether values of t encode as JSON objects.
func isObjectType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct || (t.Kind() == reflect.Map && t.Key().Kind() == reflect.String)
}
