using System.Reflection;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>Adapts one author plugin object to <see cref="IInProcessPlugin"/>. Subclasses know TOptions.</summary>
internal abstract class PluginAdapter : IInProcessPlugin
{
    // Set once SetConfig succeeded; volatile because reload and calls run on different threads.
    private volatile bool _configured;

    protected PluginAdapter(object instance)
    {
        Instance = instance;
        Name = NameOf(instance.GetType());
    }

    public string Name { get; }

    public abstract PluginKind Kind { get; }

    public object Instance { get; }

    public async ValueTask SetConfigAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        cancellationToken.ThrowIfCancellationRequested();
        await ConfigureAsync(config, cancellationToken).ConfigureAwait(false);
        _configured = true;
    }

    public virtual ValueTask<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
        => throw WrongKind(PluginKind.Apm);

    public virtual ValueTask<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
        => throw WrongKind(PluginKind.Apm);

    public virtual ValueTask<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        => throw WrongKind(PluginKind.Strategy);

    public virtual ValueTask<TargetStatus?> GetStatusAsync(PluginSettings target, CancellationToken cancellationToken)
        => throw WrongKind(PluginKind.Target);

    public virtual ValueTask ScaleAsync(ScalingAction action, PluginSettings target, CancellationToken cancellationToken)
        => throw WrongKind(PluginKind.Target);

    public async ValueTask DisposeAsync()
    {
        if (Instance is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        else if (Instance is IDisposable disposable) disposable.Dispose();
    }

    protected abstract ValueTask ConfigureAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken);

    /// <summary>Called by every typed method first: the SDK promises authors ConfigureAsync runs before anything else.</summary>
    protected void EnsureConfigured(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_configured) throw new PluginNotConfiguredException(Name);
    }

    internal static string NameOf(Type pluginType)
    {
        var attribute = pluginType.GetCustomAttribute<PluginAttribute>(inherit: false)
            ?? throw new InvalidOperationException($"plugin class {pluginType.FullName} has no [Plugin(\"<id>\")] attribute");
        if (string.IsNullOrWhiteSpace(attribute.Name))
            throw new InvalidOperationException($"plugin class {pluginType.FullName} has an empty [Plugin] name");
        return attribute.Name;
    }

    private NotSupportedException WrongKind(PluginKind wanted)
        => new($"plugin {Name} is a {Kind.ToWireName()} plugin, not a {wanted.ToWireName()} plugin");
}
