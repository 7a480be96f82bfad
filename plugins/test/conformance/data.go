package main

import "encoding/base64"

// The conformance suites' minimal media, as in mcp-go's examples/conformance:
// a 1x1 PNG and an empty 8 kHz mono WAV.
const (
	testImageB64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
	testAudioB64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="
)

var (
	testImage = mustBase64(testImageB64)
	testAudio = mustBase64(testAudioB64)
)

func mustBase64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic("conformance: bad embedded base64: " + err.Error())
	}
	return b
}
