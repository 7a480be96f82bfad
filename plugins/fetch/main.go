package main

import (
	"encoding/json"
	"strconv"

	"github.com/toolhost/toolhost/sdk"
)

func init() {
	sdk.AddTool(sdk.Tool{
		Name:  "fetch",
		Title: "Fetch URL",
		Description: "Fetch an http(s) URL and return the status, the main response headers and the body as text (truncated to max_bytes). " +
			"Only hosts the operator allowed for this plugin (allowed_hosts) can be reached.",
		InputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"url": {"type": "string", "description": "Absolute http or https URL."},
				"method": {"type": "string", "enum": ["GET", "HEAD", "POST"], "default": "GET"},
				"headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Request headers, e.g. {\"Accept\": \"application/json\"}."},
				"body": {"type": "string", "description": "Request body (POST only)."},
				"max_bytes": {"type": "integer", "minimum": 1, "maximum": ` + strconv.Itoa(maxMaxBytes) + `, "default": ` + strconv.Itoa(defaultMaxBytes) + `, "description": "Return at most this many bytes of the body."}
			},
			"required": ["url"],
			"additionalProperties": false
		}`),
		OutputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"status": {"type": "integer"},
				"headers": {"type": "object", "additionalProperties": {"type": "string"}},
				"body": {"type": "string", "description": "Body text; absent for HEAD and binary bodies."},
				"body_bytes": {"type": "integer", "description": "Full body length."},
				"truncated": {"type": "boolean"}
			},
			"required": ["status", "headers", "body_bytes", "truncated"]
		}`),
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: sdk.Bool(false), OpenWorldHint: sdk.Bool(true)},
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a args
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		return fetch(a)
	})
}

func main() {}
