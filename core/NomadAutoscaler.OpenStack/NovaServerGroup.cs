namespace NomadAutoscaler.OpenStack;

/// <summary>A Nova server group.</summary>
/// <param name="Id">UUID.</param>
/// <param name="Name">Name.</param>
/// <param name="Policy">Policy, e.g. <c>anti-affinity</c> or <c>soft-anti-affinity</c>.</param>
/// <param name="Members">Server IDs.</param>
public sealed record NovaServerGroup(string Id, string Name, string Policy, IReadOnlyList<string> Members);
