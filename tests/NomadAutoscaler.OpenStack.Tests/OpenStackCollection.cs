namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>Tests against the one loopback cloud run one at a time: the 2-core machine is CPU-bound during server bursts,
/// and quota changes must not affect other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OpenStackCollection
{
    public const string Name = "loopback OpenStack";
}
