namespace NomadAutoscaler.Core.Policy;

/// <summary>A source of scaling policies (the policy directory, Nomad job specs).</summary>
public interface IPolicySource
{
    /// <summary><c>file</c> or <c>nomad</c>.</summary>
    string Name { get; }

    /// <summary>Yields the source's complete current policy set each time it changes. A policy absent from a
    /// snapshot is removed. Errors in individual policies are reported in the snapshot and do not stop the rest.</summary>
    IAsyncEnumerable<PolicySnapshot> WatchAsync(CancellationToken cancellationToken);
}

/// <summary>The complete set of valid, enabled policies of one source at one moment.</summary>
/// <param name="Source">The source's name.</param>
/// <param name="Policies">Valid, enabled policies.</param>
/// <param name="Errors">Human-readable problems (a broken file, an invalid policy), already logged by the source.</param>
public sealed record PolicySnapshot(string Source, IReadOnlyList<ScalingPolicy> Policies, IReadOnlyList<string> Errors);
