package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Throughput runs each op on its own goroutine in a closed loop for d and
// returns the total operations per second and the process CPU time per
// operation.
func Throughput(ctx context.Context, ops []Op, d time.Duration) (float64, time.Duration, error) {
	var stop atomic.Bool
	var count atomic.Int64
	errs := make([]error, len(ops))
	var wg sync.WaitGroup
	cpu0 := processCPU()
	start := time.Now()
	for i, op := range ops {
		wg.Go(func() {
			for !stop.Load() {
				if err := op(ctx); err != nil {
					errs[i] = err
					return
				}
				count.Add(1)
			}
		})
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	for _, err := range errs {
		if err != nil {
			return 0, 0, err
		}
	}
	n := count.Load()
	if n == 0 {
		return 0, 0, fmt.Errorf("no operation completed in %s", d)
	}
	return float64(n) / elapsed.Seconds(), cpu / time.Duration(n), nil
}

// Scaling is throughput at concurrency 2 against concurrency 1.
type Scaling struct {
	Name        string
	C1, C2      float64 // ops/s, medians over rounds
	Ratio       float64 // median over rounds of C2/C1
	Rounds      int
	Description string
	// CPU1 and CPU2 are the process CPU time per op at concurrency 1 and
	// 2 (medians): if CPU2 ≈ CPU1 the work itself does not contend, and
	// the ratio is bounded by the CPUs the machine actually gives.
	CPU1, CPU2 time.Duration
}

// MeasureScaling alternates rounds of one goroutine running ops[0] and two
// goroutines running ops[0] and ops[1] (ops[1] may be the same Op when it
// is safe for concurrent use), after a warm-up at concurrency 2.
func MeasureScaling(ctx context.Context, name, desc string, ops [2]Op, d time.Duration, rounds int) (*Scaling, error) {
	if _, _, err := Throughput(ctx, ops[:], d/2); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var c1s, c2s, ratios, cpu1s, cpu2s []float64
	for range max(rounds, 1) {
		c1, cpu1, err := Throughput(ctx, ops[:1], d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c2, cpu2, err := Throughput(ctx, ops[:], d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c1s, c2s, ratios = append(c1s, c1), append(c2s, c2), append(ratios, c2/c1)
		cpu1s, cpu2s = append(cpu1s, float64(cpu1)), append(cpu2s, float64(cpu2))
	}
	return &Scaling{Name: name, Description: desc, C1: median(c1s), C2: median(c2s), Ratio: median(ratios), Rounds: len(ratios),
		CPU1: time.Duration(median(cpu1s)), CPU2: time.Duration(median(cpu2s))}, nil
}
