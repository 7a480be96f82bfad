package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/toolhost/toolhost/sdk"
)

// The input-required-result-* scenarios (2026-07-28, SEP-2322 "MRTR").
//
// A guest asks the client for input through blocking host functions; the
// host turns each question into an input_required result (parking the
// call) and resumes the guest when the client retries. The hyper-mcp
// functions (sdk.Elicit, SampleText, ListRoots) ask one question under a key
// the host picks; toolhost's request_input (sdk.Ask) names the questions and
// asks several in one round, which two scenarios require: the key
// "user_name", and elicitation, sampling and roots in one result.

// Schemas and messages from the scenario descriptions.
const (
	nameSchema    = `{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`
	confirmSchema = `{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}`
	colorSchema   = `{"type":"object","properties":{"color":{"type":"string"}},"required":["color"]}`
	contextSchema = `{"type":"object","properties":{"context":{"type":"string"}},"required":["context"]}`
)

// field returns content[key] of an elicitation answer as text ("" if absent).
func field(r *sdk.ElicitResult, key string) string {
	if r == nil || r.Content == nil {
		return ""
	}
	switch v := r.Content[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return jsonText(v)
	}
}

// declined describes an answer other than accept.
func declined(step string, r *sdk.ElicitResult) *sdk.Result {
	return sdk.TextResult(fmt.Sprintf("%s: the user chose %s (content=%s)", step, r.Action, jsonText(r.Content)))
}

// rootsText lists roots as text.
func rootsText(roots []sdk.Root) string {
	if len(roots) == 0 {
		return "no roots"
	}
	uris := make([]string, len(roots))
	for i, r := range roots {
		uris[i] = r.URI
	}
	return strings.Join(uris, ", ")
}

// elicitAnswer decodes an elicitation answer from sdk.Ask.
func elicitAnswer(raw json.RawMessage) (*sdk.ElicitResult, error) {
	var r sdk.ElicitResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("elicitation answer: %w", err)
	}
	return &r, nil
}

// declaredCapabilities returns the client capabilities a 2026-07-28 request
// carries in _meta (nil when there are none, as in the legacy era).
func declaredCapabilities(r *sdk.Request) map[string]any {
	caps, _ := r.Meta()["io.modelcontextprotocol/clientCapabilities"].(map[string]any)
	return caps
}

