package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The V2 exports this package implements (plugin-abi §4).
const (
	exportListTools             = "list_tools"
	exportCallTool              = "call_tool"
	exportListPrompts           = "list_prompts"
	exportGetPrompt             = "get_prompt"
	exportListResources         = "list_resources"
	exportListResourceTemplates = "list_resource_templates"
	exportReadResource          = "read_resource"
	exportComplete              = "complete"
	exportOnRootsListChanged    = "on_roots_list_changed"
)

// dispatch runs one export on its JSON input and returns its JSON output.
// A nil output with a nil error means the handler wrote the output itself
// (ErrOutputWritten) or there is none (notifications). An error fails the
// export at the Extism level with its message. input belongs to the call:
// what it decodes may alias it (a tool's arguments do), so the caller must
// not reuse it; pdk.Input returns a new slice each time.
func dispatch(export string, input []byte) ([]byte, error) {
	switch export {
	case exportListTools:
		return listTools()
	case exportCallTool:
		return callTool(input)
	case exportListPrompts:
		return listPrompts()
	case exportGetPrompt:
		return getPrompt(input)
	case exportListResources:
		return listResources()
	case exportListResourceTemplates:
		return listResourceTemplates()
	case exportReadResource:
		return readResource(input)
	case exportComplete:
		return complete(input)
	case exportOnRootsListChanged:
		if reg.rootsChanged != nil {
			reg.rootsChanged()
		}
		return nil, nil
	default:
		return nil, fmt.Errorf("sdk: unknown export %q", export)
	}
}

// decodeInput decodes {"request": ..., "context": ...} in one pass, the
// request into req (a pointer). An empty input decodes as an empty request.
// call_tool takes decodeCallToolInput's reflection-free path first and comes
// here only for what that leaves to encoding/json.
func decodeInput(export string, input []byte, req any) (requestContext, error) {
	in := struct {
		Request any            `json:"request"`
		Context requestContext `json:"context"`
	}{Request: req}
	if len(bytes.TrimSpace(input)) > 0 {
		if err := json.Unmarshal(input, &in); err != nil {
			return requestContext{}, fmt.Errorf("%s: malformed input from host: %v", export, err)
		}
	}
	return in.Context, nil
}

func encode(export string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: encode output: %v", export, err)
	}
	return b, nil
}

func listTools() ([]byte, error) {
	tools := []Tool{}
	for _, e := range reg.tools.values() {
		tools = append(tools, e.tool)
	}
	return encode(exportListTools, map[string]any{"tools": tools})
}

func callTool(input []byte) ([]byte, error) {
	req, ctx, err := decodeCallToolInput(input)
	if err != nil {
		return nil, err
	}
	e, ok := reg.tools.get(req.Name)
	if !ok {
		return nil, fmt.Errorf("unknown tool %q", req.Name)
	}
	c := &Call{Request: newRequest(ctx), name: req.Name, args: normaliseArgs(req.Arguments)}
	res, err := e.handler(c)
	switch {
	case errors.Is(err, ErrOutputWritten):
		return nil, nil
	case err != nil:
		var ab *abortError
		if errors.As(err, &ab) {
			return nil, ab.err
		}
		res = ErrorResult(err.Error())
	case res == nil:
		res = &Result{}
	}
	out, err := res.MarshalJSON()
	if err != nil {
		// Tell the agent rather than failing the call opaquely.
		return encode(exportCallTool, ErrorResult(fmt.Sprintf("tool %q produced an unencodable result: %v", req.Name, err)))
	}
	return out, nil
}

func listPrompts() ([]byte, error) {
	prompts := []Prompt{}
	for _, e := range reg.prompts.values() {
		prompts = append(prompts, e.prompt)
	}
	return encode(exportListPrompts, map[string]any{"prompts": prompts})
}

