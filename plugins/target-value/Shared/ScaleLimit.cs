using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Strategies;

/// <summary><c>max_scale_up</c> / <c>max_scale_down</c> as target-value and pass-through read them.</summary>
internal static class ScaleLimit
{
    /// <summary>The limit, or null when unset; plus its text for the trace log, where upstream prints an unset limit as
    /// <paramref name="unsetText"/> (<c>+Inf</c> or <c>-Inf</c>).</summary>
    public static (long? Limit, string LogText) Parse(PluginSettings config, string key, string unsetText)
    {
        var text = config.GetValueOrDefault(key, string.Empty);
        if (text.Length == 0) return (null, unsetText);
        return GoStrconv.TryParseInt64(text, out var limit)
            ? (limit, text)
            : throw StrategyResults.ConfigError(StrategyResults.InvalidValue($"`{key}`", text));
    }
}
