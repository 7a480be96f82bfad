package main

import (
	"encoding/json"

	"github.com/toolhost/toolhost/sdk"
)

const inputProps = `
	"algorithm": {"type": "string", "enum": ["md5", "sha1", "sha256", "sha512"], "description": "Hash algorithm. md5 and sha1 are for checksums only, not security."},
	"text": {"type": "string", "description": "Input as UTF-8 text. Give exactly one of text or base64."},
	"base64": {"type": "string", "description": "Input bytes, base64-encoded (standard or URL alphabet, padding optional). Give exactly one of text or base64."},
	"encoding": {"type": "string", "enum": ["hex", "base64"], "default": "hex", "description": "Encoding of the returned digest."}`

var digestSchema = json.RawMessage(`{
	"type": "object",
	"properties": {` + inputProps + `},
	"required": ["algorithm"],
	"additionalProperties": false
}`)

var hmacSchema = json.RawMessage(`{
	"type": "object",
	"properties": {` + inputProps + `,
		"key": {"type": "string", "description": "HMAC key as UTF-8 text. Give exactly one of key or key_base64."},
		"key_base64": {"type": "string", "description": "HMAC key bytes, base64-encoded. Give exactly one of key or key_base64."}
	},
	"required": ["algorithm"],
	"additionalProperties": false
}`)

var outputSchema = json.RawMessage(`{
	"type": "object",
	"properties": {
		"algorithm": {"type": "string"},
		"encoding": {"type": "string"},
		"digest": {"type": "string"},
		"input_bytes": {"type": "integer"}
	},
	"required": ["algorithm", "encoding", "digest", "input_bytes"]
}`)

var pure = &sdk.ToolAnnotations{ReadOnlyHint: sdk.Bool(true), IdempotentHint: sdk.Bool(true), OpenWorldHint: sdk.Bool(false)}

func init() {
	sdk.AddTool(sdk.Tool{
		Name:         "digest",
		Title:        "Message digest",
		Description:  "Compute the MD5, SHA-1, SHA-256 or SHA-512 digest of a text or of base64-encoded bytes; returns the digest as hex (default) or base64.",
		InputSchema:  digestSchema,
		OutputSchema: outputSchema,
		Annotations:  pure,
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a args
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		out, err := digest(a)
		if err != nil {
			return nil, err
		}
		return sdk.TextResult(out.Digest).Structured(out), nil
	})
	sdk.AddTool(sdk.Tool{
		Name:         "hmac",
		Title:        "HMAC",
		Description:  "Compute the HMAC (RFC 2104) of a text or of base64-encoded bytes with a key, using MD5, SHA-1, SHA-256 or SHA-512; returns it as hex (default) or base64.",
		InputSchema:  hmacSchema,
		OutputSchema: outputSchema,
		Annotations:  pure,
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a args
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		out, err := hmacDigest(a)
		if err != nil {
			return nil, err
		}
		return sdk.TextResult(out.Digest).Structured(out), nil
	})
}

func main() {}
