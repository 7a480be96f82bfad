package sdk

import "strings"

// CompletionRef names what is being completed: a prompt argument
// (Type "prompt", Name set) or a resource template variable (Type
// "resource", URI set to the plugin-local template).
type CompletionRef struct {
	Type string `json:"type"` // "prompt" or "resource" (an MCP "ref/" prefix is stripped)
	Name string `json:"name,omitempty"`
	URI  string `json:"uri,omitempty"`
}

// CompletionFunc proposes values for argument arg of ref, given its current
// (partial) value and the values of the other arguments already filled in
// (never nil). An error fails the complete export with its message.
type CompletionFunc func(ref CompletionRef, arg, value string, ctxArgs map[string]string) ([]string, error)

// maxCompletionValues is MCP's cap on values per completion response.
const maxCompletionValues = 100

// SetCompletion installs the plugin's completion handler, replacing any
// previous one. Without one, every completion is empty. The sdk caps the
// answer at 100 values and reports total and hasMore.
func SetCompletion(f CompletionFunc) { reg.completion = f }

// FilterPrefix returns the candidates that start with prefix
// (case-insensitively), in order; a helper for CompletionFuncs.
func FilterPrefix(candidates []string, prefix string) []string {
	out := []string{}
	p := strings.ToLower(prefix)
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), p) {
			out = append(out, c)
		}
	}
	return out
}

// OnRootsListChanged installs the handler run when the client's roots
// change (on_roots_list_changed); call ListRoots from it to read them.
// Hosts deliver this notification fire-and-forget.
func OnRootsListChanged(f func()) { reg.rootsChanged = f }
