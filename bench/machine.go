package bench

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Machine describes where the figures were taken.
type Machine struct {
	CPU        string
	CPUs       int
	GOMAXPROCS int
	MemTotal   string
	Kernel     string
	Go         string
	Deps       map[string]string
	Commit     string
	LoadBefore string
	LoadAfter  string
	// CPU pressure (PSI "some", avg60: the share of time runnable tasks
	// waited for a CPU) before and after the run.
	PressureBefore string
	PressureAfter  string
}

// ReadMachine describes this machine and build.
func ReadMachine(root string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(), Deps: map[string]string{},
		LoadBefore: readLoadAvg(), PressureBefore: readCPUPressure()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					m.MemTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				}
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = runtime.GOOS + "/" + runtime.GOARCH + " " + strings.TrimSpace(string(data))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/tetratelabs/wazero", "github.com/extism/go-sdk", "github.com/mark3labs/mcp-go":
				m.Deps[d.Path] = d.Version
			}
		}
	}
	m.Commit = gitCommit(root)
	return m
}

// readCPUPressure returns the avg60 of the "some" line of
// /proc/pressure/cpu, as a percentage, or "" without PSI.
func readCPUPressure() string {
	data, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "some ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "avg60="); ok {
				return v + "%"
			}
		}
	}
	return ""
}

func readLoadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
