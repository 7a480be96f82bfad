// Package bench measures toolhost against baselines taken in the same run:
// the performance targets P1–P6 of the benchmarks issue (see README.md and
// BENCHMARKS.md at the repository root).
//
// Every figure is a ratio against a baseline measured in the same process
// and run, because the machines this runs on are shared and noisy:
//
//   - P1 tools/call throughput over streamable HTTP, toolhost vs a native
//     mcp-go server with the same tool (load.go, native.go);
//   - P2 the host's overhead on a warm plugin call, toolhost's
//     plugin.CallTool (its own engine on the module instrumented with its
//     interrupt flag) vs a raw wazero call of the same guest export through
//     a minimal Go kernel; Extism's go-sdk and wazero's
//     WithCloseOnContextDone (toolhost's fallback interrupt) are measured
//     as reference layers (layers.go, rawwasm.go, figures_calls.go);
//   - P3 process start to the first tools/list answer with a warm cache
//     directory (compiled code and remembered catalogs: lazy plugins),
//     with the catalogs removed (the eager start), and cold (procs.go,
//     figures_procs.go);
//   - P4 one pooled plugin at concurrency 2 vs 1 (scaling.go,
//     figures_load.go);
//   - P5 resident memory with 100 plugins idle after a warm start
//     (procs.go, figures_procs.go);
//   - P6 CPU-bound tools with toolhost's interrupting per-call timeout on
//     (plugin.CallTool) vs off (the same call_tool on raw wazero, no
//     interrupt), and, secondary, the WithCloseOnContextDone fallback on vs
//     off (layers.go, figures_calls.go).
//
// Run collects them all; cmd/report renders them into BENCHMARKS.md and
// cmd/load drives the P1 load alone. The Go benchmarks in bench_test.go
// expose the P2 and P6 layers to `go test -bench` and its profilers.
//
// Nothing here asserts a timing: quick_test.go runs the quick mode and
// checks only that the numbers are sane.
package bench
