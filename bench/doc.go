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
//     plugin.CallTool vs a raw wazero call of the same guest export through
//     a minimal Go kernel (layers.go, rawwasm.go, figures_calls.go);
//   - P3 process start to the first tools/list answer (procs.go,
//     figures_procs.go);
//   - P4 one pooled plugin at concurrency 2 vs 1 (scaling.go,
//     figures_load.go);
//   - P5 resident memory with 100 plugins idle (procs.go, figures_procs.go);
//   - P6 a CPU-bound guest with wazero's WithCloseOnContextDone on vs off
//     (layers.go, figures_calls.go).
//
// Run collects them all; cmd/report renders them into BENCHMARKS.md and
// cmd/load drives the P1 load alone. The Go benchmarks in bench_test.go
// expose the P2 and P6 layers to `go test -bench` and its profilers.
//
// Nothing here asserts a timing: quick_test.go runs the quick mode and
// checks only that the numbers are sane.
package bench
