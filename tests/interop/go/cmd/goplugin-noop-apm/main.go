// goplugin-noop-apm is a Go nomad-autoscaler APM plugin with deterministic answers, for hosts under test.
//
// Config: "value" (float, default 0) is the metric value returned; "series" (int >= 1, default 1) is the
// number of series QueryMultiple returns, series i carrying value+i. The query "fail" answers INTERNAL.
// Each metric's timestamp is the request's time_range.to (now when absent).
package main

import (
	"context"
	"strconv"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	apmv1 "nomadautoscaler/contracts/apm/v1"
	basev1 "nomadautoscaler/contracts/base/v1"
	sharedv1 "nomadautoscaler/contracts/shared/v1"
	"nomadautoscaler/interop/pluginkit"
)

const pluginName = "goplugin-noop-apm"

// failQuery is the query text that makes Query and QueryMultiple fail, so hosts can test error paths.
const failQuery = "fail"

type apmServer struct {
	apmv1.UnimplementedAPMPluginServiceServer

	logger hclog.Logger
	mu     sync.RWMutex
	value  float64
	series int
}

func (a *apmServer) apply(config map[string]string) error {
	value := 0.0
	if raw, ok := config["value"]; ok {
		parsed, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return pluginkit.ConfigError("value", "a number")
		}
		value = parsed
	}
	series := 1
	if raw, ok := config["series"]; ok {
		parsed, err := strconv.Atoi(raw)
		if err != nil || parsed < 1 {
			return pluginkit.ConfigError("series", "an integer >= 1")
		}
		series = parsed
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.value = value
	a.series = series
	return nil
}

func metricTime(r *sharedv1.TimeRange) *timestamppb.Timestamp {
	if r.GetTo() != nil {
		return r.GetTo()
	}
	return timestamppb.New(time.Now())
}

func (a *apmServer) Query(_ context.Context, req *apmv1.QueryRequest) (*apmv1.QueryResponse, error) {
	if req.GetQuery() == failQuery {
		return nil, status.Error(codes.Internal, "query failed as requested")
	}
	a.mu.RLock()
	value := a.value
	a.mu.RUnlock()
	a.logger.Debug("query served", "query", req.GetQuery(), "value", value)
	return &apmv1.QueryResponse{TimestampedMetric: []*sharedv1.TimestampedMetric{
		{Timestamp: metricTime(req.GetTimeRange()), Value: value},
	}}, nil
}

func (a *apmServer) QueryMultiple(_ context.Context, req *apmv1.QueryMultipleRequest) (*apmv1.QueryMultipleResponse, error) {
	if req.GetQuery() == failQuery {
		return nil, status.Error(codes.Internal, "query failed as requested")
	}
	a.mu.RLock()
	value, series := a.value, a.series
	a.mu.RUnlock()
	ts := metricTime(req.GetTimeRange())
	resp := &apmv1.QueryMultipleResponse{}
	for i := 0; i < series; i++ {
		resp.TimestampedMetric = append(resp.TimestampedMetric, &apmv1.QueryResponse{
			TimestampedMetric: []*sharedv1.TimestampedMetric{{Timestamp: ts, Value: value + float64(i)}},
		})
	}
	a.logger.Debug("query multiple served", "query", req.GetQuery(), "series", series)
	return resp, nil
}

func main() {
	logger := pluginkit.NewPluginLogger(pluginName)
	apm := &apmServer{logger: logger, series: 1}
	base := &pluginkit.BaseServer{Name: pluginName, Type: basev1.PluginType_PLUGIN_TYPE_APM, Logger: logger, Apply: apm.apply}
	pluginkit.Serve(logger, plugin.PluginSet{
		pluginkit.KeyBase: &pluginkit.BasePlugin{Impl: base},
		pluginkit.KeyAPM:  &pluginkit.APMPlugin{Impl: apm},
	})
}
