using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Core.Policy;

/// <summary>What a file policy takes from the agent: default cooldown and evaluation interval, and which APM names
/// are Nomad-APM (their short queries have rules of their own).</summary>
/// <param name="DefaultCooldown">Used when a policy sets no cooldown.</param>
/// <param name="DefaultEvaluationInterval">Used when a policy sets no evaluation interval.</param>
/// <param name="NomadApmNames">Names of the APM blocks whose driver is <c>nomad-apm</c>.</param>
public sealed record FilePolicyDefaults(TimeSpan DefaultCooldown, TimeSpan DefaultEvaluationInterval, IReadOnlySet<string> NomadApmNames)
{
    /// <summary>Upstream's defaults with only the built-in <c>nomad-apm</c> block.</summary>
    public static FilePolicyDefaults Upstream { get; } =
        new(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), new HashSet<string>(StringComparer.Ordinal) { "nomad-apm" });

    public static FilePolicyDefaults From(AgentConfig config) => new(
        config.Policy.DefaultCooldown,
        config.Policy.DefaultEvaluationInterval,
        config.Apms.Where(a => a.Driver == "nomad-apm").Select(a => a.Name).ToHashSet(StringComparer.Ordinal));
}
