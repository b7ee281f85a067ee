namespace NomadAutoscaler.Core.Plugins;

/// <summary>Labels for plugin call metrics that the clients cannot know themselves (the policy being evaluated).
/// The engine sets them around its calls: <c>using var _ = PluginCallContext.Begin(policyId, targetName);</c>.</summary>
internal sealed class PluginCallContext : IDisposable
{
    private static readonly AsyncLocal<PluginCallContext?> CurrentContext = new();
    private readonly PluginCallContext? _previous;

    private PluginCallContext(string? policyId, string? targetName, PluginCallContext? previous)
    {
        PolicyId = policyId;
        TargetName = targetName;
        _previous = previous;
    }

    public static PluginCallContext? Current => CurrentContext.Value;

    public string? PolicyId { get; }

    public string? TargetName { get; }

    public static PluginCallContext Begin(string? policyId, string? targetName)
    {
        var context = new PluginCallContext(policyId, targetName, CurrentContext.Value);
        CurrentContext.Value = context;
        return context;
    }

    public void Dispose() => CurrentContext.Value = _previous;
}
