package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	apmv1 "nomadautoscaler/contracts/apm/v1"
	basev1 "nomadautoscaler/contracts/base/v1"
	sharedv1 "nomadautoscaler/contracts/shared/v1"
	strategyv1 "nomadautoscaler/contracts/strategy/v1"
	targetv1 "nomadautoscaler/contracts/target/v1"
	"nomadautoscaler/interop/pluginkit"
)

// Fixed request inputs, so that tests can assert what a deterministic plugin echoes back.
var (
	queryFrom      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	queryTo        = queryFrom.Add(time.Minute)
	strategyCount  = int64(3)
	statusDeadline = "7.5s"
)

const interopQuery = "interop_query"

// session is one conformance run: launch, every RPC of the kind, shutdown, log check.
type session struct {
	opts        options
	client      *plugin.Client
	base        *pluginkit.BasePlugin
	out         *json.Encoder
	launchedAt  time.Time
	watch       *logWatch
	stderrLines *lineCounter
	failed      bool
}

func (s *session) emit(r stepResult) {
	if !r.OK {
		s.failed = true
	}
	_ = s.out.Encode(r)
}

// step runs one call, times it and emits its result. check may turn a successful call into a failure.
func (s *session) step(method string, call func() (interface{}, error)) bool {
	started := time.Now()
	resp, err := call()
	r := stepResult{Method: method, OK: err == nil, Ms: millis(time.Since(started)), Response: resp}
	if err != nil {
		r.Error = err.Error()
		r.Code = statusCode(err)
	}
	s.emit(r)
	return r.OK
}

// drive returns true when every step succeeded.
func (s *session) drive() bool {
	var rpc plugin.ClientProtocol
	if !s.step("Launch", func() (interface{}, error) {
		var err error
		rpc, err = s.client.Client()
		if err != nil {
			return nil, err
		}
		reattach := s.client.ReattachConfig()
		return map[string]interface{}{
			"pid":              reattach.Pid,
			"network":          reattach.Addr.Network(),
			"protocol":         string(s.client.Protocol()),
			"protocol_version": s.client.NegotiatedVersion(),
			"automtls":         s.opts.autoMTLS,
			"ms_since_launch":  millis(time.Since(s.launchedAt)),
		}, nil
	}) {
		s.shutdown(false)
		return false
	}

	var base basev1.BasePluginServiceClient
	var typed interface{}
	if !s.step("Dispense", func() (interface{}, error) {
		raw, err := rpc.Dispense(pluginkit.KeyBase)
		if err != nil {
			return nil, err
		}
		base = raw.(basev1.BasePluginServiceClient)
		typed, err = rpc.Dispense(s.opts.kind)
		return map[string]interface{}{"keys": []string{pluginkit.KeyBase, s.opts.kind}}, err
	}) {
		s.shutdown(true)
		return false
	}

	s.step("Ping", func() (interface{}, error) {
		return map[string]interface{}{"health_service": "plugin"}, rpc.Ping()
	})

	infoOK := s.step("PluginInfo", func() (interface{}, error) {
		ctx, cancel := s.opts.rpcContext()
		defer cancel()
		resp, err := base.PluginInfo(ctx, &basev1.PluginInfoRequest{})
		if err != nil {
			return nil, err
		}
		summary := map[string]interface{}{"name": resp.GetName(), "type": resp.GetType().String()}
		return summary, checkPluginInfo(resp, s.opts)
	})

	configOK := s.step("SetConfig", func() (interface{}, error) {
		ctx, cancel := s.opts.rpcContext()
		defer cancel()
		_, err := base.SetConfig(ctx, &basev1.SetConfigRequest{Config: s.opts.config})
		return map[string]interface{}{"keys": sortedKeys(s.opts.config)}, err
	})

	if infoOK && configOK && s.opts.idle > 0 {
		configOK = s.idle(rpc)
	}

	if infoOK && configOK {
		switch s.opts.kind {
		case pluginkit.KeyAPM:
			s.driveAPM(typed.(apmv1.APMPluginServiceClient))
		case pluginkit.KeyStrategy:
			s.driveStrategy(typed.(strategyv1.StrategyPluginServiceClient))
		case pluginkit.KeyTarget:
			s.driveTarget(typed.(targetv1.TargetPluginServiceClient))
		}
	}

	s.shutdown(true)
	return !s.failed
}

