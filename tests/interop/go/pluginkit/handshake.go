// Package pluginkit holds what both sides of the go-plugin interop harness share: the nomad-autoscaler
// handshake and the go-plugin GRPCPlugin adapters that bind our generated contract to plugin-set keys.
package pluginkit

import (
	plugin "github.com/hashicorp/go-plugin"
)

// Handshake is nomad-autoscaler's go-plugin handshake. A plugin started without this cookie refuses to run,
// and a plugin announcing another app protocol version is rejected by the host.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3",
}

// Plugin-set keys used by nomad-autoscaler. Every plugin serves KeyBase plus exactly one typed key.
const (
	KeyBase     = "base"
	KeyAPM      = "apm"
	KeyStrategy = "strategy"
	KeyTarget   = "target"
)

// GRPCTimeoutConfigKey is the StatusRequest config key through which the agent passes its call deadline.
const GRPCTimeoutConfigKey = "_nomad_autoscaler_grpc_timeout"
