using NomadAutoscaler.Core.Evaluation;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>The engine's <see cref="IPluginDirectory"/> over the <see cref="PluginManager"/>. The engine looks plugins
/// up on every evaluation, so a reload that replaces a plugin takes effect without re-resolving anything.</summary>
internal sealed class PluginManagerDirectory(PluginManager manager) : IPluginDirectory
{
    public IApmClient? FindApm(string name) => manager.Contains(PluginKind.Apm, name) ? manager.GetApm(name) : null;

    public IStrategyClient? FindStrategy(string name) => manager.Contains(PluginKind.Strategy, name) ? manager.GetStrategy(name) : null;

    public ITargetClient? FindTarget(string name) => manager.Contains(PluginKind.Target, name) ? manager.GetTarget(name) : null;

    public string? ApmDriver(string name) => manager.TryGetBlock(PluginKind.Apm, name)?.Driver;
}
