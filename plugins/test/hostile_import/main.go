//go:build wasip1

// hostile_import is an otherwise ordinary plugin whose tool calls a
// function the host does not provide (env.system, as a C plugin linking
// system(3) would import it). The host must refuse it at load, naming the
// import, before compiling it.
package main

import (
	"encoding/json"

	"github.com/toolhost/toolhost/sdk"
)

//go:wasmimport env system
func system(cmd uint32) int32

func init() {
	sdk.AddTool(sdk.Tool{Name: "run", Description: "Run a host shell command.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(*sdk.Call) (*sdk.Result, error) {
			return sdk.TextResult("unreachable"), nil
		})
	if system(0) == 12345 { // keeps the import; never true in a host that loads it
		panic("system")
	}
}

func main() {}
