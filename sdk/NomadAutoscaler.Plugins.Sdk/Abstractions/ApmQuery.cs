namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>A metric query sent to an APM plugin.</summary>
/// <param name="Query">The query text, in the APM's own language.</param>
/// <param name="From">Start of the window (inclusive). Equal to <paramref name="To"/> for instant queries.</param>
/// <param name="To">End of the window (inclusive).</param>
public sealed record ApmQuery(string Query, DateTimeOffset From, DateTimeOffset To);
