// Command clock is a toolhost plugin that tells the current time in any
// IANA time zone, converts times between zones and does date arithmetic.
//
// It embeds the IANA time zone database (time/tzdata), because wasip1 has
// no zoneinfo files. It needs no grants, but "now" needs the host's real
// wall clock: wazero's default is a fake clock stuck at 2022-01-01, which
// the plugin detects and reports instead of answering wrongly.
//
// Build (from plugins/):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o clock.wasm ./clock
package main
