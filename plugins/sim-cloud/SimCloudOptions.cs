using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Plugins.SimCloud;

/// <summary>The agent's <c>target "sim-cloud"</c> block: only the <c>nomad_*</c> keys the agent injects. The simulated
/// cloud is served by the Nomad simulator itself, so <c>nomad_address</c> (and <c>nomad_token</c>) reach both.</summary>
public sealed class SimCloudOptions : NomadPluginOptions;
