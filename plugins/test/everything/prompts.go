//go:build wasip1

package main

import (
	"fmt"

	"github.com/toolhost/toolhost/sdk"
)

var styles = []string{"formal", "casual", "pirate"}

func init() {
	sdk.AddPrompt(sdk.Prompt{
		Name:        "greet",
		Title:       "Greeting",
		Description: "Write a greeting for someone in a given style.",
		Arguments: []sdk.PromptArgument{
			{Name: "name", Description: "Who to greet.", Required: true},
			{Name: "style", Description: "formal, casual or pirate (default casual)."},
		},
	}, func(r *sdk.PromptRequest) (*sdk.PromptResult, error) {
		style := r.Arguments["style"]
		if style == "" {
			style = "casual"
		}
		known := false
		for _, s := range styles {
			known = known || s == style
		}
		if !known {
			return nil, fmt.Errorf("unknown style %q: use formal, casual or pirate", style)
		}
		return &sdk.PromptResult{
			Description: "A " + style + " greeting",
			Messages: []sdk.PromptMessage{
				sdk.UserMessage(sdk.Text(fmt.Sprintf("Write a %s greeting for %s.", style, r.Arguments["name"]))),
			},
		}, nil
	})

	sdk.SetCompletion(func(ref sdk.CompletionRef, arg, value string, _ map[string]string) ([]string, error) {
		if ref.Type == "prompt" && ref.Name == "greet" && arg == "style" {
			return sdk.FilterPrefix(styles, value), nil
		}
		return nil, nil
	})
}
