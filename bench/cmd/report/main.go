// Command report runs every toolhost benchmark (P1–P6 of the performance
// issue), prints each figure as value, ratio against its same-run
// baseline, target and pass/fail, and writes the results into
// BENCHMARKS.md between its generated-section markers.
//
//	go run ./bench/cmd/report                 # full run (several minutes), writes BENCHMARKS.md
//	go run ./bench/cmd/report -quick -o ''    # a few seconds, prints only
//	go run ./bench/cmd/report -only P2,P6 -profile /tmp/prof
//
// The exit status is 1 if a measurement failed, never because a target was
// missed: targets are reported, not asserted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/toolhost/toolhost/bench"
)

func main() {
	quick := flag.Bool("quick", false, "tiny durations and sizes (seconds in total): for CI, not for the record")
	only := flag.String("only", "", "comma-separated figures to run, e.g. P1,P2 (default: all)")
	out := flag.String("o", "", `markdown file to update (default BENCHMARKS.md at the repository root; "-" prints it; "" with -quick writes nothing)`)
	profile := flag.String("profile", "", "directory for pprof profiles (default: bench/out/profiles in a full run, none with -quick)")
	flag.Parse()

	root, err := bench.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["o"] && !*quick {
		*out = filepath.Join(root, "BENCHMARKS.md")
	}
	if !set["profile"] && !*quick {
		*profile = filepath.Join(root, "bench", "out", "profiles")
	}
	opts := bench.Options{Root: root, Quick: *quick, ProfileDir: *profile, Progress: os.Stderr}
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, runErr := bench.Run(ctx, opts)
	if r != nil {
		fmt.Println()
		for _, f := range r.Figures {
			fmt.Println(f.Line())
		}
		switch *out {
		case "":
		case "-":
			fmt.Print(bench.Markdown(r))
		default:
			if err := bench.WriteMarkdown(*out, r); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Fprintln(os.Stderr, "wrote", *out)
		}
	}
	if runErr != nil {
		fmt.Fprintln(os.Stderr, runErr)
		os.Exit(1)
	}
}
