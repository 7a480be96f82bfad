// Command cmdtool is a plain WASI command plugin (no Extism kit): it reads
// one JSON request on stdin ({"method": "list_tools" | "call_tool", ...})
// and writes the answer on stdout, as any WASI compiler's output can.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

type request struct {
	Method  string `json:"method"`
	Request struct {
		Name      string            `json:"name"`
		Arguments map[string]string `json:"arguments"`
	} `json:"request"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	switch req.Method {
	case "list_tools":
		out.Encode(map[string]any{"tools": []any{
			map[string]any{"name": "upper", "description": "Upper-case a text.",
				"inputSchema": map[string]any{"type": "object", "properties": map[string]any{"text": map[string]any{"type": "string"}}, "required": []string{"text"}}},
			map[string]any{"name": "env", "description": "Report the environment and arguments the plugin sees.", "inputSchema": map[string]any{"type": "object"}},
			map[string]any{"name": "fail", "description": "Exit with status 3.", "inputSchema": map[string]any{"type": "object"}},
			map[string]any{"name": "sleep", "description": "Sleep for seconds (a WASI poll_oneoff), then answer.", "inputSchema": map[string]any{"type": "object"}},
		}})
	case "call_tool":
		switch req.Request.Name {
		case "upper":
			out.Encode(map[string]any{"content": []any{map[string]any{"type": "text", "text": strings.ToUpper(req.Request.Arguments["text"])}}})
		case "env":
			out.Encode(map[string]any{"content": []any{map[string]any{"type": "text", "text": fmt.Sprintf("env=%q args=%q", os.Environ(), os.Args)}}})
		case "sleep":
			secs, _ := strconv.Atoi(req.Request.Arguments["seconds"])
			time.Sleep(time.Duration(secs) * time.Second)
			out.Encode(map[string]any{"content": []any{map[string]any{"type": "text", "text": "slept"}}})
		case "fail":
			fmt.Fprintln(os.Stderr, "cmdtool: failing on purpose")
			os.Exit(3)
		default:
			out.Encode(map[string]any{"isError": true, "content": []any{map[string]any{"type": "text", "text": "unknown tool " + req.Request.Name}}})
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown method", req.Method)
		os.Exit(2)
	}
}
