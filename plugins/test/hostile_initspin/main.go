//go:build wasip1

// hostile_initspin never finishes initialising: its init function spins,
// so _initialize (which Extism runs before the first call, list_tools at
// load) never returns. The host must give up after runtime_config.timeout
// and refuse the plugin instead of hanging at start-up.
package main

import (
	"encoding/json"

	"github.com/toolhost/toolhost/sdk"
)

var sink uint64

func init() {
	for sink != 1 {
		sink = sink*6364136223846793005 + 1442695040888963407
	}
	sdk.AddTool(sdk.Tool{Name: "never", Description: "Never listed.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(*sdk.Call) (*sdk.Result, error) { return sdk.TextResult("unreachable"), nil })
}

func main() {}
