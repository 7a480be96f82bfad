//go:build !wasip1

package main

import "errors"

// send outside wasm: there is no Extism kernel to send through.
func send(request) (response, error) {
	return response{}, errors.New("HTTP is only available inside the wasm plugin")
}
