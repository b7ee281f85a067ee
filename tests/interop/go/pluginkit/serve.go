package pluginkit

import (
	"context"
	"os"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	basev1 "nomadautoscaler/contracts/base/v1"
)

// NewPluginLogger returns the logger a plugin must use. It writes hclog JSON to the real stderr: the host
// parses each line (message, level, timestamp) into its own log. It must be created before Serve, because
// go-plugin swaps os.Stderr for a pipe once the handshake line is out.
func NewPluginLogger(name string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       name,
		Level:      hclog.Trace,
		JSONFormat: true,
		Output:     os.Stderr,
	})
}

// Serve runs a go-plugin gRPC server for the given plugin set until the host shuts it down. go-plugin
// itself adds the health service ("plugin" = SERVING), the controller (Shutdown) and the broker.
func Serve(logger hclog.Logger, set plugin.PluginSet) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         set,
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          logger,
	})
}

// BaseServer answers PluginInfo with a fixed identity and hands SetConfig to the plugin.
type BaseServer struct {
	basev1.UnimplementedBasePluginServiceServer

	Name   string
	Type   basev1.PluginType
	Logger hclog.Logger
	// Apply validates and applies a configuration; its error goes back to the host as the RPC error.
	// It must do its own locking: SetConfig may race the plugin's other RPCs.
	Apply func(config map[string]string) error
}

// PluginInfo returns the plugin's fixed name and type.
func (b *BaseServer) PluginInfo(_ context.Context, _ *basev1.PluginInfoRequest) (*basev1.PluginInfoResponse, error) {
	b.Logger.Debug("plugin info requested")
	return &basev1.PluginInfoResponse{Name: b.Name, Type: b.Type}, nil
}

// SetConfig logs the received keys and applies the configuration.
func (b *BaseServer) SetConfig(_ context.Context, req *basev1.SetConfigRequest) (*basev1.SetConfigResponse, error) {
	// Only the keys are logged: configuration values may be secrets.
	keys := make([]string, 0, len(req.GetConfig()))
	for k := range req.GetConfig() {
		keys = append(keys, k)
	}
	b.Logger.Info("config received", "keys", keys)
	if b.Apply != nil {
		if err := b.Apply(req.GetConfig()); err != nil {
			return nil, err
		}
	}
	return &basev1.SetConfigResponse{}, nil
}

// ConfigError is the error for a bad configuration value: it names the key and says what was expected,
// without echoing the value (it may be a secret).
func ConfigError(key, expected string) error {
	return status.Errorf(codes.InvalidArgument, "config key %q: expected %s", key, expected)
}
