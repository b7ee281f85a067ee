using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>The engine's view of a target plugin. Failures throw <see cref="PluginException"/>.</summary>
internal interface ITargetClient
{
    /// <summary>The config key whose Go duration value is the deadline of <see cref="StatusAsync"/> (the key is still sent).</summary>
    public const string GrpcTimeoutKey = "_nomad_autoscaler_grpc_timeout";

    string PluginName { get; }

    /// <summary>Reads the target; null when an in-process plugin reports that the target does not exist.</summary>
    Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken);

    Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken);
}
