using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Lab;

/// <summary>Connects the lab to the simulator's cloud. Filled in once the simulated cloud and its target exist.</summary>
internal sealed class LabCloud : ILabCloud
{
    public static LabCloud Attach(SimulatorOptions simulator, LabOptions options) => new();

    public static string PoolName(ScalingPolicy policy) => policy.Target.Config.GetValueOrDefault("pool_name") is { Length: > 0 } name ? name : policy.Name;

    public void Connect(NomadSimulator simulator, HttpMessageHandler handler, TimeProvider clock, ILoggerFactory loggers)
    {
    }

    public void AddPool(LabPool pool) => throw new LabException("cluster policies need the simulated cloud, which is not built yet");

    public int LiveServers(string pool) => 0;

    public ITargetClient TargetFor(TargetCloud block) => throw new LabException("cluster policies need the simulated cloud, which is not built yet");
}
