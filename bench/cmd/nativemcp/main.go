// Command nativemcp is the native baseline of the start-up (P3) and memory
// (P5) benchmarks: a plain mcp-go server with the same echo tool as the
// benchmark guest, implemented in Go, served over stdio or streamable HTTP.
//
//	nativemcp                           # stdio
//	nativemcp -listen 127.0.0.1:9000    # streamable HTTP at /mcp
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/mark3labs/mcp-go/server"

	"github.com/toolhost/toolhost/bench"
)

func main() {
	listen := flag.String("listen", "", "serve streamable HTTP on this address instead of stdio")
	flag.Parse()
	s := bench.NativeServer(false)
	var err error
	if *listen != "" {
		err = http.ListenAndServe(*listen, bench.NativeHandler(s, false))
	} else {
		err = server.ServeStdio(s)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nativemcp:", err)
		os.Exit(1)
	}
}
