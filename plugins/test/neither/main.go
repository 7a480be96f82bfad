//go:build wasip1

package main

import "github.com/extism/go-pdk"

//go:wasmexport hello
func hello() int32 {
	pdk.OutputString("hello from a module that is neither a V1 nor a V2 plugin")
	return 0
}

func main() {}
