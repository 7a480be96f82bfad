//go:build wasip1

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/extism/go-pdk"
	"github.com/toolhost/toolhost/sdk"
)

// obj builds an object schema from property definitions.
func obj(props string, required ...string) json.RawMessage {
	req, _ := json.Marshal(required)
	if required == nil {
		req = []byte("[]")
	}
	return json.RawMessage(`{"type":"object","properties":{` + props + `},"required":` + string(req) + `,"additionalProperties":false}`)
}

var noArgs = obj("")

var (
	counter      int                 // "counter": proves instance state per session
	dynamicTools = map[string]bool{} // names added by add_tool
	rootsChanged int                 // on_roots_list_changed deliveries
	sink         uint64              // keeps spin's loop from being optimised away
)

func text(format string, a ...any) *sdk.Result { return sdk.TextResult(fmt.Sprintf(format, a...)) }

func init() {
	sdk.AddTool(sdk.Tool{Name: "echo", Description: "Echo the message back.", InputSchema: obj(`"message":{"type":"string"}`, "message")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct {
				Message string `json:"message"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			return sdk.TextResult(a.Message), nil
		})

	sdk.AddTool(sdk.Tool{Name: "add", Description: "Add two numbers.", InputSchema: obj(`"a":{"type":"number"},"b":{"type":"number"}`, "a", "b"),
		OutputSchema: json.RawMessage(`{"type":"object","properties":{"sum":{"type":"number"}},"required":["sum"]}`)},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ A, B float64 }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			return text("%g", a.A+a.B).Structured(map[string]float64{"sum": a.A + a.B}), nil
		})

	sdk.AddTool(sdk.Tool{Name: "progress", Description: "Report progress 1..steps (with total) delay_ms apart (default 20), using the request's progressToken. The last report goes out right before the result, the case where a transport may lose it.",
		InputSchema: obj(`"steps":{"type":"integer","minimum":0,"maximum":1000},"delay_ms":{"type":"integer","minimum":0,"maximum":1000}`, "steps")},
		func(c *sdk.Call) (*sdk.Result, error) {
			a := struct {
				Steps   int
				DelayMS *int `json:"delay_ms"`
			}{}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.Steps < 0 || a.Steps > 1000 {
				return nil, errors.New("steps must be between 0 and 1000")
			}
			delay := 20 * time.Millisecond
			if a.DelayMS != nil {
				delay = time.Duration(*a.DelayMS) * time.Millisecond
			}
			for i := 1; i <= a.Steps; i++ {
				if i > 1 {
					time.Sleep(delay)
				}
				c.Progress(float64(i), float64(a.Steps), fmt.Sprintf("step %d of %d", i, a.Steps))
			}
			return text("done %d steps", a.Steps), nil
		})

	sdk.AddTool(sdk.Tool{Name: "log", Description: "Send an MCP log message (notify_logging_message).",
		InputSchema: obj(`"level":{"type":"string","enum":["debug","info","notice","warning","error","critical","alert","emergency"]},"message":{"type":"string"}`, "level", "message")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Level, Message string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			lvl, err := sdk.ParseLevel(a.Level)
			if err != nil {
				return nil, err
			}
			c.Log(lvl, "everything", a.Message)
			return text("logged at %s", lvl), nil
		})

	sdk.AddTool(sdk.Tool{Name: "elicit", Description: "Ask the user a question through elicitation (create_elicitation); returns the action and content.",
		InputSchema: obj(`"message":{"type":"string"}`, "message")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Message string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			res, err := sdk.Elicit(a.Message, json.RawMessage(`{"type":"object","properties":{"answer":{"type":"string","description":"Your answer"}},"required":["answer"]}`))
			if err != nil {
				return nil, err
			}
			content, _ := json.Marshal(res.Content)
			return text("action=%s content=%s", res.Action, content), nil
		})

	sdk.AddTool(sdk.Tool{Name: "sample", Description: "Ask the client's model (create_message) and return its text.",
		InputSchema: obj(`"prompt":{"type":"string"}`, "prompt")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Prompt string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			out, err := sdk.SampleText(a.Prompt, 256)
			if err != nil {
				return nil, err
			}
			return sdk.TextResult(out), nil
		})

	sdk.AddTool(sdk.Tool{Name: "roots", Description: "List the client's roots (list_roots), one URI per line.", InputSchema: noArgs},
		func(c *sdk.Call) (*sdk.Result, error) {
			roots, err := sdk.ListRoots()
			if err != nil {
				return nil, err
			}
			if len(roots) == 0 {
				return sdk.TextResult("no roots"), nil
			}
			uris := make([]string, len(roots))
			for i, r := range roots {
				uris[i] = r.URI
			}
			return sdk.TextResult(strings.Join(uris, "\n")), nil
		})

	sdk.AddTool(sdk.Tool{Name: "roots_changed_count", Description: "How many on_roots_list_changed notifications this instance received.", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) { return text("%d", rootsChanged), nil })
	sdk.OnRootsListChanged(func() { rootsChanged++ })

	sdk.AddTool(sdk.Tool{Name: "add_tool", Description: "Add a tool with the given name to this instance's tool list, then notify_tool_list_changed.",
		InputSchema: obj(`"name":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}`, "name")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Name string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.Name == "" {
				return nil, errors.New("name is required")
			}
			name := a.Name
			sdk.AddTool(sdk.Tool{Name: name, Description: "Added at run time by add_tool.", InputSchema: noArgs},
				func(*sdk.Call) (*sdk.Result, error) { return text("dynamic tool %s called", name), nil })
			dynamicTools[name] = true
			sdk.NotifyToolListChanged()
			names := make([]string, 0, len(dynamicTools))
			for n := range dynamicTools {
				names = append(names, n)
			}
			sort.Strings(names)
			return text("added %s; dynamic tools: %s", name, strings.Join(names, ", ")), nil
		})

	sdk.AddTool(sdk.Tool{Name: "counter", Description: "Increment this instance's counter and return it.", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) { counter++; return text("%d", counter), nil })

	sdk.AddTool(sdk.Tool{Name: "sleep", Description: "Sleep for ms milliseconds (needs the host's real nanosleep).",
		InputSchema: obj(`"ms":{"type":"integer","minimum":0}`, "ms")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Ms int }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			start := time.Now()
			time.Sleep(time.Duration(a.Ms) * time.Millisecond)
			return text("slept %d ms (measured %d ms)", a.Ms, time.Since(start).Milliseconds()), nil
		})

	sdk.AddTool(sdk.Tool{Name: "spin", Description: "Busy-loop forever; only a host timeout or cancellation ends it.", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			for {
				sink = sink*6364136223846793005 + 1442695040888963407
			}
		})

	sdk.AddTool(sdk.Tool{Name: "trap", Description: "Panic, which traps the instance.", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) { panic("trap: deliberate panic") })

	sdk.AddTool(sdk.Tool{Name: "bad_json", Description: `Write the non-JSON output "not json" and return 0.`, InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			pdk.OutputString("not json")
			return nil, sdk.ErrOutputWritten
		})

	sdk.AddTool(sdk.Tool{Name: "big_output", Description: "Return a text of exactly the given number of bytes.",
		InputSchema: obj(`"bytes":{"type":"integer","minimum":0}`, "bytes")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Bytes int }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.Bytes < 0 || a.Bytes > 1<<30 {
				return nil, errors.New("bytes must be between 0 and 1 GiB")
			}
			return sdk.TextResult(strings.Repeat("x", a.Bytes)), nil
		})

	sdk.AddTool(sdk.Tool{Name: "error_result", Description: "Return an isError result.", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.ErrorResult("error_result: this tool always fails"), nil
		})

	sdk.AddTool(sdk.Tool{Name: "error_rc", Description: "Set an Extism error string and return 1.", InputSchema: noArgs},
		func(*sdk.Call) (*sdk.Result, error) {
			return nil, sdk.Abort(errors.New("error_rc: deliberate failure with rc=1"))
		})

	sdk.AddTool(sdk.Tool{Name: "notify_list_changed", Description: "Send the list_changed notification for tools, prompts or resources without changing anything.",
		InputSchema: obj(`"list":{"type":"string","enum":["tools","prompts","resources"]}`, "list")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ List string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			switch a.List {
			case "tools":
				sdk.NotifyToolListChanged()
			case "prompts":
				sdk.NotifyPromptListChanged()
			case "resources":
				sdk.NotifyResourceListChanged()
			default:
				return nil, fmt.Errorf("unknown list %q: use tools, prompts or resources", a.List)
			}
			return text("notified %s list changed", a.List), nil
		})

	sdk.AddTool(sdk.Tool{Name: "config", Description: "Read an Extism config value (hyper-mcp env_vars).",
		InputSchema: obj(`"key":{"type":"string"}`, "key")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ Key string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			v, ok := sdk.Config(a.Key)
			if !ok {
				return nil, fmt.Errorf("config key %q is not set", a.Key)
			}
			return sdk.TextResult(v), nil
		})

	sdk.AddTool(sdk.Tool{Name: "touch_resource", Description: "Send notify_resource_updated for a plugin-local URI.",
		InputSchema: obj(`"uri":{"type":"string"}`, "uri")},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ URI string }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			sdk.NotifyResourceUpdated(a.URI)
			return text("notified update of %s", a.URI), nil
		})
}

func main() {}
