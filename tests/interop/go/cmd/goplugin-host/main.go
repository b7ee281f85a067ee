// goplugin-host loads one nomad-autoscaler plugin with the real hashicorp/go-plugin client (the version Debian
// ships) and drives every RPC of its kind, to prove that a plugin in any language interoperates with a Go host.
//
//	goplugin-host -plugin <path> -kind apm|strategy|target [-config k=v,...] [-automtls] [-idle 5m] [-bench]
//
// Stdout carries only JSON: one object per step (launch, RPCs, shutdown, log check), or one bench report with
// -bench. Logs (the host's and the plugin's, as go-plugin re-logs them) go to stderr as hclog JSON.
// Exit status: 0 all steps ok, 1 a step failed, 2 bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"nomadautoscaler/interop/pluginkit"
)

type options struct {
	pluginPath   string
	kind         string
	config       map[string]string
	autoMTLS     bool
	expectName   string
	strictLogs   bool
	startTimeout time.Duration
	callTimeout  time.Duration
	logLevel     string
	idle         time.Duration
	bench        bool
	benchCalls   int
	concurrency  int
}

// stepResult is one line of the host's stdout.
type stepResult struct {
	Method   string      `json:"method"`
	OK       bool        `json:"ok"`
	Error    string      `json:"error,omitempty"`
	Code     string      `json:"code,omitempty"`
	Ms       float64     `json:"ms"`
	Response interface{} `json:"response,omitempty"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "goplugin-host: %v\n", err)
		return 2
	}

	watch := newLogWatch(stderr)
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "host",
		Level:      hclog.LevelFromString(opts.logLevel),
		JSONFormat: true,
		Output:     watch,
	})

	absPath, err := filepath.Abs(opts.pluginPath)
	if err != nil {
		fmt.Fprintf(stderr, "goplugin-host: -plugin %q: %v\n", opts.pluginPath, err)
		return 2
	}
	if info, statErr := os.Stat(absPath); statErr != nil || info.IsDir() {
		fmt.Fprintf(stderr, "goplugin-host: -plugin %q: not an executable file\n", opts.pluginPath)
		return 2
	}

	stderrLines := &lineCounter{}
	plugins := pluginkit.HostPluginSet(opts.kind)
	launchedAt := time.Now()
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  pluginkit.Handshake,
		Plugins:          plugins,
		Cmd:              exec.Command(absPath),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           logger,
		AutoMTLS:         opts.autoMTLS,
		StartTimeout:     opts.startTimeout,
		Stderr:           stderrLines,
	})
	// A safety net for early returns; Kill is idempotent and the normal path calls it explicitly.
	defer client.Kill()

	out := json.NewEncoder(stdout)
	if opts.bench {
		report, benchErr := runBench(client, opts, launchedAt, watch)
		if benchErr != nil {
			report.Error = benchErr.Error()
		}
		_ = out.Encode(report)
		if benchErr != nil {
			return 1
		}
		return 0
	}

	s := &session{opts: opts, client: client, base: plugins[pluginkit.KeyBase].(*pluginkit.BasePlugin), out: out,
		launchedAt: launchedAt, watch: watch, stderrLines: stderrLines}
	if s.drive() {
		return 0
	}
	return 1
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("goplugin-host", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts options
	var rawConfig string
	fs.StringVar(&opts.pluginPath, "plugin", "", "path of the plugin executable (required)")
	fs.StringVar(&opts.kind, "kind", "", "plugin kind: apm, strategy or target (required)")
	fs.StringVar(&rawConfig, "config", "", "plugin configuration sent with SetConfig, as k=v,k=v")
	fs.BoolVar(&opts.autoMTLS, "automtls", false, "use go-plugin AutoMTLS between host and plugin")
	fs.StringVar(&opts.expectName, "expect-name", "", "fail unless PluginInfo returns this name")
	fs.BoolVar(&opts.strictLogs, "strict-logs", false, "fail unless every plugin stderr line parses as hclog JSON (and there is at least one)")
	fs.DurationVar(&opts.startTimeout, "start-timeout", time.Minute, "how long to wait for the handshake line")
	fs.DurationVar(&opts.callTimeout, "call-timeout", 30*time.Second, "deadline of each RPC")
	fs.StringVar(&opts.logLevel, "log-level", "trace", "host log level; plugin lines below it are dropped by go-plugin")
	fs.DurationVar(&opts.idle, "idle", 0, "after SetConfig, keep the connection and broker stream open without calls this long, then check both and go on")
	fs.BoolVar(&opts.bench, "bench", false, "measure start-up, latency, throughput and plugin RSS instead of the conformance run")
	fs.IntVar(&opts.benchCalls, "n", 2000, "bench: number of calls for the latency and throughput phases")
	fs.IntVar(&opts.concurrency, "concurrency", 16, "bench: goroutines in the throughput phase")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if opts.pluginPath == "" {
		return opts, errors.New("-plugin is required")
	}
	if pluginkit.HostPluginSet(opts.kind) == nil {
		return opts, fmt.Errorf("-kind must be apm, strategy or target, got %q", opts.kind)
	}
	if opts.idle < 0 {
		return opts, errors.New("-idle must be >= 0")
	}
	if opts.benchCalls < 1 || opts.concurrency < 1 {
		return opts, errors.New("-n and -concurrency must be >= 1")
	}
	config, err := parseConfig(rawConfig)
	if err != nil {
		return opts, err
	}
	opts.config = config
	return opts, nil
}

// parseConfig reads "k=v,k=v". Values may contain '='; keys must be non-empty and unique.
func parseConfig(raw string) (map[string]string, error) {
	config := map[string]string{}
	if strings.TrimSpace(raw) == "" {
		return config, nil
	}
	for i, pair := range strings.Split(raw, ",") {
		eq := strings.IndexByte(pair, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("-config entry %d (%q): expected key=value", i+1, pair)
		}
		key := pair[:eq]
		if _, dup := config[key]; dup {
			return nil, fmt.Errorf("-config entry %d: key %q given twice", i+1, key)
		}
		config[key] = pair[eq+1:]
	}
	return config, nil
}

func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// rpcContext bounds one RPC; the target Status call also honours the agent's timeout key like the real agent.
func (o options) rpcContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), o.callTimeout)
}

// statusCode names a gRPC status code for the JSON output ("" for a non-status error).
func statusCode(err error) string {
	if err == nil {
		return ""
	}
	if st, ok := status.FromError(err); ok {
		return st.Code().String()
	}
	return ""
}

func isAborted(err error) bool {
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.Aborted
}
