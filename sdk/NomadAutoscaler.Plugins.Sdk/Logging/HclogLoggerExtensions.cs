using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Sdk.Logging;

/// <summary>Logging in hclog's model, the one style of the agent, the SDK and the plugins: a fixed message plus ordered
/// snake_case pairs. <c>logger.Hclog(LogLevel.Information, "scaling target", ("id", id), ("from", 0))</c> prints
/// <c>... scaling target: id=... from=0</c>. Messages are not templates, so braces in them are safe. The pairs are a
/// <c>params</c> span, so a call whose level is off allocates no array (only value-type values are boxed); on a
/// per-request path guard a debug line with <c>IsEnabled</c> when even that matters.</summary>
public static class HclogLoggerExtensions
{
    /// <summary>Logs <paramref name="message"/> with <paramref name="pairs"/> in order, when
    /// <paramref name="level"/> is enabled.</summary>
    public static void Hclog(this ILogger logger, LogLevel level, string message, params ReadOnlySpan<(string Key, object? Value)> pairs)
        => Hclog(logger, level, null, message, pairs);

    /// <summary>Logs <paramref name="message"/> with <paramref name="pairs"/> in order and an exception, when
    /// <paramref name="level"/> is enabled. Pass an exception only for a bug: expected failures are a message and
    /// pairs.</summary>
    public static void Hclog(this ILogger logger, LogLevel level, Exception? exception, string message, params ReadOnlySpan<(string Key, object? Value)> pairs)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!logger.IsEnabled(level)) return;
        var kvs = new KeyValuePair<string, object?>[pairs.Length];
        for (var i = 0; i < pairs.Length; i++) kvs[i] = new(pairs[i].Key, pairs[i].Value);
        logger.Log(level, default, new HclogState(message, kvs), exception, HclogState.Format);
    }
}
