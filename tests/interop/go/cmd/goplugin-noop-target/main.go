// goplugin-noop-target is a Go nomad-autoscaler target plugin that keeps its count in memory, for hosts under
// test. Config "count" (int >= 0, default 0) sets the starting count. Status answers ready=true, the count and
// meta {"plugin":"goplugin-noop-target"}. Scale to the current count answers ABORTED ("no-op", which the
// agent must not treat as a failure); Scale to a negative count answers INVALID_ARGUMENT; otherwise it sets
// the count.
package main

import (
	"context"
	"strconv"
	"sync"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	basev1 "nomadautoscaler/contracts/base/v1"
	targetv1 "nomadautoscaler/contracts/target/v1"
	"nomadautoscaler/interop/pluginkit"
)

const pluginName = "goplugin-noop-target"

type targetServer struct {
	targetv1.UnimplementedTargetPluginServiceServer

	logger hclog.Logger
	mu     sync.Mutex
	count  int64
}

func (t *targetServer) apply(config map[string]string) error {
	raw, ok := config["count"]
	if !ok {
		return nil
	}
	parsed, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || parsed < 0 {
		return pluginkit.ConfigError("count", "an integer >= 0")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count = parsed
	return nil
}

func (t *targetServer) Status(_ context.Context, req *targetv1.StatusRequest) (*targetv1.StatusResponse, error) {
	t.mu.Lock()
	count := t.count
	t.mu.Unlock()
	t.logger.Debug("status served", "count", count, "grpc_timeout", req.GetConfig()[pluginkit.GRPCTimeoutConfigKey])
	return &targetv1.StatusResponse{Ready: true, Count: count, Meta: map[string]string{"plugin": pluginName}}, nil
}

func (t *targetServer) Scale(_ context.Context, req *targetv1.ScaleRequest) (*targetv1.ScaleResponse, error) {
	want := req.GetAction().GetCount()
	if want < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "action.count must be >= 0, got %d", want)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if want == t.count {
		t.logger.Info("scale is a no-op", "count", want)
		return nil, status.Errorf(codes.Aborted, "count is already %d", want)
	}
	t.logger.Info("scaled", "from", t.count, "to", want)
	t.count = want
	return &targetv1.ScaleResponse{}, nil
}

func main() {
	logger := pluginkit.NewPluginLogger(pluginName)
	target := &targetServer{logger: logger}
	base := &pluginkit.BaseServer{Name: pluginName, Type: basev1.PluginType_PLUGIN_TYPE_TARGET, Logger: logger, Apply: target.apply}
	pluginkit.Serve(logger, plugin.PluginSet{
		pluginkit.KeyBase:   &pluginkit.BasePlugin{Impl: base},
		pluginkit.KeyTarget: &pluginkit.TargetPlugin{Impl: target},
	})
}
