package sdk

import (
	"encoding/json"
	"fmt"
)

// Prompt describes a prompt template as list_prompts reports it.
type Prompt struct {
	Name        string           `json:"name"`
	Title       string           `json:"title,omitempty"`
	Description string           `json:"description,omitempty"`
	Arguments   []PromptArgument `json:"arguments,omitempty"`
}

// PromptArgument is one argument a prompt accepts.
type PromptArgument struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// PromptRequest is one prompts/get request. Required arguments have been
// checked to be present (and non-empty) before the handler runs.
type PromptRequest struct {
	Request
	Name      string
	Arguments map[string]string // never nil
}

// PromptResult is what a prompt handler returns.
type PromptResult struct {
	Description string          `json:"description,omitempty"`
	Messages    []PromptMessage `json:"messages"`
}

// PromptMessage is one message of a prompt.
type PromptMessage struct {
	Role    string  `json:"role"` // "user" or "assistant"
	Content Content `json:"content"`
}

// UserMessage returns a prompt message with role "user".
func UserMessage(c Content) PromptMessage { return PromptMessage{Role: "user", Content: c} }

// AssistantMessage returns a prompt message with role "assistant".
func AssistantMessage(c Content) PromptMessage { return PromptMessage{Role: "assistant", Content: c} }

// PromptHandler renders a prompt. Its error fails get_prompt with the
// message.
type PromptHandler func(r *PromptRequest) (*PromptResult, error)

type promptEntry struct {
	prompt  Prompt
	handler PromptHandler
}

// AddPrompt registers (or replaces, by name) a prompt. It panics on an empty
// name or a nil handler.
func AddPrompt(p Prompt, h PromptHandler) {
	if p.Name == "" {
		panic("sdk.AddPrompt: empty prompt name")
	}
	if h == nil {
		panic(fmt.Sprintf("sdk.AddPrompt(%q): nil handler", p.Name))
	}
	reg.prompts.put(p.Name, promptEntry{p, h})
}

// RemovePrompt unregisters a prompt; it reports whether it existed.
func RemovePrompt(name string) bool { return reg.prompts.remove(name) }

func (r PromptResult) marshal() ([]byte, error) {
	if r.Messages == nil {
		r.Messages = []PromptMessage{}
	}
	return json.Marshal(r)
}
