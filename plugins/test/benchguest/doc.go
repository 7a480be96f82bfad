//go:build wasip1

// benchguest is the guest of toolhost's benchmarks (bench/): a trivial tool
// (echo) and CPU-bound tools (sha256, sort, lcg) through the sdk, plus
// plain exports with numeric parameters (noop, bench_lcg, bench_lcg_polled,
// bench_sha256, bench_sort) that a benchmark can call through raw wazero
// without the Extism kernel, so the same guest code is measured at every
// layer.
package main