// idle keeps the host silent for -idle with the plugin's connection and go-plugin's broker stream open, as an agent
// is between evaluations, then checks that neither was dropped meanwhile. The calls after it succeeding would not
// show that alone: grpc-go reconnects by itself. Sleeping is the scenario here, not a wait for something.
func (s *session) idle(rpc plugin.ClientProtocol) bool {
	idleOK := s.step("Idle", func() (interface{}, error) {
		grpcClient, ok := rpc.(*plugin.GRPCClient)
		if !ok {
			return nil, fmt.Errorf("the plugin is not served over gRPC")
		}
		conn := grpcClient.Conn
		if state := conn.GetState(); state != connectivity.Ready {
			return nil, fmt.Errorf("the connection to the plugin is %s before idling, want READY", state)
		}
		ctx, cancel := context.WithCancel(context.Background())
		left := make(chan connectivity.State, 1)
		go func() {
			if conn.WaitForStateChange(ctx, connectivity.Ready) {
				left <- conn.GetState()
			}
		}()
		started := time.Now()
		time.Sleep(s.opts.idle)
		cancel()
		state := conn.GetState()
		summary := map[string]interface{}{"idle_ms": millis(time.Since(started)), "state": state.String()}
		select {
		case changed := <-left:
			return summary, fmt.Errorf("the connection to the plugin left READY (to %s) while idle", changed)
		default:
		}
		if state != connectivity.Ready {
			return summary, fmt.Errorf("the connection to the plugin is %s after idling, want READY", state)
		}
		return summary, nil
	})
	if !idleOK {
		return false
	}

	// Accept sends a ConnInfo to the plugin over the broker stream; once that stream has ended, go-plugin closes
	// its broker and Accept fails with "broker closed". The autoscaler's plugins ignore the ConnInfo.
	brokerOK := s.step("BrokerAfterIdle", func() (interface{}, error) {
		if s.base.Broker == nil {
			return nil, fmt.Errorf("go-plugin gave the base plugin no broker")
		}
		id := s.base.Broker.NextId()
		listener, err := s.base.Broker.Accept(id)
		if err != nil {
			return nil, fmt.Errorf("sending on the broker stream: %w", err)
		}
		// go-plugin's listener removes its socket file on Close after Go's own Close already did, and reports that
		// as an error; the send above is what this step checks.
		_ = listener.Close()
		return map[string]interface{}{"service_id": id}, nil
	})
	pingOK := s.step("PingAfterIdle", func() (interface{}, error) {
		return map[string]interface{}{"health_service": "plugin"}, rpc.Ping()
	})
	return brokerOK && pingOK
}

func checkPluginInfo(resp *basev1.PluginInfoResponse, opts options) error {
	want := map[string]basev1.PluginType{
		pluginkit.KeyAPM:      basev1.PluginType_PLUGIN_TYPE_APM,
		pluginkit.KeyStrategy: basev1.PluginType_PLUGIN_TYPE_STRATEGY,
		pluginkit.KeyTarget:   basev1.PluginType_PLUGIN_TYPE_TARGET,
	}[opts.kind]
	if resp.GetType() != want {
		return fmt.Errorf("PluginInfo type is %s, want %s for -kind %s", resp.GetType(), want, opts.kind)
	}
	if resp.GetName() == "" {
		return fmt.Errorf("PluginInfo name is empty")
	}
	if opts.expectName != "" && resp.GetName() != opts.expectName {
		return fmt.Errorf("PluginInfo name is %q, want %q", resp.GetName(), opts.expectName)
	}
	return nil
}

