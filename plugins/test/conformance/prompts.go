package main

import (
	"fmt"

	"github.com/toolhost/toolhost/sdk"
)

// completions proposes values for prompt arguments and template variables.
var completions = map[string][]string{
	"arg1":        {"paris", "park", "party", "test-value-1", "test-value-2"},
	"arg2":        {"alpha", "beta", "gamma", "test-value-3"},
	"resourceUri": {"test://static-text", "test://static-binary", "test://watched-resource"},
	"id":          {"1", "2", "3", "123"},
}

func init() {
	sdk.AddPrompt(sdk.Prompt{Name: "test_simple_prompt", Title: "Simple Test Prompt", Description: "A simple prompt without arguments"},
		func(*sdk.PromptRequest) (*sdk.PromptResult, error) {
			return &sdk.PromptResult{Messages: []sdk.PromptMessage{
				sdk.UserMessage(sdk.Text("This is a simple prompt for testing.")),
			}}, nil
		})

	sdk.AddPrompt(sdk.Prompt{Name: "test_prompt_with_arguments", Title: "Prompt With Arguments", Description: "A prompt with required arguments",
		Arguments: []sdk.PromptArgument{
			{Name: "arg1", Description: "First test argument", Required: true},
			{Name: "arg2", Description: "Second test argument", Required: true},
		}},
		func(r *sdk.PromptRequest) (*sdk.PromptResult, error) {
			return &sdk.PromptResult{Messages: []sdk.PromptMessage{
				sdk.UserMessage(sdk.Text(fmt.Sprintf("Prompt with arguments: arg1='%s', arg2='%s'", r.Arguments["arg1"], r.Arguments["arg2"]))),
			}}, nil
		})

	sdk.AddPrompt(sdk.Prompt{Name: "test_prompt_with_embedded_resource", Title: "Prompt With Embedded Resource",
		Description: "A prompt that includes an embedded resource",
		Arguments:   []sdk.PromptArgument{{Name: "resourceUri", Description: "URI of the resource to embed", Required: true}}},
		func(r *sdk.PromptRequest) (*sdk.PromptResult, error) {
			return &sdk.PromptResult{Messages: []sdk.PromptMessage{
				sdk.UserMessage(sdk.EmbeddedText(r.Arguments["resourceUri"], "text/plain", "Embedded resource content for testing.")),
				sdk.UserMessage(sdk.Text("Please process the embedded resource above.")),
			}}, nil
		})

	sdk.AddPrompt(sdk.Prompt{Name: "test_prompt_with_image", Title: "Prompt With Image", Description: "A prompt that includes image content"},
		func(*sdk.PromptRequest) (*sdk.PromptResult, error) {
			return &sdk.PromptResult{Messages: []sdk.PromptMessage{
				sdk.UserMessage(sdk.Image(testImage, "image/png")),
				sdk.UserMessage(sdk.Text("Please analyze the image above.")),
			}}, nil
		})

	sdk.SetCompletion(func(ref sdk.CompletionRef, arg, value string, _ map[string]string) ([]string, error) {
		switch {
		case ref.Type == "prompt" && (ref.Name == "test_prompt_with_arguments" || ref.Name == "test_prompt_with_embedded_resource"),
			ref.Type == "resource" && ref.URI == "test://template/{id}/data":
			return sdk.FilterPrefix(completions[arg], value), nil
		}
		return nil, nil
	})
}
