using NomadAutoscaler.Core.Plugins;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>Finds plugins by the names used in policies. The plugin manager implements it for real plugins; tests
/// give in-memory fakes of the client interfaces.</summary>
internal interface IPluginDirectory
{
    /// <summary>The APM named <paramref name="name"/>, or null.</summary>
    IApmClient? FindApm(string name);

    /// <summary>The strategy named <paramref name="name"/>, or null.</summary>
    IStrategyClient? FindStrategy(string name);

    /// <summary>The target named <paramref name="name"/>, or null.</summary>
    ITargetClient? FindTarget(string name);

    /// <summary>The driver of the APM block named <paramref name="name"/>, used to expand short nomad-apm queries.</summary>
    string? ApmDriver(string name);
}
