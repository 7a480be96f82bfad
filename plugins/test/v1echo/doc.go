//go:build wasip1

// v1echo exercises the V1 (mcp.run servlet) ABI: describe + call written directly against go-pdk.
package main