func timeRange() *sharedv1.TimeRange {
	return &sharedv1.TimeRange{From: timestamppb.New(queryFrom), To: timestamppb.New(queryTo)}
}

func summarizeMetrics(metrics []*sharedv1.TimestampedMetric) []map[string]interface{} {
	summary := make([]map[string]interface{}, 0, len(metrics))
	for _, m := range metrics {
		summary = append(summary, map[string]interface{}{
			"timestamp": m.GetTimestamp().AsTime().UTC().Format(time.RFC3339Nano),
			"value":     m.GetValue(),
		})
	}
	return summary
}

func (s *session) driveAPM(apm apmv1.APMPluginServiceClient) {
	s.step("Query", func() (interface{}, error) {
		ctx, cancel := s.opts.rpcContext()
		defer cancel()
		resp, err := apm.Query(ctx, &apmv1.QueryRequest{Query: interopQuery, TimeRange: timeRange()})
		if err != nil {
			return nil, err
		}
		return map[string]interface{}{"metrics": summarizeMetrics(resp.GetTimestampedMetric())}, nil
	})
	s.step("QueryMultiple", func() (interface{}, error) {
		ctx, cancel := s.opts.rpcContext()
		defer cancel()
		resp, err := apm.QueryMultiple(ctx, &apmv1.QueryMultipleRequest{Query: interopQuery, TimeRange: timeRange()})
		if err != nil {
			return nil, err
		}
		series := make([][]map[string]interface{}, 0, len(resp.GetTimestampedMetric()))
		for _, one := range resp.GetTimestampedMetric() {
			series = append(series, summarizeMetrics(one.GetTimestampedMetric()))
		}
		return map[string]interface{}{"series": series}, nil
	})
}

func strategyRequest(config map[string]string) *strategyv1.RunRequest {
	return &strategyv1.RunRequest{
		// The agent sends an empty action; the strategy fills it in.
		Action: &sharedv1.ScalingAction{},
		Check: &sharedv1.ScalingPolicyCheck{
			Name:        "interop-check",
			Source:      "interop-apm",
			Query:       interopQuery,
			QueryWindow: durationpb.New(time.Minute),
			Strategy:    &sharedv1.ScalingPolicyStrategy{Name: "interop-strategy", Config: config},
		},
		TimestampedMetric: []*sharedv1.TimestampedMetric{
			{Timestamp: timestamppb.New(queryFrom), Value: 1.5},
			{Timestamp: timestamppb.New(queryTo), Value: 2.5},
		},
		Count: strategyCount,
	}
}

func (s *session) driveStrategy(strategy strategyv1.StrategyPluginServiceClient) {
	s.step("Run", func() (interface{}, error) {
		ctx, cancel := s.opts.rpcContext()
		defer cancel()
		req := strategyRequest(s.opts.config)
		resp, err := strategy.Run(ctx, req)
		if err != nil {
			return nil, err
		}
		action := resp.GetAction()
		summary := map[string]interface{}{
			"count":           action.GetCount(),
			"direction":       action.GetDirection().String(),
			"reason":          action.GetReason(),
			"error":           action.GetError(),
			"check_name":      resp.GetCheck().GetName(),
			"metrics_echoed":  len(resp.GetTimestampedMetric()),
			"meta_type_url":   action.GetMeta().GetTypeUrl(),
			"meta_json_bytes": len(action.GetMeta().GetValue()),
		}
		if action == nil {
			return summary, fmt.Errorf("RunResponse.action is missing")
		}
		switch action.GetDirection() {
		case sharedv1.ScalingDirection_SCALING_DIRECTION_NONE,
			sharedv1.ScalingDirection_SCALING_DIRECTION_DOWN,
			sharedv1.ScalingDirection_SCALING_DIRECTION_UP:
		default:
			return summary, fmt.Errorf("direction %s is rejected by the agent: must be NONE, DOWN or UP", action.GetDirection())
		}
		meta, err := pluginkit.DecodeMeta(action.GetMeta())
		if err != nil {
			return summary, err
		}
		summary["meta"] = meta
		return summary, nil
	})
}

