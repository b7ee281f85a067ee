package pluginkit

import (
	"context"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	apmv1 "nomadautoscaler/contracts/apm/v1"
	basev1 "nomadautoscaler/contracts/base/v1"
	strategyv1 "nomadautoscaler/contracts/strategy/v1"
	targetv1 "nomadautoscaler/contracts/target/v1"
)

// The adapters below are used on both sides: a plugin fills Impl and go-plugin calls GRPCServer for every
// key in its plugin set; a host leaves Impl nil and go-plugin calls GRPCClient when the key is dispensed.
// Dispensing is host-side only: every key shares the one gRPC connection.

// BasePlugin binds BasePluginService to the "base" key.
type BasePlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl basev1.BasePluginServiceServer

	// Broker is go-plugin's broker of the host's connection, set when the key is dispensed: the host probes
	// through it that the broker stream is still open after idling.
	Broker *plugin.GRPCBroker
}

// GRPCServer registers the base service on the plugin's server.
func (p *BasePlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	basev1.RegisterBasePluginServiceServer(s, p.Impl)
	return nil
}

// GRPCClient wraps the shared connection in a base client stub and keeps the broker.
func (p *BasePlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	p.Broker = broker
	return basev1.NewBasePluginServiceClient(c), nil
}

// APMPlugin binds APMPluginService to the "apm" key.
type APMPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl apmv1.APMPluginServiceServer
}

// GRPCServer registers the APM service on the plugin's server.
func (p *APMPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	apmv1.RegisterAPMPluginServiceServer(s, p.Impl)
	return nil
}

// GRPCClient wraps the shared connection in an APM client stub.
func (p *APMPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return apmv1.NewAPMPluginServiceClient(c), nil
}

// StrategyPlugin binds StrategyPluginService to the "strategy" key.
type StrategyPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl strategyv1.StrategyPluginServiceServer
}

// GRPCServer registers the strategy service on the plugin's server.
func (p *StrategyPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	strategyv1.RegisterStrategyPluginServiceServer(s, p.Impl)
	return nil
}

// GRPCClient wraps the shared connection in a strategy client stub.
func (p *StrategyPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return strategyv1.NewStrategyPluginServiceClient(c), nil
}

// TargetPlugin binds TargetPluginService to the "target" key.
type TargetPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl targetv1.TargetPluginServiceServer
}

// GRPCServer registers the target service on the plugin's server.
func (p *TargetPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	targetv1.RegisterTargetPluginServiceServer(s, p.Impl)
	return nil
}

// GRPCClient wraps the shared connection in a target client stub.
func (p *TargetPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return targetv1.NewTargetPluginServiceClient(c), nil
}

// HostPluginSet is the plugin set a host uses for a plugin of the given kind ("apm", "strategy", "target").
// It returns nil for an unknown kind.
func HostPluginSet(kind string) plugin.PluginSet {
	set := plugin.PluginSet{KeyBase: &BasePlugin{}}
	switch kind {
	case KeyAPM:
		set[KeyAPM] = &APMPlugin{}
	case KeyStrategy:
		set[KeyStrategy] = &StrategyPlugin{}
	case KeyTarget:
		set[KeyTarget] = &TargetPlugin{}
	default:
		return nil
	}
	return set
}
