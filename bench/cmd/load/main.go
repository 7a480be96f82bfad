// Command load is the P1 load driver on its own: it starts toolhost (in
// process, the benchmark guest as plugin "bench") and a native mcp-go
// server with the same echo tool, drives both with concurrent legacy
// sessions over streamable HTTP on 127.0.0.1, alternating rounds, and
// prints calls/s, p50 and p99 of each, the ratio against native, the target
// and pass/fail.
//
//	go run ./bench/cmd/load -c 8 -d 5s -rounds 3
//	go run ./bench/cmd/load -url http://127.0.0.1:8931/mcp -tool bench-echo   # an external server alone
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/toolhost/toolhost/bench"
)

func main() {
	conc := flag.Int("c", 8, "concurrent sessions (one worker each)")
	d := flag.Duration("d", 5*time.Second, "measured duration per server per round")
	warm := flag.Duration("warm", time.Second, "warm-up per server per round")
	rounds := flag.Int("rounds", 3, "rounds (servers alternate within a round)")
	instances := flag.String("instances", "", "toolhost runtime_config.instances (per-session or pooled; default per-session)")
	opts := flag.Bool("native-opts", false, "also run a native server with toolhost's mcp-go options")
	url := flag.String("url", "", "load an external streamable HTTP MCP endpoint instead (needs -tool)")
	tool := flag.String("tool", "echo", "tool to call on -url; it must accept {\"message\": string} and echo it")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *conc, *warm, *d, *rounds, *instances, *opts, *url, *tool); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, conc int, warm, d time.Duration, rounds int, instances string, withOpts bool, url, tool string) error {
	if url != "" {
		s := &bench.Server{Name: url, URL: url, Tool: tool}
		for range rounds {
			r, err := bench.Load(ctx, s, conc, warm, d)
			if err != nil {
				return err
			}
			fmt.Println(r)
		}
		return nil
	}
	root, err := bench.RepoRoot()
	if err != nil {
		return err
	}
	g, err := bench.BuildGuest(ctx, root)
	if err != nil {
		return err
	}
	cache, err := bench.CacheDir("wazero")
	if err != nil {
		return err
	}
	native, err := bench.StartNative(false)
	if err != nil {
		return err
	}
	defer native.Close()
	th, err := bench.StartToolhost(ctx, bench.ToolhostOptions{WasmPath: g.Path, CacheDir: cache, Instances: instances})
	if err != nil {
		return err
	}
	defer th.Close()
	servers := []*bench.Server{native, th}
	if withOpts {
		n2, err := bench.StartNative(true)
		if err != nil {
			return err
		}
		defer n2.Close()
		servers = append(servers, n2)
	}
	ratios := map[*bench.Server][]float64{}
	for i := range rounds {
		fmt.Printf("round %d/%d\n", i+1, rounds)
		var base float64
		for _, s := range servers {
			r, err := bench.Load(ctx, s, conc, warm, d)
			if err != nil {
				return err
			}
			if s == native {
				base = r.RPS
			}
			ratios[s] = append(ratios[s], r.RPS/base)
			fmt.Printf("  %s  %.2fx native\n", r, r.RPS/base)
		}
	}
	for _, s := range servers[1:] {
		rs := slices.Clone(ratios[s])
		slices.Sort(rs)
		med := rs[len(rs)/2]
		verdict := "FAIL"
		if med >= 0.8 {
			verdict = "pass"
		}
		fmt.Printf("P1 %-45s median ratio %.2fx native  target ≥ 0.8x  %s\n", s.Name, med, verdict)
	}
	return nil
}
