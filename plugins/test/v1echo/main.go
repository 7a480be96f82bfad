//go:build wasip1

package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/extism/go-pdk"
)

const description = `{"tools":[
	{"name":"echo","description":"Echo the message back.","inputSchema":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"],"additionalProperties":false}},
	{"name":"add","description":"Add two numbers.","inputSchema":{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"],"additionalProperties":false}},
	{"name":"fail_result","description":"Return an isError result.","inputSchema":{"type":"object","additionalProperties":false}},
	{"name":"fail_rc","description":"Fail the call with an Extism error and return code 1.","inputSchema":{"type":"object","additionalProperties":false}}
]}`

type content struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type result struct {
	Content []content `json:"content"`
	IsError bool      `json:"isError"`
}

//go:wasmexport describe
func describe() int32 {
	pdk.OutputString(description)
	return 0
}

//go:wasmexport call
func call() int32 {
	var in struct {
		Params struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"params"`
	}
	if err := pdk.InputJSON(&in); err != nil {
		pdk.SetErrorString("v1echo: malformed input: " + err.Error())
		return 1
	}
	args := in.Params.Arguments
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage(`{}`)
	}
	text := func(s string, isErr bool) int32 {
		if err := pdk.OutputJSON(result{Content: []content{{Type: "text", Text: s}}, IsError: isErr}); err != nil {
			pdk.SetError(err)
			return 1
		}
		return 0
	}
	switch in.Params.Name {
	case "echo":
		var a struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return text("invalid arguments: "+err.Error(), true)
		}
		return text(a.Message, false)
	case "add":
		var a struct{ A, B float64 }
		if err := json.Unmarshal(args, &a); err != nil {
			return text("invalid arguments: "+err.Error(), true)
		}
		return text(strconv.FormatFloat(a.A+a.B, 'g', -1, 64), false)
	case "fail_result":
		return text("fail_result: this tool always fails", true)
	case "fail_rc":
		pdk.SetErrorString("fail_rc: deliberate failure with rc=1")
		return 1
	default:
		pdk.SetErrorString(fmt.Sprintf("unknown tool %q", in.Params.Name))
		return 1
	}
}

func main() {}
