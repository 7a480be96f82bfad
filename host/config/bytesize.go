package config

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ByteSize is a number of bytes.
type ByteSize int64

// WasmPageSize is the size of one WebAssembly memory page.
const WasmPageSize ByteSize = 64 << 10

var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20,
	"gi": 1 << 30, "gib": 1 << 30, "ti": 1 << 40, "tib": 1 << 40,
}

// ParseByteSize parses a size as hyper-mcp's memory_limit does: a number,
// optionally with a fraction, then optional spaces, then an optional unit
// in any letter case. Decimal units are k/kb, m/mb, g/gb and t/tb; binary
// ones are ki/kib, mi/mib, gi/gib and ti/tib; b or no unit means bytes.
// A fractional result is rounded down: "1.5k" is 1500 and "0.5b" is 0.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	end := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		end++
	}
	num, unit := t[:end], strings.ToLower(strings.TrimSpace(t[end:]))
	mult, ok := byteUnits[unit]
	if !ok || !decimalNumber(num) {
		return 0, fmt.Errorf("%q is not a size: use a number with an optional unit such as 64Mi or 100MB", s)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("%q is not a size: use a number with an optional unit such as 64Mi or 100MB", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	bytes := new(big.Int).Quo(r.Num(), r.Denom())
	if !bytes.IsInt64() {
		return 0, fmt.Errorf("%q is too large: the largest size is %d bytes", s, int64(math.MaxInt64))
	}
	return ByteSize(bytes.Int64()), nil
}

// decimalNumber reports whether s is digits with at most one '.' that has
// digits on both sides.
func decimalNumber(s string) bool {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || hasDot && frac == "" {
		return false
	}
	return !strings.Contains(frac, ".")
}

// Pages returns the number of whole 64KiB WebAssembly pages in b,
// floor(b / 65536), as hyper-mcp computes max_pages. It is 0 for b <= 0 and
// at most math.MaxUint32. A 32-bit wasm memory has at most 65536 pages, so
// larger results only mean "no lower limit than the runtime's".
func (b ByteSize) Pages() uint32 {
	if b <= 0 {
		return 0
	}
	return uint32(min(int64(b/WasmPageSize), math.MaxUint32))
}

// String returns b in the largest unit, binary or decimal, that divides it
// exactly (64Mi, 100MB), or as a plain number of bytes. ParseByteSize
// reads it back to the same value.
func (b ByteSize) String() string {
	units := []struct {
		size ByteSize
		name string
	}{
		{1 << 40, "Ti"}, {1e12, "TB"}, {1 << 30, "Gi"}, {1e9, "GB"},
		{1 << 20, "Mi"}, {1e6, "MB"}, {1 << 10, "Ki"}, {1e3, "kB"},
	}
	if b > 0 {
		for _, u := range units {
			if b%u.size == 0 {
				return strconv.FormatInt(int64(b/u.size), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(b), 10)
}
