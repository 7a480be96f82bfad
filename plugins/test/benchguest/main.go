//go:build wasip1

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/toolhost/toolhost/sdk"
)

func init() {
	sdk.AddTool(sdk.Tool{Name: "echo", Description: "Echo the message back.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"message":{"type":"string"}},"required":["message"],"additionalProperties":false}`)},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct {
				Message string `json:"message"`
			}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			return sdk.TextResult(a.Message), nil
		})

	sdk.AddTool(sdk.Tool{Name: "sha256", Description: "Hash kib KiB of generated data rounds times (CPU-bound); returns the last digest.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"kib":{"type":"integer","minimum":1,"maximum":65536},"rounds":{"type":"integer","minimum":1,"maximum":10000}},"required":["kib"],"additionalProperties":false}`)},
		func(c *sdk.Call) (*sdk.Result, error) {
			a := struct{ Kib, Rounds int }{Rounds: 1}
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.Kib < 1 || a.Kib > 65536 || a.Rounds < 1 || a.Rounds > 10000 {
				return nil, errors.New("kib must be 1..65536 and rounds 1..10000")
			}
			sum := hashRounds(a.Kib, a.Rounds)
			return sdk.TextResult(hex.EncodeToString(sum[:])), nil
		})

	sdk.AddTool(sdk.Tool{Name: "sort", Description: "Fill n int64 from a 64-bit LCG and slices.Sort them (CPU-bound); returns the median.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":8388608}},"required":["n"],"additionalProperties":false}`)},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ N int }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.N < 1 || a.N > 8388608 {
				return nil, errors.New("n must be 1..8388608")
			}
			return sdk.TextResult(strconv.FormatInt(sortGenerated(a.N), 10)), nil
		})

	sdk.AddTool(sdk.Tool{Name: "lcg", Description: "Run n steps of a 64-bit LCG from a fixed seed (a CPU-bound tight loop); returns the final state.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":10000000000}},"required":["n"],"additionalProperties":false}`)},
		func(c *sdk.Call) (*sdk.Result, error) {
			var a struct{ N int64 }
			if err := c.Bind(&a); err != nil {
				return nil, err
			}
			if a.N < 1 || a.N > 10_000_000_000 {
				return nil, errors.New("n must be 1..10000000000")
			}
			x := lcg(0, a.N)
			sink = x
			return sdk.TextResult(strconv.FormatUint(x, 10)), nil
		})
}

// data is the buffer the hashing work reads, grown on demand and reused so
// that repeated calls measure hashing, not allocation.
var data []byte

func buffer(kib int) []byte {
	n := kib << 10
	if len(data) < n {
		data = make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
	}
	return data[:n]
}

func hashRounds(kib, rounds int) [32]byte {
	b := buffer(kib)
	var sum [32]byte
	for range rounds {
		sum = sha256.Sum256(b)
		b[0] = sum[0]
	}
	return sum
}

// sink keeps the loops' results observable.
var sink uint64

// noop does nothing: the fixed cost of entering and leaving the guest.
//
//go:wasmexport noop
func noop() int32 { return 0 }

// bench_lcg runs n steps of a 64-bit LCG: a tight loop, the worst case for
// a per-loop-header check.
//
//go:wasmexport bench_lcg
func benchLCG(n int64) int64 {
	x := lcg(sink, n)
	sink = x
	return int64(x)
}

// lcg runs n steps of the 64-bit LCG from x (the loop of bench_lcg and of
// the lcg tool).
func lcg(x uint64, n int64) uint64 {
	for i := int64(0); i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// poll is the benchmarks' stand-in for an interrupt check: the Extism
// kernel's get_log_level import (which toolhost provides), redefined by
// bench's raw wazero host to report whether the call's deadline passed.
//
//go:wasmimport extism:host/env get_log_level
func poll() int32

// bench_lcg_polled is bench_lcg with the check an epoch/fuel rewrite would
// insert, written by hand: a countdown decremented in every iteration and,
// every 65536 iterations, a call out to the host that may stop the loop.
// It models what an amortised interrupt check costs without
// WithCloseOnContextDone.
//
//go:wasmexport bench_lcg_polled
func benchLCGPolled(n int64) int64 {
	x := sink
	budget := int32(1 << 16)
	for i := int64(0); i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		budget--
		if budget == 0 {
			budget = 1 << 16
			if poll() > 1000 {
				break
			}
		}
	}
	sink = x
	return int64(x)
}

// bench_sha256 hashes kib KiB rounds times.
//
//go:wasmexport bench_sha256
func benchSHA256(kib, rounds int32) int32 {
	sum := hashRounds(int(kib), int(rounds))
	return int32(sum[0])
}

// bench_sort fills n ints with a generator and sorts them.
//
//go:wasmexport bench_sort
func benchSort(n int32) int32 {
	return int32(sortGenerated(int(n)) >> 32)
}

// sortGenerated fills n int64 with the LCG (seeded with n), sorts them and
// returns the median (the work of bench_sort and of the sort tool).
func sortGenerated(n int) int64 {
	s := make([]int64, n)
	x := uint64(n)
	for i := range s {
		x = x*6364136223846793005 + 1442695040888963407
		s[i] = int64(x >> 1)
	}
	slices.Sort(s)
	return s[len(s)/2]
}

func main() {}