func init() {
	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_elicitation", Description: "Asks the user's name (elicitation, key user_name), then greets them", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			answers, err := sdk.Ask(map[string]sdk.InputRequest{"user_name": sdk.ElicitRequest("What is your name?", json.RawMessage(nameSchema))})
			if err != nil {
				return nil, err
			}
			res, err := elicitAnswer(answers["user_name"])
			if err != nil {
				return nil, err
			}
			if res.Action != "accept" {
				return declined("user_name", res), nil
			}
			return sdk.TextResult("Hello, " + field(res, "name") + "!"), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_sampling", Description: "Asks the client's model for the capital of France (sampling)", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			text, err := sdk.SampleText("What is the capital of France?", 100)
			if err != nil {
				return nil, err
			}
			return sdk.TextResult("Sampling response: " + text), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_list_roots", Description: "Asks the client for its roots (roots/list) and lists them", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			roots, err := sdk.ListRoots()
			if err != nil {
				return nil, err
			}
			return sdk.TextResult("Client roots: " + rootsText(roots)), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_request_state", Description: "Asks the user to confirm; answers state-ok once the retry carried the request state", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			res, err := sdk.Elicit("Please confirm", json.RawMessage(confirmSchema))
			if err != nil {
				return nil, err
			}
			// Reaching this point means the host resumed this very call from
			// the client's requestState.
			return sdk.TextResult(fmt.Sprintf("state-ok: action=%s, content=%s", res.Action, jsonText(res.Content))), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_multiple_inputs", Description: "Needs the user's name (elicitation), a greeting (sampling) and the client's roots, asked together", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			sample, _ := json.Marshal(map[string]any{"messages": []sdk.PromptMessage{sdk.UserMessage(sdk.Text("Generate a greeting"))}, "maxTokens": 50})
			answers, err := sdk.Ask(map[string]sdk.InputRequest{
				"user_name":    sdk.ElicitRequest("What is your name?", json.RawMessage(nameSchema)),
				"greeting":     sdk.SampleRequest(sample),
				"client_roots": sdk.RootsRequest(),
			})
			if err != nil {
				return nil, err
			}
			name, err := elicitAnswer(answers["user_name"])
			if err != nil {
				return nil, err
			}
			var roots struct{ Roots []sdk.Root }
			if err := json.Unmarshal(answers["client_roots"], &roots); err != nil {
				return nil, fmt.Errorf("roots answer: %w", err)
			}
			return sdk.TextResult(fmt.Sprintf("name=%s greeting=%s roots=%s", field(name, "name"), answers["greeting"], rootsText(roots.Roots))), nil
		})

	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_multi_round", Description: "Asks two questions in two rounds: the user's name, then their favourite colour", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			step1, err := sdk.Elicit("Step 1: What is your name?", json.RawMessage(nameSchema))
			if err != nil {
				return nil, err
			}
			if step1.Action != "accept" {
				return declined("step1", step1), nil
			}
			step2, err := sdk.Elicit("Step 2: What is your favorite color?", json.RawMessage(colorSchema))
			if err != nil {
				return nil, err
			}
			if step2.Action != "accept" {
				return declined("step2", step2), nil
			}
			return sdk.TextResult(fmt.Sprintf("Hello %s, your favorite color is %s.", field(step1, "name"), field(step2, "color"))), nil
		})

	// Asks only for what the request's _meta declares, so a client with
	// sampling but no elicitation gets a sampling question only.
	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_capabilities", Description: "Asks the client only through the capabilities its request declares", InputSchema: noArgs},
		func(c *sdk.Call) (*sdk.Result, error) {
			caps := declaredCapabilities(&c.Request)
			var parts []string
			if caps["sampling"] != nil {
				text, err := sdk.SampleText("Say hello.", 20)
				if err != nil {
					return nil, err
				}
				parts = append(parts, "sampling="+text)
			}
			if caps["elicitation"] != nil {
				res, err := sdk.Elicit("What is your name?", json.RawMessage(nameSchema))
				if err != nil {
					return nil, err
				}
				parts = append(parts, "elicitation="+res.Action)
			}
			if caps["roots"] != nil {
				roots, err := sdk.ListRoots()
				if err != nil {
					return nil, err
				}
				parts = append(parts, "roots="+rootsText(roots))
			}
			if len(parts) == 0 {
				return sdk.TextResult("the request declared no client capability this tool can use"), nil
			}
			return sdk.TextResult(strings.Join(parts, "; ")), nil
		})

	// The requestState's integrity is the host's job (it must reject a
	// tampered one); the guest only asks.
	sdk.AddTool(sdk.Tool{Name: "test_input_required_result_tampered_state", Description: "Asks the user to confirm; the host must reject a tampered request state", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			res, err := sdk.Elicit("Please confirm", json.RawMessage(confirmSchema))
			if err != nil {
				return nil, err
			}
			return sdk.TextResult(fmt.Sprintf("confirmed: action=%s, content=%s", res.Action, jsonText(res.Content))), nil
		})

	sdk.AddPrompt(sdk.Prompt{Name: "test_input_required_result_prompt", Title: "Prompt Needing Input",
		Description: "A prompt that asks the user for context (elicitation) before rendering"},
		func(*sdk.PromptRequest) (*sdk.PromptResult, error) {
			res, err := sdk.Elicit("What context should the prompt use?", json.RawMessage(contextSchema))
			if err != nil {
				return nil, err
			}
			ctx := field(res, "context")
			if res.Action != "accept" {
				ctx = "(none: the user chose " + res.Action + ")"
			}
			return &sdk.PromptResult{Messages: []sdk.PromptMessage{
				sdk.UserMessage(sdk.Text("Prompt context: " + ctx)),
			}}, nil
		})
}
