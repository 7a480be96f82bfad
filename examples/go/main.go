// Command wordfreq is a toolhost plugin written in Go with the typed sdk:
// the tool's input and output schemas come from the Go types below.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o wordfreq.wasm .
package main

import (
	"errors"
	"sort"
	"strings"
	"unicode"

	"github.com/toolhost/toolhost/sdk"
	"github.com/toolhost/toolhost/sdk/typed"
)

// Args are the tool's arguments; the JSON Schema clients see is derived
// from this struct (omitempty fields are optional).
type Args struct {
	Text      string `json:"text" jsonschema:"the text to analyse"`
	Top       int    `json:"top,omitempty" jsonschema:"how many words to return (default 10, at most 100)"`
	MinLength int    `json:"min_length,omitempty" jsonschema:"ignore words shorter than this"`
}

// Count is one word and how often it occurs.
type Count struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

// Result is the tool's structured output.
type Result struct {
	Words []Count `json:"words" jsonschema:"the most frequent words, most frequent first"`
	Total int     `json:"total" jsonschema:"how many words the text has"`
}

// Handlers are registered in init: a -buildmode=c-shared module never runs main.
func init() {
	typed.AddTool(sdk.Tool{Name: "wordfreq", Description: "Count the most frequent words of a text (case-insensitive)."},
		func(c *sdk.Call, a Args) (Result, error) {
			if a.Top == 0 {
				a.Top = 10
			}
			if a.Top < 0 || a.Top > 100 {
				return Result{}, errors.New("top must be between 1 and 100")
			}
			counts := map[string]int{}
			total := 0
			for _, w := range strings.FieldsFunc(strings.ToLower(a.Text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
				w = strings.Trim(w, "'")
				if len([]rune(w)) < max(a.MinLength, 1) {
					continue
				}
				counts[w]++
				total++
			}
			words := make([]Count, 0, len(counts))
			for w, n := range counts {
				words = append(words, Count{w, n})
			}
			sort.Slice(words, func(i, j int) bool {
				if words[i].Count != words[j].Count {
					return words[i].Count > words[j].Count
				}
				return words[i].Word < words[j].Word
			})
			if len(words) > a.Top {
				words = words[:a.Top]
			}
			return Result{Words: words, Total: total}, nil
		})
}

func main() {}
