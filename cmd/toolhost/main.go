// Command toolhost serves WebAssembly plugins as MCP tools. See the README.
package main

import (
	"context"
	"os"

	"github.com/toolhost/toolhost/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Env: os.LookupEnv}))
}