func getPrompt(input []byte) ([]byte, error) {
	var req struct {
		Name      string            `json:"name"`
		Arguments map[string]string `json:"arguments"`
	}
	ctx, err := decodeInput(exportGetPrompt, input, &req)
	if err != nil {
		return nil, err
	}
	e, ok := reg.prompts.get(req.Name)
	if !ok {
		return nil, fmt.Errorf("unknown prompt %q", req.Name)
	}
	if req.Arguments == nil {
		req.Arguments = map[string]string{}
	}
	var missing []string
	for _, a := range e.prompt.Arguments {
		if a.Required && req.Arguments[a.Name] == "" {
			missing = append(missing, a.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("prompt %q: missing required argument(s): %s", req.Name, strings.Join(missing, ", "))
	}
	res, err := e.handler(&PromptRequest{Request: newRequest(ctx), Name: req.Name, Arguments: req.Arguments})
	if err != nil {
		return nil, fmt.Errorf("prompt %q: %v", req.Name, err)
	}
	if res == nil {
		res = &PromptResult{}
	}
	out, err := res.marshal()
	if err != nil {
		return nil, fmt.Errorf("prompt %q: encode result: %v", req.Name, err)
	}
	return out, nil
}

func listResources() ([]byte, error) {
	resources := []Resource{}
	for _, e := range reg.resources.values() {
		resources = append(resources, e.res)
	}
	return encode(exportListResources, map[string]any{"resources": resources})
}

func listResourceTemplates() ([]byte, error) {
	templates := []ResourceTemplate{}
	for _, e := range reg.templates.values() {
		templates = append(templates, e.tmpl)
	}
	return encode(exportListResourceTemplates, map[string]any{"resourceTemplates": templates})
}

// findResource resolves uri to a fixed resource first, then to the first
// matching template in registration order.
func findResource(uri string) (ResourceHandler, map[string]string, bool) {
	if e, ok := reg.resources.get(uri); ok {
		return e.handler, map[string]string{}, true
	}
	for _, e := range reg.templates.values() {
		if params, ok := e.m.match(uri); ok {
			return e.handler, params, true
		}
	}
	return nil, nil, false
}

func readResource(input []byte) ([]byte, error) {
	var req struct {
		URI string `json:"uri"`
	}
	ctx, err := decodeInput(exportReadResource, input, &req)
	if err != nil {
		return nil, err
	}
	h, params, ok := findResource(req.URI)
	if !ok {
		return nil, fmt.Errorf("resource not found: %q", req.URI)
	}
	contents, err := h(&ReadRequest{Request: newRequest(ctx), URI: req.URI, Params: params})
	if err != nil {
		return nil, fmt.Errorf("read %q: %v", req.URI, err)
	}
	if contents == nil {
		contents = []ResourceContents{}
	}
	for i := range contents {
		if contents[i].URI == "" {
			contents[i].URI = req.URI
		}
	}
	out, err := json.Marshal(map[string]any{"contents": contents})
	if err != nil {
		return nil, fmt.Errorf("read %q: encode result: %v", req.URI, err)
	}
	return out, nil
}

func complete(input []byte) ([]byte, error) {
	var req struct {
		Ref      CompletionRef `json:"ref"`
		Argument struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"argument"`
		Context struct {
			Arguments map[string]string `json:"arguments"`
		} `json:"context"`
	}
	if _, err := decodeInput(exportComplete, input, &req); err != nil {
		return nil, err
	}
	req.Ref.Type = strings.TrimPrefix(req.Ref.Type, "ref/")
	values := []string{}
	if reg.completion != nil {
		ctxArgs := req.Context.Arguments
		if ctxArgs == nil {
			ctxArgs = map[string]string{}
		}
		v, err := reg.completion(req.Ref, req.Argument.Name, req.Argument.Value, ctxArgs)
		if err != nil {
			return nil, fmt.Errorf("complete %s: %v", req.Argument.Name, err)
		}
		if v != nil {
			values = v
		}
	}
	type completion struct {
		Values  []string `json:"values"`
		Total   int      `json:"total,omitempty"`
		HasMore bool     `json:"hasMore,omitempty"`
	}
	c := completion{Values: values, Total: len(values)}
	if len(values) > maxCompletionValues {
		c.Values, c.HasMore = values[:maxCompletionValues], true
	}
	return encode(exportComplete, map[string]any{"completion": c})
}
