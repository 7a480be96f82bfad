package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/toolhost/toolhost/sdk"
)

// obj builds an object schema from property definitions.
func obj(props string, required ...string) json.RawMessage {
	req, _ := json.Marshal(required)
	if required == nil {
		req = []byte("[]")
	}
	return json.RawMessage(`{"type":"object","properties":{` + props + `},"required":` + string(req) + `}`)
}

// noArgs is the schema of a tool without parameters (mcp-protocol.md §1).
var noArgs = json.RawMessage(`{"type":"object","additionalProperties":false}`)

// jsonText renders v as compact JSON for result texts.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// jsonSchema2020 is the input schema the json-schema-2020-12 scenario checks
// keyword by keyword ($schema, $defs with $anchor, additionalProperties,
// allOf/anyOf, if/then/else): it must reach the client verbatim.
const jsonSchema2020 = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "$defs": {
    "address": {
      "$anchor": "addressDef",
      "type": "object",
      "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
    }
  },
  "properties": {
    "name": {"type": "string"},
    "address": {"$ref": "#/$defs/address"},
    "contactMethod": {"type": "string", "enum": ["phone", "email"]},
    "phone": {"type": "string"},
    "email": {"type": "string"}
  },
  "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
  "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
  "then": {"required": ["phone"]},
  "else": {"required": ["email"]},
  "additionalProperties": false
}`

// Schemas of the legacy elicitation scenarios, as the suites check them.
const (
	elicitUserSchema = `{"type":"object","properties":{
		"username":{"type":"string","description":"User's response"},
		"email":{"type":"string","description":"User's email address"}},
		"required":["username","email"]}`

	// SEP-1034: a default for every primitive type.
	elicitDefaultsSchema = `{"type":"object","properties":{
		"name":{"type":"string","default":"John Doe"},
		"age":{"type":"integer","default":30},
		"score":{"type":"number","default":95.5},
		"status":{"type":"string","enum":["active","inactive","pending"],"default":"active"},
		"verified":{"type":"boolean","default":true}}}`

	// SEP-1330: the five enum variants.
	elicitEnumsSchema = `{"type":"object","properties":{
		"untitledSingle":{"type":"string","enum":["option1","option2","option3"]},
		"titledSingle":{"type":"string","oneOf":[
			{"const":"value1","title":"First Option"},
			{"const":"value2","title":"Second Option"},
			{"const":"value3","title":"Third Option"}]},
		"legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
		"untitledMulti":{"type":"array","items":{"type":"string","enum":["option1","option2","option3"]}},
		"titledMulti":{"type":"array","items":{"anyOf":[
			{"const":"value1","title":"First Choice"},
			{"const":"value2","title":"Second Choice"},
			{"const":"value3","title":"Third Choice"}]}}}}`
)

// Names of the items test_trigger_tool_change and test_trigger_prompt_change
// add and remove.
const (
	dynamicTool   = "test_dynamic_tool"
	dynamicPrompt = "test_dynamic_prompt"
)

func init() {
	sdk.AddTool(sdk.Tool{Name: "test_simple_text", Description: "Returns a simple text response for conformance testing", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.TextResult("This is a simple text response for testing."), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_image_content", Description: "Returns image content for conformance testing", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.NewResult(sdk.Image(testImage, "image/png")), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_audio_content", Description: "Returns audio content for conformance testing", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.NewResult(sdk.Audio(testAudio, "audio/wav")), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_embedded_resource", Description: "Returns an embedded text resource", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.NewResult(sdk.EmbeddedText("test://embedded-resource", "text/plain", "This is an embedded resource content.")), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_multiple_content_types", Description: "Returns text, image, and embedded resource content", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.NewResult(
				sdk.Text("Multiple content types test:"),
				sdk.Image(testImage, "image/png"),
				sdk.EmbeddedText("test://mixed-content-resource", "application/json", `{"test":"data","value":123}`),
			), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_error_handling", Description: "Returns an intentional tool error", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.ErrorResult("This tool intentionally returns an error for testing"), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_tool_with_logging", Description: "Emits three info log messages, 50 ms apart, during execution", InputSchema: noArgs},
		func(c *sdk.Call) (*sdk.Result, error) {
			for i, msg := range []string{"Tool execution started", "Tool processing data", "Tool execution completed"} {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				c.Log(sdk.LevelInfo, "conformance-test-server", msg)
			}
			return sdk.TextResult("Tool with logging executed successfully"), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_tool_with_progress", Description: "Reports progress 0, 50 and 100 of 100, 50 ms apart, when the request has a progressToken", InputSchema: noArgs},
		func(c *sdk.Call) (*sdk.Result, error) {
			for i, p := range []float64{0, 50, 100} {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				c.Progress(p, 100, "") // a no-op without a progressToken
			}
			return sdk.TextResult("progress reported"), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_sampling", Description: "Requests an LLM response from the client (sampling/createMessage)",
		InputSchema: obj(`"prompt":{"type":"string","description":"Prompt to send to the LLM"}`, "prompt")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct {
				Prompt string `json:"prompt"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			text, err := sdk.SampleText(a.Prompt, 100)
			if err != nil {
				return nil, err // the client cannot sample: an isError result
			}
			return sdk.TextResult("LLM response: " + text), nil
		})

	elicitTool := func(name, desc, message string, schema json.RawMessage, format string) {
		sdk.AddTool(sdk.Tool{Name: name, Description: desc, InputSchema: noArgs},
			func(*sdk.Call) (*sdk.Result, error) {
				res, err := sdk.Elicit(message, schema)
				if err != nil {
					return nil, err
				}
				return sdk.TextResult(fmt.Sprintf(format, res.Action, jsonText(res.Content))), nil
			})
	}

	sdk.AddTool(sdk.Tool{Name: "test_elicitation", Description: "Requests information from the user (elicitation/create)",
		InputSchema: obj(`"message":{"type":"string","description":"Message to show the user"}`, "message")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct {
				Message string `json:"message"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			res, err := sdk.Elicit(a.Message, json.RawMessage(elicitUserSchema))
			if err != nil {
				return nil, err
			}
			return sdk.TextResult(fmt.Sprintf("User response: action=%s, content=%s", res.Action, jsonText(res.Content))), nil
		})

	elicitTool("test_elicitation_sep1034_defaults", "Requests elicitation with a default for every primitive type (SEP-1034)",
		"Provide your information", json.RawMessage(elicitDefaultsSchema), "Elicitation completed: action=%s, content=%s")

	elicitTool("test_elicitation_sep1330_enums", "Requests elicitation with the five enum schema variants (SEP-1330)",
		"Select options", json.RawMessage(elicitEnumsSchema), "Elicitation completed: action=%s, content=%s")

	// The scenario (server-sse-polling, SEP-1699) wants the server to close
	// the POST's SSE stream mid-call and deliver the result after the client
	// reconnects with Last-Event-ID. A guest has no way to ask the host to
	// close its stream, so this tool only takes a moment and answers on the
	// open stream, which the suite reports as INFO, not a failure.
	sdk.AddTool(sdk.Tool{Name: "test_reconnection", Description: "SSE polling test (SEP-1699): takes a moment, then returns text", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			time.Sleep(100 * time.Millisecond)
			return sdk.TextResult("Reconnection test completed"), nil
		})

	sdk.AddTool(sdk.Tool{Name: "json_schema_2020_12_tool", Description: "Tool with JSON Schema 2020-12 features", InputSchema: json.RawMessage(jsonSchema2020)},
		func(c *sdk.Call) (*sdk.Result, error) {
			return sdk.TextResult("Received: " + string(c.Arguments())), nil
		})

	// SEP-2243: region is mirrored into the Mcp-Param-Region header, which
	// the host must check against the body.
	sdk.AddTool(sdk.Tool{Name: "test_custom_headers", Description: "Echoes parameters that clients mirror into Mcp-Param-* headers (x-mcp-header, SEP-2243)",
		InputSchema: obj(`"region":{"type":"string","description":"A region name, mirrored as Mcp-Param-Region","x-mcp-header":"Region"},
			"priority":{"type":"integer","description":"A priority, mirrored as Mcp-Param-Priority","x-mcp-header":"Priority"}`, "region")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct {
				Region   string `json:"region"`
				Priority *int   `json:"priority"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.Priority != nil {
				return sdk.TextResult(fmt.Sprintf("region=%s priority=%d", a.Region, *a.Priority)), nil
			}
			return sdk.TextResult("region=" + a.Region), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_trigger_tool_change", Description: "Adds or removes the tool " + dynamicTool + ", which changes the tool list", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			verb := "removed"
			if !sdk.RemoveTool(dynamicTool) {
				sdk.AddTool(sdk.Tool{Name: dynamicTool, Description: "Added at run time by test_trigger_tool_change", InputSchema: noArgs},
					func(*sdk.Call) (*sdk.Result, error) { return sdk.TextResult("dynamic tool called"), nil })
				verb = "added"
			}
			sdk.NotifyToolListChanged()
			return sdk.TextResult("tool list changed: " + verb + " " + dynamicTool), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_trigger_prompt_change", Description: "Adds or removes the prompt " + dynamicPrompt + ", which changes the prompt list", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			verb := "removed"
			if !sdk.RemovePrompt(dynamicPrompt) {
				sdk.AddPrompt(sdk.Prompt{Name: dynamicPrompt, Description: "Added at run time by test_trigger_prompt_change"},
					func(*sdk.PromptRequest) (*sdk.PromptResult, error) {
						return &sdk.PromptResult{Messages: []sdk.PromptMessage{sdk.UserMessage(sdk.Text("This is a dynamic prompt."))}}, nil
					})
				verb = "added"
			}
			sdk.NotifyPromptListChanged()
			return sdk.TextResult("prompt list changed: " + verb + " " + dynamicPrompt), nil
		})

	// server-stateless calls this without _meta logLevel: the host must send
	// none of these messages.
	sdk.AddTool(sdk.Tool{Name: "test_logging_tool", Description: "Sends log messages at every level; the host forwards only those the request asked for", InputSchema: noArgs},
		func(c *sdk.Call) (*sdk.Result, error) {
			for _, l := range []sdk.Level{sdk.LevelDebug, sdk.LevelInfo, sdk.LevelWarning, sdk.LevelError} {
				c.Log(l, "conformance-test-server", "test_logging_tool message at "+string(l))
			}
			return sdk.TextResult("logged at debug, info, warning and error"), nil
		})

	// server-stateless calls this with no client capabilities: the host must
	// refuse it with MissingRequiredClientCapabilityError (-32021) naming
	// sampling, since the guest asks for sampling.
	sdk.AddTool(sdk.Tool{Name: "test_missing_capability", Description: "Needs the client's sampling capability (asks the client's model)", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			text, err := sdk.SampleText("Reply with OK.", 10)
			if err != nil {
				return nil, err
			}
			return sdk.TextResult("LLM response: " + text), nil
		})

	// server-stateless reads this tool's response stream and checks that it
	// carries no server-to-client request (modern input goes through an
	// input_required result instead).
	sdk.AddTool(sdk.Tool{Name: "test_streaming_elicitation", Description: "Asks the user to confirm (elicitation) while the response streams", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			res, err := sdk.Elicit("Please confirm to continue", json.RawMessage(`{"type":"object","properties":{"confirmed":{"type":"boolean","description":"Confirm?"}}}`))
			if err != nil {
				return nil, err
			}
			return sdk.TextResult(fmt.Sprintf("Elicitation completed: action=%s, content=%s", res.Action, jsonText(res.Content))), nil
		})
}

func main() {}
