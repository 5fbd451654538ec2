// Command prepbench measures prepbot where a bot that many servers use is
// slow: recording answers durably, handling signed interactions, ranking
// members, loading and drawing from the bank, fanning out the daily post,
// memory, and drawing a group's web page. Each figure is set beside a baseline measured in the same
// run on the same machine (these machines are shared and noisy, so ratios
// mean more than absolute numbers), and the table says whether each goal
// is met.
//
//	go run ./cmd/prepbench              all nine (a few minutes)
//	go run ./cmd/prepbench -only 1,3    some of them
//
// The same measurements run as Go benchmarks: go test -bench . ./cmd/prepbench
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the table.
type row struct {
	n        int
	measure  string
	figure   string
	baseline string
	ratio    string
	goal     string
	met      bool
}

func main() {
	if os.Getenv(clientEnv) != "" {
		runClients()
		return
	}
	only := flag.String("only", "", "run only these measurements, such as 1,3 (default: all nine)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file (read it with go tool pprof)")
	memProfile := flag.String("memprofile", "", "write a profile of the memory the run allocated to this file (go tool pprof -sample_index=alloc_space)")
	flag.Parse()
	if *memProfile != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			f, err := os.Create(*memProfile)
			if err != nil {
				fatal(err)
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fatal(err)
			}
		}()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	want := map[int]bool{}
	for _, s := range strings.Split(*only, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			want[n] = true
		}
	}
	dir, err := os.MkdirTemp("", "prepbench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	steps := []struct {
		n   int
		run func(dir string, prev map[int]float64) ([]row, float64, error)
	}{
		{1, benchRecord}, {2, benchInteractions}, {3, benchLeaderboard}, {4, benchBank}, {5, benchFanout}, {6, benchMemory}, {7, benchPostgres}, {8, benchGateway}, {9, benchWebPage},
	}
	var rows []row
	results := map[int]float64{} // what later measurements compare against (1: the durable answer rate)
	start := time.Now()
	for _, s := range steps {
		if len(want) > 0 && !want[s.n] {
			continue
		}
		progress("== %d ==", s.n)
		r, v, err := s.run(dir, results)
		if err != nil {
			fatal(fmt.Errorf("measurement %d: %w", s.n, err))
		}
		results[s.n] = v
		rows = append(rows, r...)
	}
	print(os.Stdout, rows)
	progress("done in %v", time.Since(start).Round(time.Second))
}

func print(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, " # \t measure \t figure \t baseline \t ratio \t goal \t met ")
	for _, r := range rows {
		met := "no"
		switch {
		case r.goal == "-":
			met = "-" // a figure shown for what it explains, with no goal of its own
		case r.met:
			met = "yes"
		}
		fmt.Fprintf(tw, " %d \t %s \t %s \t %s \t %s \t %s \t %s \n", r.n, r.measure, r.figure, r.baseline, r.ratio, r.goal, met)
	}
	tw.Flush()
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "prepbench: "+format+"\n", args...)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "prepbench:", err)
	os.Exit(1)
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
