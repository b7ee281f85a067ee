// goplugin-noop-strategy is a Go nomad-autoscaler strategy plugin with deterministic answers, for hosts under
// test. Run always answers direction UP with count = request count + 1, echoes the check and the metrics (as
// the upstream Go server adapter does) and sets meta to the JSON object {"plugin":"goplugin-noop-strategy",
// "input_count":<count>} with an empty type_url, as nomad-autoscaler encodes it.
package main

import (
	"context"
	"fmt"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	basev1 "nomadautoscaler/contracts/base/v1"
	sharedv1 "nomadautoscaler/contracts/shared/v1"
	strategyv1 "nomadautoscaler/contracts/strategy/v1"
	"nomadautoscaler/interop/pluginkit"
)

const pluginName = "goplugin-noop-strategy"

type strategyServer struct {
	strategyv1.UnimplementedStrategyPluginServiceServer

	logger hclog.Logger
}

func (s *strategyServer) Run(_ context.Context, req *strategyv1.RunRequest) (*strategyv1.RunResponse, error) {
	meta, err := pluginkit.EncodeMeta(map[string]interface{}{"plugin": pluginName, "input_count": req.GetCount()})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	next := req.GetCount() + 1
	s.logger.Debug("run served", "count", req.GetCount(), "next", next, "metrics", len(req.GetTimestampedMetric()))
	return &strategyv1.RunResponse{
		Action: &sharedv1.ScalingAction{
			Count:     next,
			Reason:    fmt.Sprintf("noop strategy: scale up from %d to %d", req.GetCount(), next),
			Direction: sharedv1.ScalingDirection_SCALING_DIRECTION_UP,
			Meta:      meta,
		},
		Check:             req.GetCheck(),
		TimestampedMetric: req.GetTimestampedMetric(),
	}, nil
}

func main() {
	logger := pluginkit.NewPluginLogger(pluginName)
	base := &pluginkit.BaseServer{Name: pluginName, Type: basev1.PluginType_PLUGIN_TYPE_STRATEGY, Logger: logger}
	pluginkit.Serve(logger, plugin.PluginSet{
		pluginkit.KeyBase:     &pluginkit.BasePlugin{Impl: base},
		pluginkit.KeyStrategy: &pluginkit.StrategyPlugin{Impl: &strategyServer{logger: logger}},
	})
}
