// Package typed declares tools as typed Go functions: the input and output
// JSON Schemas are derived from the Go types (descriptions from
// `jsonschema:"..."` struct tags) and arguments are validated before the
// handler runs.
//
// It is a separate package because schema derivation and validation
// (github.com/google/jsonschema-go) add about a megabyte to a plugin; plugins
// that write their schemas by hand with sdk.AddTool do not pay for it.
package typed
