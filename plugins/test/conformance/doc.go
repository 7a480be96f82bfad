// conformance provides, by their exact names, every fixture the official MCP
// conformance suites (@modelcontextprotocol/conformance 0.1.16 and
// 0.2.0-alpha.12) expect a server to expose: the test_* tools, the test://
// resources and template, the test_* prompts and completion on prompt
// arguments. e2e/conformance_test.go serves it with runtime_config.prefix ""
// so the names reach the client unchanged.
//
// Behaviour (texts, the base64 test image and audio, schemas) is copied from
// mcp-go's examples/conformance and from the scenario descriptions of the
// conformance package. Where a scenario needs something the sdk cannot
// express, the fixture does the closest thing the ABI allows and says so in
// its comment (see test_reconnection and the test_input_required_result_*
// tools).
package main
