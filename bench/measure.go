package bench

import (
	"context"
	"math"
	"runtime"
	"slices"
	"time"
)

// Op is one operation to measure.
type Op func(ctx context.Context) error

// Stat is the outcome of measuring an Op on one goroutine.
type Stat struct {
	N           int
	NsPerOp     float64
	BytesPerOp  float64 // Go heap bytes allocated per op (all goroutines)
	AllocsPerOp float64 // Go heap allocations per op (all goroutines)
}

// Measure runs op repeatedly for about d (after one warm-up op) and reports
// time and allocations per op, as testing.B does, without its flags.
func Measure(ctx context.Context, op Op, d time.Duration) (Stat, error) {
	if err := op(ctx); err != nil {
		return Stat{}, err
	}
	n := 1
	for {
		st, err := measureN(ctx, op, n)
		if err != nil {
			return Stat{}, err
		}
		elapsed := time.Duration(st.NsPerOp * float64(n))
		if elapsed >= d || n >= 1e9 {
			return st, nil
		}
		// Aim 20% past d, grow at most 100x, as testing.B does.
		next := int(math.Ceil(1.2 * float64(d) / max(st.NsPerOp, 1)))
		n = min(max(next, n+1), 100*n)
	}
}

func measureN(ctx context.Context, op Op, n int) (Stat, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range n {
		if err := op(ctx); err != nil {
			return Stat{}, err
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return Stat{
		N:           n,
		NsPerOp:     float64(elapsed.Nanoseconds()) / float64(n),
		BytesPerOp:  float64(after.TotalAlloc-before.TotalAlloc) / float64(n),
		AllocsPerOp: float64(after.Mallocs-before.Mallocs) / float64(n),
	}, nil
}

// Pair is a figure and its baseline measured in alternation: rounds of
// (baseline, subject), so slow drifts of a shared machine hit both.
type Pair struct {
	Base, Subject Stat    // medians over rounds (by NsPerOp)
	Ratio         float64 // median over rounds of Subject.NsPerOp / Base.NsPerOp
	Rounds        int
}

// MeasurePair measures base and subject alternately for rounds rounds of
// d each.
func MeasurePair(ctx context.Context, base, subject Op, d time.Duration, rounds int) (Pair, error) {
	var bs, ss []Stat
	var ratios []float64
	for range max(rounds, 1) {
		b, err := Measure(ctx, base, d)
		if err != nil {
			return Pair{}, err
		}
		s, err := Measure(ctx, subject, d)
		if err != nil {
			return Pair{}, err
		}
		bs, ss = append(bs, b), append(ss, s)
		ratios = append(ratios, s.NsPerOp/b.NsPerOp)
	}
	return Pair{Base: medianStat(bs), Subject: medianStat(ss), Ratio: median(ratios), Rounds: len(ratios)}, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianStat(xs []Stat) Stat {
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b Stat) int {
		switch {
		case a.NsPerOp < b.NsPerOp:
			return -1
		case a.NsPerOp > b.NsPerOp:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}
