package main

import (
	"encoding/json"
	"strconv"

	"github.com/toolhost/toolhost/sdk"
)

var readOnly = &sdk.ToolAnnotations{ReadOnlyHint: sdk.Bool(true), IdempotentHint: sdk.Bool(true), OpenWorldHint: sdk.Bool(false)}

func init() {
	sdk.AddTool(sdk.Tool{
		Name:        "read_file",
		Title:       "Read file",
		Description: "Read a file from the directories the operator mounted for this plugin. UTF-8 files come back as text, others as a base64 blob; output is truncated to max_bytes.",
		InputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"path": {"type": "string", "description": "Absolute path inside a mounted directory, e.g. /data/notes.txt."},
				"max_bytes": {"type": "integer", "minimum": 1, "maximum": ` + strconv.Itoa(maxMaxBytes) + `, "default": ` + strconv.Itoa(defaultMaxBytes) + `, "description": "Read at most this many bytes."}
			},
			"required": ["path"],
			"additionalProperties": false
		}`),
		Annotations: readOnly,
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct {
			Path     string `json:"path"`
			MaxBytes int    `json:"max_bytes"`
		}
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		return readFile(a.Path, a.MaxBytes)
	})
	sdk.AddTool(sdk.Tool{
		Name:        "list_dir",
		Title:       "List directory",
		Description: "List a directory inside the directories the operator mounted for this plugin: names, types (file, dir, symlink) and sizes, sorted by name. Listing a path outside every mount reports which directories are mounted.",
		InputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"path": {"type": "string", "description": "Absolute path of a directory inside a mounted directory, e.g. /data."}
			},
			"required": ["path"],
			"additionalProperties": false
		}`),
		OutputSchema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"path": {"type": "string"},
				"entries": {"type": "array", "items": {"type": "object", "properties": {
					"name": {"type": "string"}, "type": {"type": "string", "enum": ["file", "dir", "symlink", "other"]}, "size": {"type": "integer"}
				}, "required": ["name", "type", "size"]}},
				"total": {"type": "integer"},
				"truncated": {"type": "boolean"}
			},
			"required": ["path", "entries", "total", "truncated"]
		}`),
		Annotations: readOnly,
	}, func(c *sdk.Call) (*sdk.Result, error) {
		var a struct {
			Path string `json:"path"`
		}
		if err := c.Bind(&a); err != nil {
			return nil, err
		}
		return listDir(a.Path)
	})
}

func main() {}
