namespace NomadAutoscaler.Nomad;

/// <summary>What Nomad's response headers say about a read.</summary>
/// <param name="LastIndex"><c>X-Nomad-Index</c>: pass it as the next <see cref="QueryOptions.WaitIndex"/>. Zero when
/// the header is missing. Compare indexes with <c>!=</c>: an index may go down.</param>
/// <param name="LastContact"><c>X-Nomad-LastContact</c>: how stale a follower's answer may be.</param>
/// <param name="KnownLeader"><c>X-Nomad-KnownLeader</c>.</param>
/// <param name="NextToken"><c>X-Nomad-NextToken</c> when another page exists.</param>
public sealed record QueryMeta(ulong LastIndex, TimeSpan LastContact, bool KnownLeader, string? NextToken);
