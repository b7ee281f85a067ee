package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	apmv1 "nomadautoscaler/contracts/apm/v1"
	basev1 "nomadautoscaler/contracts/base/v1"
	strategyv1 "nomadautoscaler/contracts/strategy/v1"
	targetv1 "nomadautoscaler/contracts/target/v1"
	"nomadautoscaler/interop/pluginkit"
)

// warmupCalls are made before measuring so that connection set-up and lazy initialisation do not skew p50.
const warmupCalls = 50

// benchReport is the single JSON object -bench prints.
type benchReport struct {
	Mode            string  `json:"mode"`
	Plugin          string  `json:"plugin"`
	Kind            string  `json:"kind"`
	AutoMTLS        bool    `json:"automtls"`
	StartupMs       float64 `json:"startup_ms"`
	Method          string  `json:"method"`
	Calls           int     `json:"calls"`
	P50Us           float64 `json:"p50_us"`
	P99Us           float64 `json:"p99_us"`
	MeanUs          float64 `json:"mean_us"`
	MaxUs           float64 `json:"max_us"`
	Concurrency     int     `json:"concurrency"`
	ConcurrentCalls int     `json:"concurrent_calls"`
	CallsPerSec     float64 `json:"calls_per_sec"`
	RSSKiB          int64   `json:"rss_kib"`
	PeakRSSKiB      int64   `json:"peak_rss_kib"`
	KillMs          float64 `json:"kill_ms"`
	Error           string  `json:"error,omitempty"`
}

// runBench measures start-up (launch to the first successful PluginInfo, i.e. process start, handshake,
// connect and one RPC), sequential latency of the kind's main RPC, throughput with concurrent callers and
// the plugin's resident memory afterwards.
func runBench(client *plugin.Client, opts options, launchedAt time.Time, watch *logWatch) (benchReport, error) {
	report := benchReport{Mode: "bench", Plugin: opts.pluginPath, Kind: opts.kind, AutoMTLS: opts.autoMTLS,
		Calls: opts.benchCalls, Concurrency: opts.concurrency}

	rpc, err := client.Client()
	if err != nil {
		return report, fmt.Errorf("launch: %w", err)
	}
	rawBase, err := rpc.Dispense(pluginkit.KeyBase)
	if err != nil {
		return report, fmt.Errorf("dispense base: %w", err)
	}
	base := rawBase.(basev1.BasePluginServiceClient)
	ctx, cancel := opts.rpcContext()
	_, err = base.PluginInfo(ctx, &basev1.PluginInfoRequest{})
	cancel()
	if err != nil {
		return report, fmt.Errorf("PluginInfo: %w", err)
	}
	report.StartupMs = millis(time.Since(launchedAt))

	ctx, cancel = opts.rpcContext()
	_, err = base.SetConfig(ctx, &basev1.SetConfigRequest{Config: opts.config})
	cancel()
	if err != nil {
		return report, fmt.Errorf("SetConfig: %w", err)
	}

	typed, err := rpc.Dispense(opts.kind)
	if err != nil {
		return report, fmt.Errorf("dispense %s: %w", opts.kind, err)
	}
	method, call := benchCall(opts, typed)
	report.Method = method

	for i := 0; i < warmupCalls; i++ {
		if err := call(); err != nil {
			return report, fmt.Errorf("%s warm-up: %w", method, err)
		}
	}

	latencies := make([]time.Duration, 0, opts.benchCalls)
	for i := 0; i < opts.benchCalls; i++ {
		started := time.Now()
		if err := call(); err != nil {
			return report, fmt.Errorf("%s call %d: %w", method, i+1, err)
		}
		latencies = append(latencies, time.Since(started))
	}
	fillLatency(&report, latencies)

	perWorker := (opts.benchCalls + opts.concurrency - 1) / opts.concurrency
	report.ConcurrentCalls = perWorker * opts.concurrency
	var wg sync.WaitGroup
	errs := make(chan error, opts.concurrency)
	started := time.Now()
	for w := 0; w < opts.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				if err := call(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	close(errs)
	if err := <-errs; err != nil {
		return report, fmt.Errorf("%s concurrent: %w", method, err)
	}
	report.CallsPerSec = float64(report.ConcurrentCalls) / elapsed.Seconds()

	pid := client.ReattachConfig().Pid
	report.RSSKiB, report.PeakRSSKiB, err = readRSS(pid)
	if err != nil {
		return report, err
	}

	killStarted := time.Now()
	client.Kill()
	report.KillMs = millis(time.Since(killStarted))
	if _, forced := watch.counts(); forced > 0 {
		return report, fmt.Errorf("plugin did not exit within 2 s of Shutdown and was killed")
	}
	return report, nil
}

// benchCall picks the kind's hot-path RPC: what the agent calls on every evaluation.
func benchCall(opts options, typed interface{}) (string, func() error) {
	switch opts.kind {
	case pluginkit.KeyAPM:
		apm := typed.(apmv1.APMPluginServiceClient)
		return "Query", func() error {
			ctx, cancel := opts.rpcContext()
			defer cancel()
			_, err := apm.Query(ctx, &apmv1.QueryRequest{Query: interopQuery, TimeRange: timeRange()})
			return err
		}
	case pluginkit.KeyStrategy:
		strategy := typed.(strategyv1.StrategyPluginServiceClient)
		return "Run", func() error {
			ctx, cancel := opts.rpcContext()
			defer cancel()
			_, err := strategy.Run(ctx, strategyRequest(opts.config))
			return err
		}
	default:
		target := typed.(targetv1.TargetPluginServiceClient)
		return "Status", func() error {
			ctx, cancel := opts.rpcContext()
			defer cancel()
			_, err := target.Status(ctx, &targetv1.StatusRequest{Config: opts.config})
			return err
		}
	}
}

func fillLatency(report *benchReport, latencies []time.Duration) {
	sorted := append([]time.Duration(nil), latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var sum time.Duration
	for _, l := range sorted {
		sum += l
	}
	micros := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	report.P50Us = micros(percentile(sorted, 50))
	report.P99Us = micros(percentile(sorted, 99))
	report.MeanUs = micros(sum / time.Duration(len(sorted)))
	report.MaxUs = micros(sorted[len(sorted)-1])
}

// percentile uses the nearest-rank method on an ascending slice.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// readRSS returns VmRSS and VmHWM (peak) of a process, in KiB, from /proc/<pid>/status.
func readRSS(pid int) (rss, peak int64, err error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("plugin RSS: %w", err)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 2 {
			continue
		}
		value, convErr := strconv.ParseInt(fields[1], 10, 64)
		if convErr != nil {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			rss = value
		case "VmHWM:":
			peak = value
		}
	}
	if err := scanner.Err(); err != nil {
		return 0, 0, fmt.Errorf("plugin RSS: reading %s: %w", path, err)
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("plugin RSS: no VmRSS line in %s", path)
	}
	return rss, peak, nil
}