// scaleOutcome maps a Scale error as the agent does: ABORTED is a no-op, not a failure.
func scaleOutcome(requested int64, err error) (interface{}, error) {
	if err != nil && !isAborted(err) {
		return map[string]interface{}{"requested": requested}, err
	}
	summary := map[string]interface{}{"requested": requested, "noop": err != nil}
	if err != nil {
		summary["noop_reason"] = err.Error()
	}
	return summary, nil
}

func (s *session) driveTarget(target targetv1.TargetPluginServiceClient) {
	status := func(method string) (*targetv1.StatusResponse, bool) {
		var resp *targetv1.StatusResponse
		ok := s.step(method, func() (interface{}, error) {
			// Like the agent: the deadline travels in the config too, so the plugin can see it.
			deadline, _ := time.ParseDuration(statusDeadline)
			ctx, cancel := s.opts.rpcContext()
			defer cancel()
			ctx, cancelDeadline := context.WithTimeout(ctx, deadline)
			defer cancelDeadline()
			config := copyConfig(s.opts.config)
			config[pluginkit.GRPCTimeoutConfigKey] = statusDeadline
			var err error
			resp, err = target.Status(ctx, &targetv1.StatusRequest{Config: config})
			if err != nil {
				return nil, err
			}
			return map[string]interface{}{"ready": resp.GetReady(), "count": resp.GetCount(), "meta": resp.GetMeta()}, nil
		})
		return resp, ok
	}
	scale := func(method string, count int64) bool {
		return s.step(method, func() (interface{}, error) {
			ctx, cancel := s.opts.rpcContext()
			defer cancel()
			_, err := target.Scale(ctx, &targetv1.ScaleRequest{
				Action: &sharedv1.ScalingAction{
					Count:     count,
					Reason:    "interop scale",
					Direction: sharedv1.ScalingDirection_SCALING_DIRECTION_UP,
				},
				Config: s.opts.config,
			})
			return scaleOutcome(count, err)
		})
	}

	before, ok := status("Status")
	if !ok {
		return
	}
	next := before.GetCount() + 1
	if !scale("Scale", next) {
		return
	}
	after, ok := status("StatusAfterScale")
	if !ok {
		return
	}
	// Asking for the count the target already has: a conforming target may answer ABORTED (no-op) or OK.
	scale("ScaleNoop", after.GetCount())
}

// shutdown stops the plugin. After a failed launch go-plugin 1.0.1 always SIGKILLs (it has no connection to
// send Shutdown on) and logs it as a failed graceful exit, so only a launched plugin is held to the 2 s rule.
func (s *session) shutdown(launched bool) {
	s.step("Kill", func() (interface{}, error) {
		s.client.Kill()
		_, forcedKills := s.watch.counts()
		summary := map[string]interface{}{"launched": launched, "exited": s.client.Exited(), "forced": forcedKills > 0}
		if launched && forcedKills > 0 {
			return summary, fmt.Errorf("plugin did not exit within 2 s of Shutdown and was killed")
		}
		if !s.client.Exited() {
			return summary, fmt.Errorf("plugin process is still running after Kill")
		}
		return summary, nil
	})
	// Kill waits for go-plugin's stderr reader, so every plugin line has been handled by now.
	s.step("PluginLogs", func() (interface{}, error) {
		parsed, _ := s.watch.counts()
		total := s.stderrLines.count()
		summary := map[string]interface{}{"lines": total, "hclog_json": parsed, "raw": total - parsed}
		if s.opts.strictLogs {
			if total == 0 {
				return summary, fmt.Errorf("plugin wrote no log line to stderr")
			}
			if parsed != total {
				return summary, fmt.Errorf("%d of %d plugin stderr lines were not hclog JSON that go-plugin could parse", total-parsed, total)
			}
		}
		return summary, nil
	})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func copyConfig(m map[string]string) map[string]string {
	c := make(map[string]string, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
