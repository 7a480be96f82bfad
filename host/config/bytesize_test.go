package config

import (
	"math"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in    string
		bytes ByteSize
		pages uint32
	}{
		{"512Mi", 512 << 20, 8192},
		{"100 MB", 100e6, 1525},
		{"1GB", 1e9, 15258},
		{"64Ki", 64 << 10, 1},
		{"64kb", 64e3, 0},
		{"64KiB", 64 << 10, 1},
		{"2gib", 2 << 30, 32768},
		{"4Gi", 4 << 30, 65536},
		{"1TB", 1e12, 15258789},
		{"1ti", 1 << 40, 16777216},
		{"65536", 65536, 1},
		{"65536b", 65536, 1},
		{"  7 M  ", 7e6, 106},
		{"1.5Gi", 3 << 29, 24576},
		{"0.5k", 500, 0},
		{"1.0000001k", 1000, 0},
		{"0", 0, 0},
		{"9223372036854775807", math.MaxInt64, math.MaxUint32},
	}
	for _, tt := range tests {
		got, err := ParseByteSize(tt.in)
		if err != nil || got != tt.bytes {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.bytes)
			continue
		}
		if p := got.Pages(); p != tt.pages {
			t.Errorf("ParseByteSize(%q).Pages() = %d, want %d", tt.in, p, tt.pages)
		}
	}
}

func TestParseByteSizeErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "Mi", "64Q", "-1", "+1", "1e6", "1,5Mi", "1..5", "1.", ".5", "1.2.3", "64 M i",
		"0x10", "64Mi!", "9223372036854775808", "9000000Ti", "١٢",
	} {
		if got, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	for b, want := range map[ByteSize]string{
		0: "0", 1: "1", 1023: "1023", 1024: "1Ki", 64 << 20: "64Mi", 3 << 29: "1536Mi",
		100e6: "100MB", 1e3: "1kB", 1e12: "1TB", 5 << 40: "5Ti", 1500: "1500", -5: "-5",
		1 << 30: "1Gi", 2e9: "2GB",
	} {
		if got := b.String(); got != want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(b), got, want)
		}
		if b < 0 {
			continue
		}
		if back, err := ParseByteSize(b.String()); err != nil || back != b {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d back", b.String(), back, err, int64(b))
		}
	}
}

func TestPages(t *testing.T) {
	for b, want := range map[ByteSize]uint32{
		-1: 0, 0: 0, 65535: 0, 65536: 1, 131071: 1, 131072: 2, math.MaxInt64: math.MaxUint32,
	} {
		if got := b.Pages(); got != want {
			t.Errorf("ByteSize(%d).Pages() = %d, want %d", int64(b), got, want)
		}
	}
}
